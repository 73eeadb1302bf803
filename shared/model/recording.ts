/**
 * Recordings: the history and the socket table saved to one file, opened later to scrub
 * through time and compare two moments.
 */
import type { SocketEntry } from './socket'

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
