/**
 * Recordings: start and stop writing one, list and open them, scrub an opened one through time
 * (the table as it was), compare two moments, and export a table or a diff.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ExportedFile, ExportFormat, RecordingFile, RecordingInfo, RecordingMoment, RecordingStatus, TableDiff } from '../../../shared/model/recording'
import { saveBlob } from '../save-file'
import { backendClient } from '../transport'
import { useHistoryStore } from './history'
import { errorMessage } from '../../../shared/error-message'

/** Offers an export the backend made as a download. */
function saveExport(file: ExportedFile): void {
  saveBlob(new Blob([file.text], { type: file.mimeType }), file.fileName)
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
    if (next) status.value = next
    await refreshFiles()
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
    moment.value = null
    diff.value = null
    scrubTime.value = null
    useHistoryStore().setSource('live')
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
