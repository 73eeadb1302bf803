/** Processes as the Processes tab arranges them: where each sits in the process tree. */

/** A process and its ancestors: its parent, the parent's parent and so on, nearest first. */
export interface ProcessLineage {
  readonly pid: number
  /** Parent first; empty when the process is gone or the OS does not say. */
  readonly ancestors: readonly number[]
}
