/**
 * The capture domain: starting and stopping live captures, and looking at whatever capture is
 * shown (live or imported). The backend keeps every packet; this store only holds a small cache
 * of packet-list pages around what is on screen, plus the current details, conversations,
 * stream, throughput and per-process tables. It owns every transport call of the Capture view.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { CaptureDevice, CaptureStatistics } from '../../../shared/model/capture'
import {
  IMPORT_CHUNK_BYTES,
  MAX_DISPLAY_FILTER_LENGTH,
  type CaptureStatus,
  type CaptureTick,
  type CaptureViewState,
  type ConversationList,
  type ConversationRow,
  type PacketDetails,
  type PacketListPage,
  type PacketListRow,
  type ProcessBandwidth,
  type TransferProgress
} from '../../../shared/contract/capture'
import { captureFilterForProcess, captureFilterForSocket } from '../../../shared/capture-filter'
import { errorMessage } from '../../../shared/error-message'
import type { SocketEntry } from '../../../shared/model/socket'
import type { DecodedLayer, PacketSummary, ThroughputPoint } from '../../../shared/model/decoded-packet'
import { compilePacketFilter } from '../../../shared/query/packet-fields'
import { makeQueryError, type QueryError } from '../../../shared/query/query-error'
import { registerSocketRowActions } from '../row-actions'
import { saveBlob } from '../save-file'
import { backendClient, BackendRequestError } from '../transport'
import { useLayoutStore } from './layout'
import { useSocketsStore } from './sockets'

/** The capture form as the user fills it in. */
export interface CaptureFormValues {
  readonly interface: string
  readonly filter: string
  /** 0 keeps whole packets. */
  readonly snaplen: number
  readonly promiscuous: boolean
  readonly bufferMiB: number
  readonly stopAfterPackets: number | null
  readonly stopAfterKibibytes: number | null
  readonly stopAfterSeconds: number | null
}

/** A followed TCP stream, its bytes decoded from base64 once. */
export interface StreamView {
  readonly conversationId: string
  readonly clientLabel: string
  readonly serverLabel: string
  readonly clientBytes: number
  readonly serverBytes: number
  readonly chunks: ReadonlyArray<{ readonly fromClient: boolean; readonly bytes: Uint8Array }>
  readonly notes: readonly string[]
}

/** The selected packet, its bytes decoded. */
export interface PacketDetailsView {
  readonly index: number
  readonly summary: PacketSummary
  readonly layers: readonly DecodedLayer[]
  readonly bytes: Uint8Array
  readonly process: string | null
  readonly conversationId: string | null
}

/** What the status strip shows about the source. */
export interface SourceSummary {
  readonly state: 'running' | 'stopping' | 'ended' | 'importing' | 'imported' | 'error'
  readonly stateLabel: string
  readonly label: string
  readonly detail: string
  readonly packets: number
  readonly bytes: number
  readonly durationSeconds: number | null
  readonly notes: readonly string[]
}

/** An export or import under way. */
export interface TransferState {
  readonly kind: 'export' | 'import'
  readonly label: string
  readonly phase: string
  readonly done: number
  readonly total: number
}

/** The panels under the packet list; only the visible one is kept fresh. */
export type CapturePanel = 'details' | 'conversations' | 'processes' | 'throughput'

/** Rows per packet-list page fetched from the backend. */
export const PACKET_PAGE_SIZE = 100
/** Pages kept in the cache; far fewer rows than a large capture holds. */
const MAX_CACHED_PAGES = 40
/** Conversations shown at most, busiest first. */
const CONVERSATION_LIMIT = 2000
/** How often the visible side panel is refreshed while packets arrive. */
const PANEL_REFRESH_MS = 1000
/** Longest wait between a scroll and the page requests for where it went. */
const RANGE_PAUSE_MS = 30
/** Typing pause before a display filter is run over the capture. */
const FILTER_PAUSE_MS = 150

const DEFAULT_FORM: CaptureFormValues = {
  interface: '',
  filter: '',
  snaplen: 0,
  promiscuous: true,
  bufferMiB: 32,
  stopAfterPackets: null,
  stopAfterKibibytes: null,
  stopAfterSeconds: null
}

/** The capture domain. */
export const useCaptureStore = defineStore('capture', () => {
  // --- live capture ---
  const interfaces = shallowRef<readonly CaptureDevice[]>([])
  const interfacesError = ref<string | null>(null)
  const form = ref<CaptureFormValues>({ ...DEFAULT_FORM })
  const captureStatus = shallowRef<CaptureStatus | null>(null)
  const lastTick = shallowRef<CaptureTick | null>(null)
  /** libpcap's message for a refused capture filter. */
  const captureFilterError = ref<string | null>(null)
  /** Why the last start failed (permissions come with the OS-specific fix). */
  const startError = ref<string | null>(null)
  const starting = ref(false)
  const stopping = ref(false)

  // --- the shown capture ---
  const view = shallowRef<CaptureViewState | null>(null)
  const displayFilter = ref('')
  const displayFilterError = ref<QueryError | null>(null)
  const viewError = ref<string | null>(null)
  const selectedIndex = ref<number | null>(null)
  const details = shallowRef<PacketDetailsView | null>(null)
  const detailsError = ref<string | null>(null)
  const conversations = shallowRef<ConversationList>({ total: 0, conversations: [] })
  const selectedConversationId = ref<string | null>(null)
  const stream = shallowRef<StreamView | null>(null)
  const streamError = ref<string | null>(null)
  const throughput = shallowRef<readonly ThroughputPoint[]>([])
  const processes = shallowRef<readonly ProcessBandwidth[]>([])
  const activePanel = ref<CapturePanel>('details')
  const followTail = ref(true)
  const transfer = ref<TransferState | null>(null)
  const transferError = ref<string | null>(null)
  const lastExport = shallowRef<{ readonly fileName: string; readonly packets: number; readonly bytes: number } | null>(null)
  const connected = ref(true)

  // The page cache lives outside Vue's reactivity; `cacheVersion` tells the list to look again.
  const pages = new Map<number, PacketListRow[]>()
  const pagesInFlight = new Set<number>()
  const cacheVersion = ref(0)
  let cacheKey = ''
  let visibleRange: [number, number] = [0, 0]
  let started = false
  let panelRefreshAt = 0
  let panelRefreshTimer: ReturnType<typeof setTimeout> | null = null
  let throughputByTime = new Map<number, ThroughputPoint>()
  let filterSequence = 0
  let interfaceHint: 'loopback' | 'any' | null = null
  let rangeTimer: ReturnType<typeof setTimeout> | null = null

  const listCount = computed(() => view.value?.matched ?? 0)
  const running = computed(() => captureStatus.value?.state === 'running' || captureStatus.value?.state === 'starting')
  const captureBusy = computed(() => starting.value || running.value || captureStatus.value?.state === 'stopping')

  const stats = computed<CaptureStatistics | null>(() => {
    const source = view.value?.source
    if (source?.kind === 'live') return lastTick.value?.stats ?? source.stats ?? captureStatus.value?.stats ?? null
    return null
  })

  const sourceSummary = computed<SourceSummary | null>(() => {
    const source = view.value?.source
    if (!source) return null
    const duration = source.firstTimestamp !== null && source.lastTimestamp !== null ? source.lastTimestamp - source.firstTimestamp : null
    const stateLabels: Record<CaptureViewStateName, string> = { running: 'capturing', ended: 'stopped', importing: 'importing', imported: 'file' }
    const state: SourceSummary['state'] = source.error ? 'error' : stopping.value && source.state === 'running' ? 'stopping' : source.state
    return {
      state,
      stateLabel: source.error ? (source.kind === 'file' ? 'file (partly read)' : 'failed') : stopping.value && source.state === 'running' ? 'stopping' : stateLabels[source.state],
      label: source.kind === 'live' ? `live on ${source.label}` : source.label,
      detail: source.error ?? '',
      packets: source.packets,
      bytes: source.bytes,
      durationSeconds: duration,
      notes: source.error ? [source.error, ...source.notes] : source.notes
    }
  })

  const packetsPerSecond = computed(() => (running.value ? (lastTick.value?.packetsPerSecond ?? 0) : 0))
  const bytesPerSecond = computed(() => (running.value ? (lastTick.value?.bytesPerSecond ?? 0) : 0))

  /** Totals of the throughput series, for checks and the chart's caption. */
  const throughputTotals = computed(() => {
    let bytes = 0
    let packets = 0
    for (const point of throughput.value) {
      bytes += point.bytesIn + point.bytesOut
      packets += point.packetsIn + point.packetsOut
    }
    return { bytes, packets, seconds: throughput.value.length }
  })

  // --- state from the backend ---

  function applyViewState(next: CaptureViewState): void {
    const previous = view.value
    const key = `${next.source?.id ?? ''}\u0000${next.filter}`
    if (key !== cacheKey) {
      cacheKey = key
      clearPages()
      if (previous?.source?.id !== next.source?.id) resetForNewSource()
    } else if (previous && next.matched !== previous.matched) {
      dropPartialPages(next.matched)
    }
    view.value = next
    if (!next.filtering) void fetchRange(visibleRange[0], visibleRange[1])
    schedulePanelRefresh()
  }

  function resetForNewSource(): void {
    selectedIndex.value = null
    details.value = null
    stream.value = null
    selectedConversationId.value = null
    conversations.value = { total: 0, conversations: [] }
    processes.value = []
    throughput.value = []
    throughputByTime = new Map()
    followTail.value = true
  }

  function clearPages(): void {
    pages.clear()
    pagesInFlight.clear()
    cacheVersion.value++
  }

  /** A page fetched while the list was shorter must be read again once more rows exist. */
  function dropPartialPages(total: number): void {
    let dropped = false
    for (const [page, rows] of pages) {
      if (rows.length < PACKET_PAGE_SIZE && page * PACKET_PAGE_SIZE + rows.length < total) {
        pages.delete(page)
        dropped = true
      }
    }
    if (dropped) cacheVersion.value++
  }

  async function reloadView(): Promise<void> {
    try {
      applyViewState(await backendClient().request('capture/view-state', {}))
      viewError.value = null
    } catch (error) {
      viewError.value = errorMessage(error)
    }
  }

  async function reloadCaptureStatus(): Promise<void> {
    try {
      captureStatus.value = await backendClient().request('capture/status', {})
    } catch (error) {
      startError.value = errorMessage(error)
    }
  }

  /** Subscribes to capture events and reads the current state. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('capture/view-state', (state) => applyViewState(state))
    client.subscribe('capture/transfer-progress', (progress) => applyProgress(progress))
    client.subscribe('capture/tick', (tick) => {
      lastTick.value = tick
      if (tick.final) void reloadCaptureStatus()
    })
    client.subscribe('capture/status', (status) => {
      captureStatus.value = status
      if (status.state !== 'running' && status.state !== 'stopping') stopping.value = false
    })
    client.onConnectionChange((isConnected) => {
      connected.value = isConnected
      if (isConnected) void Promise.all([reloadView(), reloadCaptureStatus()])
    })
    await Promise.all([reloadView(), reloadCaptureStatus(), loadInterfaces()])
  }

  // --- live capture ---

  async function loadInterfaces(): Promise<void> {
    try {
      const list = await backendClient().request('capture/interfaces', {})
      interfaces.value = list.interfaces
      // Without the capture privilege nothing can start: say how to get it, up front.
      interfacesError.value = list.captureAllowed ? null : list.advice
      const names = list.interfaces.map((device) => device.name)
      if (interfaceHint !== null) applyInterfaceHint(interfaceHint)
      else if (!names.includes(form.value.interface)) form.value = { ...form.value, interface: names.includes('any') ? 'any' : (names[0] ?? '') }
    } catch (error) {
      interfacesError.value = errorMessage(error)
    }
  }

  function setForm(values: CaptureFormValues): void {
    if (values.filter !== form.value.filter) captureFilterError.value = null
    form.value = values
  }

  /** Starts a capture with the form's settings. A refused filter is shown inline and starts nothing. */
  async function startCapture(): Promise<void> {
    const values = form.value
    starting.value = true
    captureFilterError.value = null
    startError.value = null
    try {
      // libpcap checks the filter first, so a typo never starts (or stops) anything.
      const check = await backendClient().request('capture/check-filter', { interface: values.interface, filter: values.filter.trim() })
      if (!check.ok) {
        captureFilterError.value = check.message
        return
      }
      captureStatus.value = await backendClient().request('capture/start', {
        interface: values.interface,
        filter: values.filter.trim(),
        snaplen: Math.max(0, Math.round(values.snaplen)),
        promiscuous: values.promiscuous,
        bufferSize: Math.max(1, Math.round(values.bufferMiB)) * 1024 * 1024,
        limits: {
          maxPackets: values.stopAfterPackets === null ? null : Math.round(values.stopAfterPackets),
          maxBytes: values.stopAfterKibibytes === null ? null : Math.round(values.stopAfterKibibytes * 1024),
          maxDurationMs: values.stopAfterSeconds === null ? null : Math.round(values.stopAfterSeconds * 1000)
        }
      })
      lastTick.value = null
      displayFilterError.value = null
    } catch (error) {
      if (error instanceof BackendRequestError && error.failure.code === 'invalid-arguments' && /filter/i.test(error.failure.message)) {
        captureFilterError.value = error.failure.message
      } else {
        startError.value = errorMessage(error)
      }
    } finally {
      starting.value = false
    }
  }

  async function stopCapture(): Promise<void> {
    stopping.value = true
    try {
      captureStatus.value = await backendClient().request('capture/stop', {})
    } catch (error) {
      startError.value = errorMessage(error)
    } finally {
      stopping.value = false
    }
  }

  // --- packet list ---

  /** The row at a list position, or null while its page is on its way. */
  function rowAt(position: number): PacketListRow | null {
    const rows = pages.get(Math.floor(position / PACKET_PAGE_SIZE))
    return rows?.[position % PACKET_PAGE_SIZE] ?? null
  }

  /**
   * Called by the list with the positions on screen; fetches the pages that are missing. Calls
   * are coalesced, so dragging the scroll bar across a million rows asks only for where it stops
   * along the way, not for every page it passes.
   */
  function setVisibleRange(first: number, last: number): void {
    visibleRange = [first, last]
    if (rangeTimer !== null) return
    rangeTimer = setTimeout(() => {
      rangeTimer = null
      void fetchRange(visibleRange[0], visibleRange[1])
    }, RANGE_PAUSE_MS)
  }

  async function fetchRange(first: number, last: number): Promise<void> {
    const total = listCount.value
    if (total === 0 || last <= first) return
    const firstPage = Math.floor(first / PACKET_PAGE_SIZE)
    const lastPage = Math.floor((Math.min(last, total) - 1) / PACKET_PAGE_SIZE)
    const wanted: number[] = []
    for (let page = firstPage; page <= lastPage; page++) if (!pages.has(page) && !pagesInFlight.has(page)) wanted.push(page)
    await Promise.all(wanted.map((page) => fetchPage(page)))
  }

  async function fetchPage(page: number): Promise<void> {
    const key = cacheKey
    pagesInFlight.add(page)
    let result: PacketListPage
    try {
      result = await backendClient().request('capture/packet-page', { start: page * PACKET_PAGE_SIZE, count: PACKET_PAGE_SIZE })
    } catch (error) {
      viewError.value = errorMessage(error)
      return
    } finally {
      pagesInFlight.delete(page)
    }
    if (key !== cacheKey || `${result.sourceId ?? ''}\u0000${result.filter}` !== cacheKey) return
    pages.set(page, result.rows.map((row) => markRaw(row)))
    evictPages(page)
    cacheVersion.value++
  }

  /** Keeps the cache small: the pages farthest from the one just read go first. */
  function evictPages(near: number): void {
    if (pages.size <= MAX_CACHED_PAGES) return
    const byDistance = [...pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near))
    for (const page of byDistance.slice(0, pages.size - MAX_CACHED_PAGES)) pages.delete(page)
  }

  /** Pages in the cache, for checks that the store never holds the whole capture. */
  function cachedRowCount(): number {
    let count = 0
    for (const rows of pages.values()) count += rows.length
    return count
  }

  /**
   * Sets the display filter as the user types. The text is checked here first, so a half-typed
   * filter shows its error at once and the list keeps the last good one; a good filter goes to
   * the backend after a short pause, because every change starts a scan of the whole capture.
   */
  async function setDisplayFilter(text: string): Promise<void> {
    displayFilter.value = text
    if (text.length > MAX_DISPLAY_FILTER_LENGTH) {
      displayFilterError.value = makeQueryError(`the filter is longer than ${MAX_DISPLAY_FILTER_LENGTH} characters`, MAX_DISPLAY_FILTER_LENGTH, text.length)
      return
    }
    const compiled = compilePacketFilter(text)
    if (!compiled.ok) {
      displayFilterError.value = compiled.error
      return
    }
    displayFilterError.value = null
    const sequence = ++filterSequence
    await new Promise((resolve) => setTimeout(resolve, FILTER_PAUSE_MS))
    if (sequence !== filterSequence) return
    try {
      const result = await backendClient().request('capture/set-display-filter', { filter: text })
      if (sequence !== filterSequence) return
      displayFilterError.value = result.error
      // A filter that went through ends whatever failure the previous one left on screen.
      viewError.value = null
    } catch (error) {
      viewError.value = errorMessage(error)
    }
  }

  function setFollowTail(follow: boolean): void {
    followTail.value = follow
  }

  // --- details ---

  async function selectPacket(index: number | null): Promise<void> {
    selectedIndex.value = index
    if (index === null) {
      details.value = null
      return
    }
    if (activePanel.value !== 'details') activePanel.value = 'details'
    try {
      const result: PacketDetails = await backendClient().request('capture/packet-details', { index })
      if (selectedIndex.value !== index) return
      details.value = markRaw({
        index: result.index,
        summary: result.summary,
        layers: result.layers,
        bytes: base64ToBytes(result.data),
        process: result.process,
        conversationId: result.conversationId
      })
      detailsError.value = null
    } catch (error) {
      detailsError.value = errorMessage(error)
    }
  }

  let positionSequence = 0

  /**
   * Selects the row at a list position. Home, End and Page keys can land on a row whose page was
   * never on screen, so that page is read first; a newer key press wins over a slower read.
   */
  async function selectPosition(position: number): Promise<void> {
    const sequence = ++positionSequence
    let row = rowAt(position)
    if (!row) {
      await fetchPage(Math.floor(position / PACKET_PAGE_SIZE))
      row = rowAt(position)
    }
    if (row && sequence === positionSequence) await selectPacket(row.index)
  }

  // --- side panels ---

  function showPanel(panel: CapturePanel): void {
    activePanel.value = panel
    void refreshPanel()
  }

  function schedulePanelRefresh(): void {
    if (panelRefreshTimer !== null) return
    const wait = Math.max(0, panelRefreshAt + PANEL_REFRESH_MS - Date.now())
    panelRefreshTimer = setTimeout(() => {
      panelRefreshTimer = null
      panelRefreshAt = Date.now()
      void refreshPanel()
    }, wait)
  }

  async function refreshPanel(): Promise<void> {
    try {
      switch (activePanel.value) {
        case 'conversations':
          await loadConversations()
          break
        case 'processes':
          processes.value = await backendClient().request('capture/process-bandwidth', {})
          break
        case 'throughput':
          await loadThroughput()
          break
        case 'details':
          break
      }
    } catch (error) {
      viewError.value = errorMessage(error)
    }
  }

  async function loadConversations(): Promise<void> {
    conversations.value = await backendClient().request('capture/conversations', { limit: CONVERSATION_LIMIT })
  }

  /** Fetches the seconds from the last one known (which may still have been filling up) on. */
  async function loadThroughput(): Promise<void> {
    let from = 0
    for (const time of throughputByTime.keys()) from = Math.max(from, time)
    const points = await backendClient().request('capture/throughput', { fromTime: from })
    if (points.length === 0) return
    // The reply replaces everything from `from` on: a long series comes back with merged buckets,
    // and a finer reply must not leave a merged point that covers the same seconds.
    for (const time of [...throughputByTime.keys()]) if (time >= from) throughputByTime.delete(time)
    for (const point of points) throughputByTime.set(point.time, point)
    throughput.value = [...throughputByTime.values()].sort((a, b) => a.time - b.time)
  }

  function selectConversation(id: string | null): void {
    selectedConversationId.value = id
  }

  async function followConversation(id: string): Promise<void> {
    selectedConversationId.value = id
    streamError.value = null
    try {
      const result = await backendClient().request('capture/follow-stream', { conversationId: id })
      stream.value = markRaw({
        conversationId: result.conversationId,
        clientLabel: result.client,
        serverLabel: result.server,
        clientBytes: result.clientBytes,
        serverBytes: result.serverBytes,
        chunks: result.chunks.map((chunk) => ({ fromClient: chunk.fromClient, bytes: base64ToBytes(chunk.data) })),
        notes: result.notes
      })
    } catch (error) {
      streamError.value = errorMessage(error)
    }
  }

  function closeStream(): void {
    stream.value = null
  }

  /** Narrows the packet list to one conversation. */
  async function filterConversation(id: string): Promise<void> {
    const row = conversations.value.conversations.find((conversation) => conversation.id === id)
    if (!row) return
    const query = conversationQuery(row)
    if (query) await setDisplayFilter(query)
  }

  // --- export ---

  function applyProgress(progress: TransferProgress): void {
    const current = transfer.value
    if (!current || progress.phase !== 'writing' || current.kind !== 'export') return
    transfer.value = { ...current, phase: 'writing', done: progress.done, total: progress.total }
  }

  /** Writes the chosen packets in the backend, fetches the file in chunks and hands it to the browser. */
  async function exportPackets(format: 'pcapng' | 'pcap', scope: 'all' | 'filtered' | 'conversation', conversationId?: string): Promise<void> {
    if (transfer.value) return
    transferError.value = null
    transfer.value = { kind: 'export', label: `Exporting ${format}`, phase: 'writing', done: 0, total: 0 }
    const client = backendClient()
    let exportId: string | null = null
    try {
      const ticket = await client.request('capture/export-begin', scope === 'conversation' ? { format, scope, conversationId } : { format, scope })
      exportId = ticket.exportId
      const parts: Uint8Array[] = []
      let offset = 0
      transfer.value = { kind: 'export', label: ticket.fileName, phase: 'downloading', done: 0, total: ticket.totalBytes }
      for (;;) {
        const chunk = await client.request('capture/export-chunk', { exportId, offset })
        const bytes = base64ToBytes(chunk.data)
        parts.push(bytes)
        offset += bytes.length
        transfer.value = { kind: 'export', label: ticket.fileName, phase: 'downloading', done: offset, total: ticket.totalBytes }
        if (chunk.done || bytes.length === 0) break
      }
      saveBlob(new Blob(parts as BlobPart[], { type: 'application/vnd.tcpdump.pcap' }), ticket.fileName)
      lastExport.value = { fileName: ticket.fileName, packets: ticket.packets, bytes: offset }
    } catch (error) {
      transferError.value = errorMessage(error)
    } finally {
      if (exportId !== null) void client.request('capture/export-end', { exportId }).catch(() => undefined)
      transfer.value = null
    }
  }

  // --- import ---

  /** Streams a user-picked file to the backend in chunks; the capture view then shows it. */
  async function importFile(file: File): Promise<void> {
    if (transfer.value) return
    transferError.value = null
    const client = backendClient()
    transfer.value = { kind: 'import', label: file.name, phase: 'uploading', done: 0, total: file.size }
    try {
      const begun = await client.request('capture/import-begin', { fileName: file.name.slice(0, 255) || 'capture', size: file.size })
      let offset = 0
      let progress = begun
      while (offset < file.size && progress.error === null) {
        const slice = new Uint8Array(await file.slice(offset, offset + IMPORT_CHUNK_BYTES).arrayBuffer())
        progress = await client.request('capture/import-chunk', { importId: begun.importId, offset, data: bytesToBase64(slice) })
        offset += slice.length
        transfer.value = { kind: 'import', label: file.name, phase: 'uploading', done: offset, total: file.size }
      }
      const final = await client.request('capture/import-end', { importId: begun.importId })
      if (final.error) transferError.value = final.error
    } catch (error) {
      transferError.value = errorMessage(error)
    } finally {
      transfer.value = null
    }
  }

  async function clearView(): Promise<void> {
    try {
      applyViewState(await backendClient().request('capture/clear-view', {}))
    } catch (error) {
      viewError.value = errorMessage(error)
    }
  }

  // --- "capture this" ---

  /**
   * Fills the capture form's filter for one socket, or for every port of its process, picks an
   * interface that sees the traffic (lo for loopback-only sockets) and shows the Capture view.
   */
  function prepareCaptureFor(socket: SocketEntry, wholeProcess: boolean): void {
    const allSockets = [...useSocketsStore().rowsById.values()].map((row) => row.socket)
    const covered = wholeProcess && socket.pid !== null ? allSockets.filter((each) => each.pid === socket.pid) : [socket]
    const filter = (wholeProcess && socket.pid !== null ? captureFilterForProcess(allSockets, socket.pid) : captureFilterForSocket(socket)) ?? ''
    const loopbackOnly = covered.every((each) => isLoopback(each.localAddress) && (isLoopback(each.remoteAddress) || isUnspecified(each.remoteAddress)))
    setForm({ ...form.value, filter })
    if (interfaces.value.length > 0) applyInterfaceHint(loopbackOnly ? 'loopback' : 'any')
    // The list is not loaded until the Capture view first opens; choose then.
    else interfaceHint = loopbackOnly ? 'loopback' : 'any'
    useLayoutStore().show('capture')
  }

  /** Picks the loopback interface (lo, lo0) or the `any` pseudo-interface when the system has it. */
  function applyInterfaceHint(hint: 'loopback' | 'any'): void {
    interfaceHint = null
    const devices = interfaces.value
    const chosen = hint === 'loopback' ? devices.find((device) => device.loopback) : devices.find((device) => device.name === 'any')
    if (chosen) form.value = { ...form.value, interface: chosen.name }
  }

  return {
    interfaces,
    interfacesError,
    form,
    captureStatus,
    lastTick,
    captureFilterError,
    startError,
    starting,
    stopping,
    running,
    captureBusy,
    view,
    displayFilter,
    displayFilterError,
    viewError,
    listCount,
    cacheVersion,
    selectedIndex,
    details,
    detailsError,
    conversations,
    selectedConversationId,
    stream,
    streamError,
    throughput,
    throughputTotals,
    processes,
    activePanel,
    followTail,
    transfer,
    transferError,
    lastExport,
    connected,
    stats,
    sourceSummary,
    packetsPerSecond,
    bytesPerSecond,
    start,
    loadInterfaces,
    setForm,
    startCapture,
    stopCapture,
    rowAt,
    setVisibleRange,
    cachedRowCount,
    setDisplayFilter,
    setFollowTail,
    selectPacket,
    selectPosition,
    showPanel,
    selectConversation,
    followConversation,
    closeStream,
    filterConversation,
    exportPackets,
    importFile,
    clearView,
    prepareCaptureFor
  }
})

type CaptureViewStateName = NonNullable<CaptureViewState['source']>['state']

/** The display filter that shows one conversation. */
export function conversationQuery(row: ConversationRow): string | null {
  const addressA = hostOf(row.endpointA)
  const addressB = hostOf(row.endpointB)
  const terms = ['tcp', 'udp', 'icmp', 'icmpv6'].includes(row.transport) ? [`proto:${row.transport}`] : []
  if (addressA !== null && addressB !== null && addressA === addressB) terms.push(`addr:${addressA}`)
  else {
    if (addressA !== null) terms.push(`addr:${addressA}`)
    if (addressB !== null) terms.push(`addr:${addressB}`)
  }
  if (row.portA !== null) terms.push(`port:${row.portA}`)
  if (row.portB !== null) terms.push(`port:${row.portB}`)
  return terms.join(' ')
}

function hostOf(endpoint: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint)
  if (bracketed) return bracketed[1]!
  const withPort = /^([^:]+):\d+$/.exec(endpoint)
  if (withPort) return withPort[1]!
  return endpoint === '' ? null : endpoint
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.')
}

function isUnspecified(address: string): boolean {
  return address === '*' || address === '0.0.0.0' || address === '::' || address === ''
}

/** Decodes base64 into bytes without Node's Buffer, which the renderer does not have. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}

/** Encodes bytes as base64 in slices, so a large chunk does not overflow the argument limit. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  const SLICE = 0x8000
  for (let start = 0; start < bytes.length; start += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(start, start + SLICE))
  }
  return btoa(binary)
}

// Offer "capture this" on socket rows; the actions reach the store only when run.
registerSocketRowActions([
  {
    id: 'capture-socket',
    label: 'Capture this',
    appliesTo: (socket) => socket.family !== null && (socket.protocol === 'tcp' || socket.protocol === 'udp'),
    run: (socket) => useCaptureStore().prepareCaptureFor(socket, false)
  },
  {
    id: 'capture-process',
    label: 'Capture this process',
    appliesTo: (socket) => socket.family !== null && socket.pid !== null,
    run: (socket) => useCaptureStore().prepareCaptureFor(socket, true)
  }
])
