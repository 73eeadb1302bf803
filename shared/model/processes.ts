/** Processes as the Processes tab arranges them: where each sits in the process tree. */

/** A process and its ancestors: its parent, the parent's parent and so on, nearest first. */
export interface ProcessLineage {
  readonly pid: number
  /** Parent first; empty when the process is gone or the OS does not say. */
  readonly ancestors: readonly number[]
}

/** Why a process counts as sockscope's own. */
export type OwnProcessRole = 'this' | 'started' | 'instance'

/** A process that is sockscope: the backend serving this page, a part it started, or another sockscope. */
export interface OwnProcess {
  readonly pid: number
  readonly role: OwnProcessRole
  /** What it is, in words, for a tooltip. */
  readonly description: string
}
