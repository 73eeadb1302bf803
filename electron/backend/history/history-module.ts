/**
 * The history, leaks and recording domains: follows every socket-monitor tick into the
 * history, runs the leak detector, writes the recording when one is running, and serves
 * chart series, findings, opened recordings and exports.
 */
import { lstat, readdir } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Finding } from '../../../shared/model/finding'
import type { HistoryInfo, SeriesQuery } from '../../../shared/model/history'
import type { ExportFormat } from '../../../shared/model/recording'
import type { ExportedFile, HistorySource, RecordingFile, RecordingStatus } from '../../../shared/contract/history'
import { RequestError } from '../../../shared/contract/envelope'
import { DEFAULT_LEAK_SETTINGS, leakSettingsUpdateSchema, mergeLeakSettings, type LeakSettings } from '../../../shared/leak-settings'
import * as v from 'valibot'
import type { BackendModuleFactory } from '../backend-module'
import { HistorySession } from './history-session'
import type { HistoryStore } from './history-store'
import { openRecording, type Recording } from '../recording/recording-reader'
import { RecordingError } from '../recording/recording-format'
import { exportDiff, exportTable } from '../recording/table-export'
import { UnsafeFolderError } from '../storage/private-folder'
import { UnsafePathError } from '../storage/safe-open'

/** Findings kept after they clear, for the panel's "recently cleared" list. */
const RECENTLY_CLEARED_LIMIT = 50
/** The leak thresholds saved in the data folder. */
const SETTINGS_FILE = 'leak-settings.json'
/** Ticks the recorder may fall behind before ticks are skipped instead of queued. */
const MAX_QUEUED_TICKS = 2
/** While recording, the status is pushed every this many ticks. */
const STATUS_EVERY_TICKS = 5

/** A default recording file name from the clock: `sockscope-20240131-142501.sockscope.gz`. */
/** Most points the live history keeps: four hours at one a second. */
const MAX_HISTORY_POINTS = 4 * 3600

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

/** Runs a step on the data folder; an unsafe folder or path becomes a 'failed' answer that says why. */
async function storageStep<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof UnsafeFolderError || error instanceof UnsafePathError) throw new RequestError('failed', `cannot ${what}: ${error.message}`)
    throw error
  }
}

/** Serves `history/*`, `leaks/*`, `recording/*` and `export/*`. */
export const historyModule: BackendModuleFactory = (context) => {
  const recordings = context.data.folder('recordings')
  // One point per tick: the ring holds the chosen minutes at the poll interval.
  // Capped so a fast interval cannot make the ring unbounded in practice (about 11 KB a point at worst).
  const capacity = Math.min(MAX_HISTORY_POINTS, Math.max(2, Math.ceil((context.options.historyMinutes * 60_000) / context.options.intervalMs)))
  const session = new HistorySession({ history: { capacity } })
  const recentlyCleared: Finding[] = []
  let opened: { readonly name: string; readonly recording: Recording } | null = null
  let recordingProblem: string | null = null
  let queued = 0
  let work: Promise<void> = Promise.resolve()
  let disposed = false

  // Saved thresholds from an earlier run; a damaged file falls back to the defaults.
  // An unsafe data folder is not read either: another user could have planted the file.
  const settingsLoaded = context.data
    .readFile(SETTINGS_FILE)
    .then((text) => {
      if (text === null) return
      const parsed = v.safeParse(leakSettingsUpdateSchema, JSON.parse(text))
      if (parsed.success) session.detector.setSettings(mergeLeakSettings(DEFAULT_LEAK_SETTINGS, parsed.output))
    })
    .catch(() => undefined)

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

  const stopTicks = context.sockets.onTick((diff, snapshot) => {
    if (disposed) return
    // Reading fds and limits is asynchronous; when it falls behind, a tick is skipped rather than queued without bound.
    if (queued >= MAX_QUEUED_TICKS) return
    queued++
    work = work
      .then(async () => {
        const { sample, findings, recordingFailure } = await session.tick(snapshot, diff)
        if (disposed) return
        if (recordingFailure) {
          recordingProblem = `the recording stopped: ${recordingFailure.message}`
          context.emit('recording/status', status())
        }
        context.emit('history/tick', { sample, info: session.store.info() })
        if (findings.appeared.length > 0 || findings.cleared.length > 0) {
          recentlyCleared.unshift(...findings.cleared)
          recentlyCleared.splice(RECENTLY_CLEARED_LIMIT)
          context.emit('leaks/findings', findings)
        }
        const recording = session.recording()
        if (recording && recording.ticks % STATUS_EVERY_TICKS === 0) context.emit('recording/status', status())
      })
      .catch(() => undefined)
      .finally(() => {
        queued--
      })
  })

  function storeFor(source: HistorySource | undefined): HistoryStore {
    if (source !== 'recording') return session.store
    if (!opened) throw new RequestError('not-found', 'no recording is open')
    return opened.recording.history
  }

  function openedRecording(): Recording {
    if (!opened) throw new RequestError('not-found', 'no recording is open: open one first')
    return opened.recording
  }

  function pathOf(name: string): string {
    // The schema already refuses folders; this keeps it so if the schema ever loosens.
    if (basename(name) !== name) throw new RequestError('invalid-arguments', `"${name}" is not a plain file name`)
    return recordings.pathOf(name)
  }

  function seriesQuery(args: Omit<SeriesQuery, 'from'> & { from?: number; windowMs?: number }, info: HistoryInfo): SeriesQuery {
    const from = args.windowMs !== undefined && info.newest !== null ? info.newest - args.windowMs : args.from
    return { kind: args.kind, pid: args.pid, top: args.top, from, to: args.to, maxPoints: args.maxPoints }
  }

  return {
    handlers: {
      'history/series': (args) => {
        const store = storeFor(args.source)
        return store.series(seriesQuery(args, store.info()))
      },
      'history/latest': ({ source }) => {
        const store = storeFor(source)
        return { sample: store.latest(), info: store.info() }
      },
      'leaks/findings': () => ({ active: session.detector.active(), recentlyCleared: [...recentlyCleared] }),
      'leaks/settings': async () => {
        await settingsLoaded
        return session.detector.currentSettings()
      },
      'leaks/update-settings': async (update) => {
        await settingsLoaded
        const next: LeakSettings = mergeLeakSettings(session.detector.currentSettings(), update)
        // Saved first, so a folder that cannot take them leaves the running thresholds as they were.
        await storageStep('save the leak settings', () => context.data.replaceFile(SETTINGS_FILE, JSON.stringify(next, null, 2) + '\n'))
        session.detector.setSettings(next)
        return next
      },
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
        await session.startRecording(path, { intervalMs: context.sockets.status().intervalMs, exclusive: true })
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
        try {
          const recording = await openRecording(path)
          opened = { name, recording }
        } catch (error) {
          if (error instanceof RecordingError) {
            const missing = /no such file/.test(error.detail)
            throw new RequestError(missing ? 'not-found' : 'failed', `${name}: ${error.message}`)
          }
          throw error
        }
        context.emit('recording/status', status())
        return opened.recording.info()
      },
      'recording/close': () => {
        opened = null
        const current = status()
        context.emit('recording/status', current)
        return current
      },
      'recording/at': ({ time }) => {
        const recording = openedRecording()
        return { ...recording.tableAt(time), findings: recording.findingsAt(time) }
      },
      'recording/diff': ({ from, to }) => openedRecording().diff(from, to),
      'export/table': ({ source, time, format }) => {
        if (source === 'recording') {
          const recording = openedRecording()
          const table = recording.tableAt(time ?? recording.info().end ?? 0)
          return exported(`sockets-${fileStamp(table.takenAt)}`, format, exportTable(table, format))
        }
        const snapshot = context.sockets.current()
        return exported(`sockets-${fileStamp(snapshot.takenAt || Date.now())}`, format, exportTable(snapshot, format))
      },
      'export/diff': ({ from, to, format }) => {
        const diff = openedRecording().diff(from, to)
        return exported(`diff-${fileStamp(diff.from)}-to-${fileStamp(diff.to)}`, format, exportDiff(diff, format))
      }
    },
    async dispose() {
      disposed = true
      stopTicks()
      await work
      await session.dispose()
      opened = null
    }
  }
}
