/**
 * The recording file: gzip-compressed JSON lines.
 *
 *   line 1     {"type":"header","format":"sockscope-recording","version":1,...}
 *   then, per tick:
 *              {"type":"keyframe",...,"sockets":[...]}          every `keyframeEvery` ticks
 *              {"type":"diff",...,"added":[...],"removed":[...],"changed":[...],"counters":[...]}   otherwise
 *              {"type":"sample","sample":{...}}                 the history point of the tick
 *              {"type":"findings",...}                          only when findings appeared or cleared
 *
 * A later session may append a further gzip member to the same file; it starts with a
 * keyframe and carries no header. Lines of an unknown type are skipped, so newer writers can
 * add kinds of lines without breaking older readers.
 */
import type { SocketCounters, SocketEntry } from '../../../shared/model/socket'
import type { HistorySample } from '../../../shared/model/history'
import type { Finding } from '../../../shared/model/finding'
import type { RecordingHeader } from '../../../shared/model/recording'

/** The format name in the header. */
export const RECORDING_FORMAT = 'sockscope-recording'
/** The only version written so far. */
export const RECORDING_VERSION = 1

/** A full table. */
export interface KeyframeLine {
  readonly type: 'keyframe'
  readonly tick: number
  readonly takenAt: number
  readonly partialOwnership: boolean
  readonly sockets: readonly SocketEntry[]
}

/** The changes since the previous table line. */
export interface DiffLine {
  readonly type: 'diff'
  readonly tick: number
  readonly takenAt: number
  readonly partialOwnership: boolean
  readonly added: readonly SocketEntry[]
  readonly removed: readonly string[]
  readonly changed: readonly SocketEntry[]
  /** Per-tick values of sockets otherwise unchanged (timer, tcp_info); absent in files from before they were recorded. */
  readonly counters?: readonly SocketCounters[]
}

/** The history point of a tick. */
export interface SampleLine {
  readonly type: 'sample'
  readonly sample: HistorySample
}

/** Findings that appeared or cleared at a tick. */
export interface FindingsLine {
  readonly type: 'findings'
  readonly takenAt: number
  readonly appeared: readonly Finding[]
  readonly cleared: readonly Finding[]
}

/** Any line of a recording. */
export type RecordingLine = RecordingHeader | KeyframeLine | DiffLine | SampleLine | FindingsLine

/** A recording could not be read or written; `line` says where, when it is about a line. */
export class RecordingError extends Error {
  constructor(
    /** What is wrong, without the line number. */
    readonly detail: string,
    readonly line: number | null = null
  ) {
    super(line === null ? detail : `line ${line}: ${detail}`)
    this.name = 'RecordingError'
  }
}

/** Checks a parsed first line; throws a RecordingError saying what is wrong. */
export function checkHeader(value: unknown): RecordingHeader {
  const header = value as Partial<RecordingHeader> | null
  if (typeof header !== 'object' || header === null || header.type !== 'header' || header.format !== RECORDING_FORMAT) {
    throw new RecordingError(`not a sockscope recording (the first line must be a "${RECORDING_FORMAT}" header)`, 1)
  }
  if (header.version !== RECORDING_VERSION) {
    throw new RecordingError(`recording version ${String(header.version)} is not supported (this build reads version ${RECORDING_VERSION})`, 1)
  }
  if (typeof header.createdAt !== 'number' || typeof header.keyframeEvery !== 'number') {
    throw new RecordingError('the header lacks createdAt or keyframeEvery', 1)
  }
  return {
    type: 'header',
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    createdAt: header.createdAt,
    keyframeEvery: header.keyframeEvery,
    intervalMs: typeof header.intervalMs === 'number' ? header.intervalMs : null,
    hostname: typeof header.hostname === 'string' ? header.hostname : null,
    platform: typeof header.platform === 'string' ? header.platform : null
  }
}
