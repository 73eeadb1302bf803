/**
 * Recording channels: recordings (start, stop, list, open, scrub, diff) and CSV/JSON export of
 * the live table, a recorded table or a recorded diff.
 */
import * as v from 'valibot'
import type { ExportedFile, RecordingFile, RecordingInfo, RecordingMoment, RecordingStatus, TableDiff } from '../model/recording'
import { event, noArguments, request } from './define'
import { epochMs, historySource } from './time-arguments'

/** A file name in the recordings folder: no folders, no leading dot. */
const recordingName = v.pipe(v.string(), v.maxLength(120), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a file name of letters, digits, ".", "_" and "-"'))
const format = v.picklist(['csv', 'json'])

/** Requests and events of the recording domain. */
export const recordingContract = {
  requests: {
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
    'recording/export-table': request(v.strictObject({ source: historySource, time: v.optional(epochMs), format })).returns<ExportedFile>(),
    /** What changed between two moments of the opened recording, as CSV or JSON. */
    'recording/export-diff': request(v.strictObject({ from: epochMs, to: epochMs, format })).returns<ExportedFile>()
  },
  events: {
    'recording/status': event<RecordingStatus>()
  }
} as const
