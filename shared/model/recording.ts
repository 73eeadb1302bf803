/**
 * Recordings: the history and the socket table saved to one file, opened later to scrub
 * through time and compare two moments.
 */
import type { SocketEntry } from './socket'
import type { Finding } from './finding'

/** The first line of every recording. */
export interface RecordingHeader {
  readonly type: 'header'
  readonly format: 'sockscope-recording'
  readonly version: 1
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** A full table is written every this many ticks; diffs in between. */
  readonly keyframeEvery: number
  /** The poll interval the recording was made at, when known. */
  readonly intervalMs: number | null
  readonly hostname: string | null
  readonly platform: string | null
}

/** Where reading a recording stopped, and why. Everything before `line` was kept. */
export interface RecordingProblem {
  /** 1-based line number (of the decompressed text). */
  readonly line: number
  readonly message: string
}

/** What an opened recording holds. */
export interface RecordingInfo {
  readonly path: string
  readonly header: RecordingHeader
  /** Epoch milliseconds of the first and last table, or null when there is none. */
  readonly start: number | null
  readonly end: number | null
  /** Tables (keyframes and diffs). */
  readonly frames: number
  /** History points. */
  readonly samples: number
  readonly problem: RecordingProblem | null
}

/** The table as it was at some moment of a recording. */
export interface TableAt {
  /** Epoch milliseconds of the table shown: the last one at or before the asked time. */
  readonly takenAt: number
  readonly tick: number
  readonly sockets: readonly SocketEntry[]
}

/** A socket that changed between two moments. */
export interface SocketChange {
  readonly before: SocketEntry
  readonly after: SocketEntry
}

/** What opened, closed and changed between two moments of a recording. */
export interface TableDiff {
  /** Epoch milliseconds of the two tables compared. */
  readonly from: number
  readonly to: number
  readonly opened: readonly SocketEntry[]
  readonly closed: readonly SocketEntry[]
  readonly changed: readonly SocketChange[]
}

/** Formats a table or a diff can be exported to. */
export type ExportFormat = 'csv' | 'json'

/** Whether a recording is being written. */
export interface RecordingStatus {
  readonly recording: boolean
  /** File name within the recordings folder. */
  readonly name: string | null
  readonly path: string | null
  /** The folder recordings are saved in and listed from. */
  readonly folder: string
  /** Why the last recording stopped on its own (a full disk, say); null when it did not. */
  readonly problem: string | null
  /** Epoch milliseconds. */
  readonly startedAt: number | null
  readonly ticks: number
  /** The recording opened for scrubbing, if any. */
  readonly opened: RecordingInfo | null
}

/** A recording file in the recordings folder. */
export interface RecordingFile {
  readonly name: string
  readonly bytes: number
  /** Epoch milliseconds. */
  readonly modifiedAt: number
}

/** Totals of a finished recording. */
export interface RecordingSummary {
  readonly path: string
  readonly ticks: number
  readonly bytes: number
}

/** The table at a moment of the opened recording, with the findings that held then. */
export interface RecordingMoment extends TableAt {
  readonly findings: readonly Finding[]
}

/** An export, ready to be saved by the client. */
export interface ExportedFile {
  readonly fileName: string
  readonly mimeType: string
  readonly text: string
}
