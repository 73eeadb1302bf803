/**
 * The recording domain: writes the live history and tables to a file in the recordings folder,
 * opens a recording for scrubbing and comparing, and exports tables and diffs as CSV or JSON.
 */
import { lstat, readdir } from 'node:fs/promises'
import { basename } from 'node:path'
import type { ExportedFile, ExportFormat, RecordingFile, RecordingStatus } from '../../../shared/model/recording'
import { RequestError } from '../../../shared/contract/envelope'
import type { BackendModuleFactory } from '../backend-module'
import { storageStep } from '../storage/storage-step'
import { openRecording, type Recording } from './recording-reader'
import { RecordingError } from './recording-format'
import { RecordingWriter } from './recording-writer'
import { exportDiff, exportTable } from './table-export'

/** While recording, the status is pushed every this many ticks. */
const STATUS_EVERY_TICKS = 5

/** A default recording file name from the clock: `sockscope-20240131-142501.sockscope.gz`. */
function defaultRecordingName(now = new Date()): string {
  const pad = (value: number): string => String(value).padStart(2, '0')
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`
  return `sockscope-${date}-${time}.sockscope.gz`
}

function fileStamp(time: number): string {
  return new Date(time).toISOString().replace(/[:.]/g, '-')
}

function exported(stem: string, format: ExportFormat, text: string): ExportedFile {
  return { fileName: `${stem}.${format}`, mimeType: format === 'csv' ? 'text/csv' : 'application/json', text }
}

/** Serves `recording/*` and pushes `recording/status` when a recording starts, stops, fails or grows. */
export const recordingModule: BackendModuleFactory = (context) => {
  const { session } = context.history
  const recordings = context.data.folder('recordings')
  let opened: { readonly name: string; readonly recording: Recording } | null = null
  let recordingProblem: string | null = null

  function status(): RecordingStatus {
    const recording = session.recording()
    return {
      recording: recording !== null,
      name: recording ? basename(recording.path) : null,
      path: recording?.path ?? null,
      folder: recordings.path,
      problem: recordingProblem,
      startedAt: recording?.startedAt ?? null,
      ticks: recording?.ticks ?? 0,
      opened: opened ? opened.recording.info() : null
    }
  }

  const stopTicks = context.history.onTick(({ recordingFailure }) => {
    if (recordingFailure) {
      recordingProblem = `the recording stopped: ${recordingFailure.message}`
      context.emit('recording/status', status())
    }
    const recording = session.recording()
    if (recording && recording.ticks % STATUS_EVERY_TICKS === 0) context.emit('recording/status', status())
  })

  function openedRecording(): Recording {
    if (!opened) throw new RequestError('not-found', 'no recording is open: open one first')
    return opened.recording
  }

  function show(next: typeof opened): void {
    opened = next
    context.history.showRecorded(next ? next.recording.history : null)
  }

  function pathOf(name: string): string {
    // The schema already refuses folders; this keeps it so if the schema ever loosens.
    if (basename(name) !== name) throw new RequestError('invalid-arguments', `"${name}" is not a plain file name`)
    return recordings.pathOf(name)
  }

  return {
    handlers: {
      'recording/start': async ({ name }) => {
        if (session.recording()) throw new RequestError('busy', `already recording to ${status().name}`)
        recordingProblem = null
        const fileName = name ?? defaultRecordingName()
        const path = pathOf(fileName)
        await storageStep('record', () => recordings.prepare())
        // lstat: a link left under that name counts as taken; it is neither followed nor replaced.
        const exists = await lstat(path).then(
          () => true,
          () => false
        )
        if (exists) throw new RequestError('busy', `a recording named ${fileName} already exists`)
        const writer = await RecordingWriter.open(path, { intervalMs: context.sockets.status().intervalMs, exclusive: true })
        try {
          session.startRecording(writer)
        } catch (error) {
          // Another start won the race while this file was being opened.
          await writer.close().catch(() => undefined)
          throw error
        }
        const current = status()
        context.emit('recording/status', current)
        return current
      },
      'recording/stop': async () => {
        await session.stopRecording()
        const current = status()
        context.emit('recording/status', current)
        return current
      },
      'recording/status': () => status(),
      'recording/list': async () => {
        if (!(await storageStep('list recordings', () => recordings.check()))) return []
        const names = await readdir(recordings.path).catch(() => [] as string[])
        const files: RecordingFile[] = []
        for (const name of names) {
          const info = await lstat(recordings.pathOf(name)).catch(() => null)
          if (info?.isFile()) files.push({ name, bytes: info.size, modifiedAt: info.mtimeMs })
        }
        return files.sort((a, b) => b.modifiedAt - a.modifiedAt)
      },
      'recording/open': async ({ name }) => {
        const path = pathOf(name)
        await storageStep('open a recording', () => recordings.check())
        let recording: Recording
        try {
          recording = await openRecording(path)
        } catch (error) {
          if (error instanceof RecordingError) {
            const missing = /no such file/.test(error.detail)
            throw new RequestError(missing ? 'not-found' : 'failed', `${name}: ${error.message}`)
          }
          throw error
        }
        show({ name, recording })
        context.emit('recording/status', status())
        return recording.info()
      },
      'recording/close': () => {
        show(null)
        const current = status()
        context.emit('recording/status', current)
        return current
      },
      'recording/at': ({ time }) => {
        const recording = openedRecording()
        return { ...recording.tableAt(time), findings: recording.findingsAt(time) }
      },
      'recording/diff': ({ from, to }) => openedRecording().diff(from, to),
      'recording/export-table': ({ source, time, format }) => {
        if (source === 'recording') {
          const recording = openedRecording()
          const table = recording.tableAt(time ?? recording.info().end ?? 0)
          return exported(`sockets-${fileStamp(table.takenAt)}`, format, exportTable(table, format))
        }
        const snapshot = context.sockets.current()
        return exported(`sockets-${fileStamp(snapshot.takenAt || Date.now())}`, format, exportTable(snapshot, format))
      },
      'recording/export-diff': ({ from, to, format }) => {
        const diff = openedRecording().diff(from, to)
        return exported(`diff-${fileStamp(diff.from)}-to-${fileStamp(diff.to)}`, format, exportDiff(diff, format))
      }
    },
    dispose() {
      stopTicks()
      show(null)
    }
  }
}
