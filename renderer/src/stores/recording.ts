/**
 * Recordings: start and stop writing one, list and open them, scrub an opened one through time
 * (the table as it was), compare two moments, and export a table or a diff.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { ExportedFile, ExportFormat, RecordingFile, RecordingInfo, RecordingMoment, RecordingStatus, TableDiff } from '../../../shared/model/recording'
import { saveBlob } from '../save-file'
import { backendClient } from '../transport'
import { useHistoryStore } from './history'
import { errorMessage } from '../../../shared/error-message'

/** Offers an export the backend made as a download. */
function saveExport(file: ExportedFile): void {
  saveBlob(new Blob([file.text], { type: file.mimeType }), file.fileName)
}

/** The session-storage key of where this tab was in an opened recording, so a reload comes back there. */
export const RECORDING_PLACE_KEY = 'sockscope.recording-place'

/** Where the tab was in an opened recording: the moment shown and the two ends of the comparison. */
interface RecordingPlace {
  readonly path: string
  readonly scrubTime: number | null
  readonly diffFrom: number | null
  readonly diffTo: number | null
}

function readPlace(): RecordingPlace | null {
  try {
    const text = sessionStorage.getItem(RECORDING_PLACE_KEY)
    const place = text === null ? null : (JSON.parse(text) as Partial<RecordingPlace>)
    if (!place || typeof place.path !== 'string') return null
    const time = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)
    return { path: place.path, scrubTime: time(place.scrubTime), diffFrom: time(place.diffFrom), diffTo: time(place.diffTo) }
  } catch {
    return null
  }
}

function writePlace(place: RecordingPlace | null): void {
  try {
    if (place === null) sessionStorage.removeItem(RECORDING_PLACE_KEY)
    else sessionStorage.setItem(RECORDING_PLACE_KEY, JSON.stringify(place))
  } catch {
    // Storage turned off: a reload then starts at the recording's beginning.
  }
}

/** `time` inside the recording's span, or its start when it is not a time of it. */
function timeWithin(info: RecordingInfo, time: number | null): number | null {
  if (info.start === null || info.end === null) return null
  return time === null ? info.start : Math.min(Math.max(time, info.start), info.end)
}

/** Recording, time travel and export. */
export const useRecordingStore = defineStore('recording', () => {
  const status = ref<RecordingStatus | null>(null)
  const files = ref<readonly RecordingFile[]>([])
  const opened = computed<RecordingInfo | null>(() => status.value?.opened ?? null)
  const scrubTime = ref<number | null>(null)
  const moment = shallowRef<RecordingMoment | null>(null)
  const diffFrom = ref<number | null>(null)
  const diffTo = ref<number | null>(null)
  const diff = shallowRef<TableDiff | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)
  /** The last export, kept so tests and the UI can see what was saved. */
  const lastExport = shallowRef<ExportedFile | null>(null)
  let started = false
  let scrubRequest = 0

  // Remembered per tab, so a reload shows the same moment of the same recording.
  watch([opened, scrubTime, diffFrom, diffTo], () => {
    const info = opened.value
    if (info === null || moment.value === null) return
    writePlace({ path: info.path, scrubTime: scrubTime.value, diffFrom: diffFrom.value, diffTo: diffTo.value })
  })

  async function run<T>(task: () => Promise<T>): Promise<T | null> {
    busy.value = true
    try {
      const value = await task()
      error.value = null
      return value
    } catch (failure) {
      error.value = errorMessage(failure)
      return null
    } finally {
      busy.value = false
    }
  }

  async function refreshFiles(): Promise<void> {
    const list = await run(() => backendClient().request('recording/list', {}))
    if (list) files.value = list
  }

  /** Follows recording status; safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('recording/status', (next) => (status.value = next))
    client.onConnectionChange((connected) => {
      if (connected) void reload()
    })
    await reload()
  }

  async function reload(): Promise<void> {
    const next = await run(() => backendClient().request('recording/status', {}))
    if (next) {
      status.value = next
      await followOpened(next.opened)
    }
    await refreshFiles()
  }

  /**
   * Brings this page in line with the recording the backend has open: a page that reloads (or
   * reconnects) while one is open comes back at the moment it showed, and one closed elsewhere
   * takes the page back to live.
   */
  async function followOpened(info: RecordingInfo | null): Promise<void> {
    if (info === null) {
      if (moment.value !== null || scrubTime.value !== null) forgetOpened()
      return
    }
    if (moment.value !== null) return
    const place = readPlace()
    const same = place?.path === info.path
    diffFrom.value = same ? timeWithin(info, place.diffFrom) : info.start
    diffTo.value = same ? timeWithin(info, place.diffTo) : info.end
    useHistoryStore().setSource('recording')
    const time = timeWithin(info, same ? place.scrubTime : null)
    if (time !== null) await scrubTo(time)
  }

  /** Drops what this page showed of a recording and goes back to live data. */
  function forgetOpened(): void {
    moment.value = null
    diff.value = null
    scrubTime.value = null
    diffFrom.value = null
    diffTo.value = null
    writePlace(null)
    useHistoryStore().setSource('live')
  }

  async function startRecording(name?: string): Promise<void> {
    const next = await run(() => backendClient().request('recording/start', name ? { name } : {}))
    if (next) status.value = next
  }

  async function stopRecording(): Promise<void> {
    const next = await run(() => backendClient().request('recording/stop', {}))
    if (next) status.value = next
    await refreshFiles()
  }

  /** Opens a recording, shows the charts from it and the table at its start. */
  async function open(name: string): Promise<void> {
    const info = await run(() => backendClient().request('recording/open', { name }))
    if (!info) return
    const current = status.value ?? (await run(() => backendClient().request('recording/status', {})))
    if (current) status.value = { ...current, opened: info }
    diff.value = null
    diffFrom.value = info.start
    diffTo.value = info.end
    useHistoryStore().setSource('recording')
    if (info.start !== null) await scrubTo(info.start)
  }

  async function close(): Promise<void> {
    const next = await run(() => backendClient().request('recording/close', {}))
    if (next) status.value = next
    forgetOpened()
  }

  /** Shows the table as it was at `time`; only the newest of overlapping requests is kept. */
  async function scrubTo(time: number): Promise<void> {
    scrubTime.value = time
    const request = ++scrubRequest
    const answer = await run(() => backendClient().request('recording/at', { time }))
    if (answer && request === scrubRequest) moment.value = answer
  }

  /**
   * Marks the current scrub time as one end of the comparison. The ends are kept in time order,
   * the order the backend compares them in, so "opened" and "closed" read the way the label does.
   */
  function markDiffPoint(end: 'from' | 'to'): void {
    if (scrubTime.value === null) return
    if (end === 'from') diffFrom.value = scrubTime.value
    else diffTo.value = scrubTime.value
    if (diffFrom.value !== null && diffTo.value !== null && diffFrom.value > diffTo.value) {
      const later = diffFrom.value
      diffFrom.value = diffTo.value
      diffTo.value = later
    }
  }

  async function compare(): Promise<void> {
    if (diffFrom.value === null || diffTo.value === null) return
    const from = diffFrom.value
    const to = diffTo.value
    const answer = await run(() => backendClient().request('recording/diff', { from, to }))
    if (answer) diff.value = answer
  }

  async function exportTable(format: ExportFormat): Promise<void> {
    const recordingOpen = opened.value !== null
    const time = scrubTime.value ?? undefined
    const file = await run(() =>
      backendClient().request('recording/export-table', recordingOpen ? { source: 'recording', format, ...(time !== undefined ? { time } : {}) } : { format })
    )
    if (file) {
      lastExport.value = file
      saveExport(file)
    }
  }

  async function exportDiff(format: ExportFormat): Promise<void> {
    if (diffFrom.value === null || diffTo.value === null) return
    const from = diffFrom.value
    const to = diffTo.value
    const file = await run(() => backendClient().request('recording/export-diff', { from, to, format }))
    if (file) {
      lastExport.value = file
      saveExport(file)
    }
  }

  return {
    status,
    files,
    opened,
    scrubTime,
    moment,
    diffFrom,
    diffTo,
    diff,
    error,
    busy,
    lastExport,
    start,
    reload,
    refreshFiles,
    startRecording,
    stopRecording,
    open,
    close,
    scrubTo,
    markDiffPoint,
    compare,
    exportTable,
    exportDiff
  }
})
