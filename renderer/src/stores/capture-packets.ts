/**
 * The shown capture (live or imported): its state as the backend pushes it, the packet list read
 * in pages around what is on screen, the display filter, and the selected packet's details. The
 * backend keeps every packet; this store holds only a small page cache (see PacketPageCache).
 */
import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { CaptureStatistics } from '../../../shared/model/capture'
import { MAX_DISPLAY_FILTER_LENGTH } from '../../../shared/contract/capture'
import type { CaptureViewState, PacketDetails, PacketListPage, PacketListRow } from '../../../shared/model/capture-view'
import { errorMessage } from '../../../shared/error-message'
import type { DecodedLayer, PacketSummary } from '../../../shared/model/decoded-packet'
import { compilePacketFilter } from '../../../shared/query/packet-fields'
import { makeQueryError, type QueryError } from '../../../shared/query/query-error'
import { base64ToBytes } from '../base64'
import { PacketPageCache } from '../packet-page-cache'
import { backendClient } from '../transport'
import { useCaptureStore } from './capture'

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

/** Rows per packet-list page fetched from the backend. */
export const PACKET_PAGE_SIZE = 100
/** Pages kept in the cache; far fewer rows than a large capture holds. */
export const MAX_CACHED_PAGES = 40
/** Longest wait between a scroll and the page requests for where it went. */
const RANGE_PAUSE_MS = 30
/** Typing pause before a display filter is run over the capture. */
export const FILTER_PAUSE_MS = 150

type SourceState = NonNullable<CaptureViewState['source']>['state']
const STATE_LABELS: Record<SourceState, string> = { running: 'capturing', ended: 'stopped', importing: 'importing', imported: 'file' }

/** Which rows a page answer belongs to: the source and the filter it was read under. */
function listKey(sourceId: string | null | undefined, filter: string): string {
  return `${sourceId ?? ''}\u0000${filter}`
}

/** The shown capture and its packet list. */
export const useCapturePacketsStore = defineStore('capture-packets', () => {
  const live = useCaptureStore()
  const view = shallowRef<CaptureViewState | null>(null)
  const displayFilter = ref('')
  const displayFilterError = ref<QueryError | null>(null)
  const viewError = ref<string | null>(null)
  const selectedIndex = ref<number | null>(null)
  const details = shallowRef<PacketDetailsView | null>(null)
  const detailsError = ref<string | null>(null)
  const followTail = ref(true)

  const cache = new PacketPageCache(PACKET_PAGE_SIZE, MAX_CACHED_PAGES)
  /** Bumped whenever the cache changes, so the list looks again. */
  const cacheVersion = ref(0)
  let cacheKey = ''
  let visibleRange: [number, number] = [0, 0]
  let rangeTimer: ReturnType<typeof setTimeout> | null = null
  let filterSequence = 0
  /** True from a keystroke in the filter box until the backend answered it: the typed text wins meanwhile. */
  let filterEditing = false
  let positionSequence = 0
  let started = false

  const listCount = computed(() => view.value?.matched ?? 0)

  // "Capture this process" may ask for a display filter before this list was ever shown.
  watch(
    () => live.suggestedDisplayFilter,
    (text) => {
      if (text === null) return
      live.suggestedDisplayFilter = null
      void setDisplayFilter(text)
    },
    { immediate: true, flush: 'sync' }
  )

  onScopeDispose(() => {
    if (rangeTimer !== null) clearTimeout(rangeTimer)
  })

  /** The live capture's library counters, while the shown capture is a live one. */
  const stats = computed<CaptureStatistics | null>(() => {
    const source = view.value?.source
    if (source?.kind === 'live') return live.lastTick?.stats ?? source.stats ?? live.captureStatus?.stats ?? null
    return null
  })

  const sourceSummary = computed<SourceSummary | null>(() => {
    const source = view.value?.source
    if (!source) return null
    const duration = source.firstTimestamp !== null && source.lastTimestamp !== null ? source.lastTimestamp - source.firstTimestamp : null
    const stopping = live.stopping && source.state === 'running'
    return {
      state: source.error ? 'error' : stopping ? 'stopping' : source.state,
      stateLabel: source.error ? (source.kind === 'file' ? 'file (partly read)' : 'failed') : stopping ? 'stopping' : STATE_LABELS[source.state],
      label: source.kind === 'live' ? `live on ${source.label}` : source.label,
      detail: source.error ?? '',
      packets: source.packets,
      bytes: source.bytes,
      durationSeconds: duration,
      notes: source.error ? [source.error, ...source.notes] : source.notes
    }
  })

  function applyViewState(next: CaptureViewState): void {
    const previous = view.value
    const key = listKey(next.source?.id, next.filter)
    if (key !== cacheKey) {
      cacheKey = key
      cache.clear()
      cacheVersion.value++
      if (previous?.source?.id !== next.source?.id) {
        selectedIndex.value = null
        details.value = null
        followTail.value = true
      }
    } else if (previous && next.matched !== previous.matched && cache.dropPartial(next.matched)) {
      cacheVersion.value++
    }
    view.value = next
    // The box shows the filter the backend applies (after a reload, or one another page set),
    // unless the user is typing one or has one on screen that does not compile yet.
    if (!filterEditing && displayFilterError.value === null && displayFilter.value !== next.filter) displayFilter.value = next.filter
    if (!next.filtering) void fetchRange(visibleRange[0], visibleRange[1])
  }

  async function reloadView(): Promise<void> {
    try {
      applyViewState(await backendClient().request('capture/view-state', {}))
      viewError.value = null
    } catch (error) {
      viewError.value = errorMessage(error)
    }
  }

  /** Follows the shown capture and reads its state. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('capture/view-state', (state) => applyViewState(state))
    client.onConnectionChange((connected) => {
      if (connected) void reloadView()
    })
    await reloadView()
  }

  /** The row at a list position, or null while its page is on its way. */
  function rowAt(position: number): PacketListRow | null {
    return cache.rowAt(position)
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
    await Promise.all(cache.missing(first, last, listCount.value).map((page) => fetchPage(page)))
  }

  async function fetchPage(page: number): Promise<void> {
    const key = cacheKey
    cache.request(page)
    let result: PacketListPage
    try {
      result = await backendClient().request('capture/packet-page', { start: page * PACKET_PAGE_SIZE, count: PACKET_PAGE_SIZE })
    } catch (error) {
      viewError.value = errorMessage(error)
      return
    } finally {
      cache.settle(page)
    }
    // A page read under another source or filter belongs to a list no longer shown.
    if (key !== cacheKey || listKey(result.sourceId, result.filter) !== cacheKey) return
    cache.store(
      page,
      result.rows.map((row) => markRaw(row))
    )
    cacheVersion.value++
  }

  /** Rows in the cache, for checks that the store never holds the whole capture. */
  function cachedRowCount(): number {
    return cache.rowCount
  }

  /**
   * Sets the display filter as the user types. The text is checked here first, so a half-typed
   * filter shows its error at once and the list keeps the last good one; a good filter goes to
   * the backend after a short pause, because every change starts a scan of the whole capture.
   */
  async function setDisplayFilter(text: string): Promise<void> {
    displayFilter.value = text
    filterEditing = true
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
    } finally {
      if (sequence === filterSequence) filterEditing = false
    }
  }

  function setFollowTail(follow: boolean): void {
    followTail.value = follow
  }

  /** Selects a packet by its index in the capture and reads its details; null clears the selection. */
  async function selectPacket(index: number | null): Promise<void> {
    selectedIndex.value = index
    if (index === null) {
      details.value = null
      return
    }
    try {
      const result: PacketDetails = await backendClient().request('capture/packet-details', { index })
      // A later selection wins over a slower answer.
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

  /**
   * Selects the row at a list position. Home, End and Page keys can land on a row whose page was
   * never on screen, so that page is read first; a newer key press wins over a slower read.
   */
  async function selectPosition(position: number): Promise<void> {
    const sequence = ++positionSequence
    let row = rowAt(position)
    if (!row) {
      await fetchPage(cache.pageOf(position))
      row = rowAt(position)
    }
    if (row && sequence === positionSequence) await selectPacket(row.index)
  }

  /** Closes the shown capture and frees its storage in the backend. */
  async function clearView(): Promise<void> {
    try {
      applyViewState(await backendClient().request('capture/clear-view', {}))
    } catch (error) {
      viewError.value = errorMessage(error)
    }
  }

  return {
    view,
    displayFilter,
    displayFilterError,
    viewError,
    listCount,
    cacheVersion,
    selectedIndex,
    details,
    detailsError,
    followTail,
    stats,
    sourceSummary,
    start,
    rowAt,
    setVisibleRange,
    cachedRowCount,
    setDisplayFilter,
    setFollowTail,
    selectPacket,
    selectPosition,
    clearView
  }
})
