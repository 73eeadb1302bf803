/**
 * The log of every close and stop attempt: the session keeps the newest entries in memory for
 * the UI, and each entry is also added, as one JSON line, to `actions.log` in the private data
 * folder (0600), so what a web page, the desktop app or the CLI did outlives the session.
 */
import type { ActionLogEntry } from '../../../shared/model/action'
import type { PrivateFolder } from '../storage/private-folder'
import { errorMessage } from '../../../shared/error-message'

/** The log file's name in the data folder. */
export const ACTION_LOG_FILE = 'actions.log'
/** Past this size the file becomes `actions.log.1` and a new one starts: two files at most. */
export const ACTION_LOG_ROTATE_BYTES = 1024 * 1024
/** Entries the session keeps in memory; older ones stay only in the file. */
export const SESSION_LOG_ENTRIES = 500

/** An entry before the log numbers it. */
export type NewActionLogEntry = Omit<ActionLogEntry, 'sequence'>

/** The session's action log, written through to the data folder. */
export class ActionLog {
  private readonly kept: ActionLogEntry[] = []
  private readonly listeners = new Set<(entry: ActionLogEntry) => void>()
  private sequence = 0
  /** Writes run one after another, so lines never interleave and none is lost to a race. */
  private writing: Promise<void> = Promise.resolve()

  /** `folder` null keeps the log in memory only. */
  constructor(private readonly folder: PrivateFolder | null) {}

  /** Adds an entry, tells the listeners and queues its line for the file. */
  record(fields: NewActionLogEntry): ActionLogEntry {
    this.sequence += 1
    const entry: ActionLogEntry = { sequence: this.sequence, ...fields }
    this.kept.push(entry)
    if (this.kept.length > SESSION_LOG_ENTRIES) this.kept.shift()
    for (const listener of this.listeners) listener(entry)
    const folder = this.folder
    if (folder !== null) {
      this.writing = this.writing.then(() =>
        folder.appendFile(ACTION_LOG_FILE, JSON.stringify(entry) + '\n', ACTION_LOG_ROTATE_BYTES).catch((error: unknown) => {
          // The action happened either way; the session's log still has it.
          process.emitWarning(`sockscope: the action log could not be written: ${errorMessage(error)}`)
        })
      )
    }
    return entry
  }

  /** The session's entries, oldest first. */
  entries(): readonly ActionLogEntry[] {
    return [...this.kept]
  }

  /** Calls `listener` for every new entry; returns the unsubscribe function. */
  onEntry(listener: (entry: ActionLogEntry) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Resolves once every queued line is in the file. */
  flushed(): Promise<void> {
    return this.writing
  }
}
