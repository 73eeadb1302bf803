/**
 * History, leak and recording channels: chart series, findings and their thresholds,
 * recordings (start, stop, open, scrub, diff) and CSV/JSON export.
 */
import * as v from 'valibot'
import type { HistoryInfo, HistorySample, SeriesSet } from '../model/history'
import type { Finding, FindingsUpdate } from '../model/finding'
import type { RecordingInfo, TableAt, TableDiff } from '../model/recording'
import type { LeakSettings } from '../leak-settings'
import { leakSettingsUpdateSchema } from '../leak-settings'
import { event, integerBetween, noArguments, request } from './define'

/** Where chart data comes from: the live history or the opened recording. */
export type HistorySource = 'live' | 'recording'

/** Pushed once per recorded tick. */
export interface HistoryTick {
  readonly sample: HistorySample
  readonly info: HistoryInfo
}

/** The findings that hold now and the ones that cleared recently (newest first). */
export interface FindingsState {
  readonly active: readonly Finding[]
  readonly recentlyCleared: readonly Finding[]
}

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

/** An export, ready to be saved by the client. */
export interface ExportedFile {
  readonly fileName: string
  readonly mimeType: string
  readonly text: string
}

/** The table at a moment of the opened recording, with the findings that held then. */
export interface RecordingMoment extends TableAt {
  readonly findings: readonly Finding[]
}

const epochMs = v.pipe(v.number(), v.minValue(0), v.maxValue(8.64e15))
/** A file name in the recordings folder: no folders, no leading dot. */
const recordingName = v.pipe(
  v.string(),
  v.maxLength(120),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a file name of letters, digits, ".", "_" and "-"')
)
const source = v.optional(v.picklist(['live', 'recording']))
const format = v.picklist(['csv', 'json'])

/** Requests and events of the history, leaks and recording domains. */
export const historyContract = {
  requests: {
    /** Series for one chart. `window` counts back from the newest point; `from`/`to` pick a range. */
    'history/series': request(
      v.strictObject({
        kind: v.picklist(['states', 'process-sockets', 'protocols', 'interfaces', 'file-descriptors', 'ephemeral']),
        source,
        pid: v.optional(integerBetween(0, 2 ** 31)),
        top: v.optional(integerBetween(1, 100)),
        windowMs: v.optional(v.pipe(v.number(), v.minValue(1000), v.maxValue(366 * 86_400_000))),
        from: v.optional(epochMs),
        to: v.optional(epochMs),
        maxPoints: v.optional(integerBetween(2, 20_000))
      })
    ).returns<SeriesSet>(),
    /** The newest point (for gauges) and what the history holds. */
    'history/latest': request(v.strictObject({ source })).returns<{ readonly sample: HistorySample | null; readonly info: HistoryInfo }>(),
    /** Findings now, and the ones cleared lately. */
    'leaks/findings': request(noArguments).returns<FindingsState>(),
    'leaks/settings': request(noArguments).returns<LeakSettings>(),
    'leaks/update-settings': request(leakSettingsUpdateSchema).returns<LeakSettings>(),
    /** Starts writing the live history and tables to a file in the recordings folder. */
    'recording/start': request(v.strictObject({ name: v.optional(recordingName) })).returns<RecordingStatus>(),
    'recording/stop': request(noArguments).returns<RecordingStatus>(),
    'recording/status': request(noArguments).returns<RecordingStatus>(),
    'recording/list': request(noArguments).returns<readonly RecordingFile[]>(),
    /** Opens a recording from the recordings folder for scrubbing; replaces any opened before. */
    'recording/open': request(v.strictObject({ name: recordingName })).returns<RecordingInfo>(),
    'recording/close': request(noArguments).returns<RecordingStatus>(),
    /** The table as it was at `time` in the opened recording. */
    'recording/at': request(v.strictObject({ time: epochMs })).returns<RecordingMoment>(),
    /** What opened, closed and changed between two moments of the opened recording. */
    'recording/diff': request(v.strictObject({ from: epochMs, to: epochMs })).returns<TableDiff>(),
    /** The live table, or the opened recording's table at `time`, as CSV or JSON. */
    'export/table': request(v.strictObject({ source, time: v.optional(epochMs), format })).returns<ExportedFile>(),
    'export/diff': request(v.strictObject({ from: epochMs, to: epochMs, format })).returns<ExportedFile>()
  },
  events: {
    /** One per recorded tick. */
    'history/tick': event<HistoryTick>(),
    /** Whenever findings appear or clear. */
    'leaks/findings': event<FindingsUpdate>(),
    'recording/status': event<RecordingStatus>()
  }
} as const
