/**
 * The panels under the packet list: conversations (with the followed TCP stream), per-process
 * bandwidth and throughput. Only the visible one is read, once when it is shown and then at most
 * once a second while the shown capture changes; a new capture starts them empty.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { ConversationList, ConversationRow, ProcessBandwidth } from '../../../shared/model/capture-view'
import { errorMessage } from '../../../shared/error-message'
import type { ThroughputPoint } from '../../../shared/model/decoded-packet'
import { conversationTableCsv, conversationTableJson } from '../../../shared/format/conversation-table-text'
import { base64ToBytes } from '../base64'
import { saveBlob } from '../save-file'
import { backendClient } from '../transport'
import { useCapturePacketsStore } from './capture-packets'

/** The panels under the packet list. */
export type CapturePanel = 'details' | 'conversations' | 'processes' | 'throughput'

/** A followed TCP stream, its bytes decoded from base64 once. */
export interface StreamView {
  readonly conversationId: string
  readonly clientLabel: string
  readonly serverLabel: string
  readonly clientBytes: number
  readonly serverBytes: number
  readonly chunks: ReadonlyArray<{ readonly fromClient: boolean; readonly bytes: Uint8Array; readonly retransmitted: boolean }>
  readonly notes: readonly string[]
}

/** Conversations shown at most, busiest first. */
export const CONVERSATION_LIMIT = 2000
/** How often the visible panel is read again while the shown capture changes. */
export const PANEL_REFRESH_MS = 1000

const NO_CONVERSATIONS: ConversationList = { total: 0, conversations: [] }

/** The panels under the packet list. */
export const useCapturePanelsStore = defineStore('capture-panels', () => {
  const packets = useCapturePacketsStore()
  const activePanel = ref<CapturePanel>('details')
  const conversations = shallowRef<ConversationList>(NO_CONVERSATIONS)
  const selectedConversationId = ref<string | null>(null)
  const stream = shallowRef<StreamView | null>(null)
  const streamError = ref<string | null>(null)
  const throughput = shallowRef<readonly ThroughputPoint[]>([])
  const processes = shallowRef<readonly ProcessBandwidth[]>([])
  /** Why the visible panel could not be read. */
  const panelError = ref<string | null>(null)

  let throughputByTime = new Map<number, ThroughputPoint>()
  let refreshedAt = 0
  let refreshTimer: ReturnType<typeof setTimeout> | null = null

  /** Totals of the throughput series, for checks and the chart's caption. */
  const throughputTotals = computed(() => {
    let bytes = 0
    let count = 0
    for (const point of throughput.value) {
      bytes += point.bytesIn + point.bytesOut
      count += point.packetsIn + point.packetsOut
    }
    return { bytes, packets: count, seconds: throughput.value.length }
  })

  // Every state the backend pushes may change what the panels show; another source empties them.
  watch(
    () => packets.view,
    (next, previous) => {
      if (next?.source?.id !== previous?.source?.id) clear()
      scheduleRefresh()
    }
  )

  onScopeDispose(() => {
    if (refreshTimer !== null) clearTimeout(refreshTimer)
  })

  function clear(): void {
    conversations.value = NO_CONVERSATIONS
    selectedConversationId.value = null
    stream.value = null
    processes.value = []
    throughput.value = []
    throughputByTime = new Map()
  }

  function showPanel(panel: CapturePanel): void {
    activePanel.value = panel
    void refreshPanel()
  }

  function scheduleRefresh(): void {
    if (refreshTimer !== null) return
    const wait = Math.max(0, refreshedAt + PANEL_REFRESH_MS - Date.now())
    refreshTimer = setTimeout(() => {
      refreshTimer = null
      refreshedAt = Date.now()
      void refreshPanel()
    }, wait)
  }

  async function refreshPanel(): Promise<void> {
    try {
      switch (activePanel.value) {
        case 'conversations':
          conversations.value = await backendClient().request('capture/conversations', { limit: CONVERSATION_LIMIT })
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
      panelError.value = null
    } catch (error) {
      panelError.value = errorMessage(error)
    }
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

  /** Reads a conversation's TCP stream, both directions in order. */
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
        chunks: result.chunks.map((chunk) => ({ fromClient: chunk.fromClient, bytes: base64ToBytes(chunk.data), retransmitted: chunk.retransmitted })),
        notes: result.notes
      })
    } catch (error) {
      streamError.value = errorMessage(error)
    }
  }

  function closeStream(): void {
    stream.value = null
  }

  /** Narrows the packet list to one of the listed conversations. */
  async function filterConversation(id: string): Promise<void> {
    const row = conversations.value.conversations.find((conversation) => conversation.id === id)
    const query = row ? conversationQuery(row) : ''
    // A conversation with nothing to filter on would show everything: leave the filter alone.
    if (query !== '') await packets.setDisplayFilter(query)
  }

  /** Saves the conversations listed (with their TCP analysis) as CSV or JSON, in the order given. */
  function exportConversationTable(format: 'csv' | 'json', rows: readonly ConversationRow[] = conversations.value.conversations): void {
    const text = format === 'csv' ? conversationTableCsv(rows) : conversationTableJson(rows)
    saveBlob(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/json' }), `conversations.${format}`)
  }

  return {
    activePanel,
    conversations,
    selectedConversationId,
    stream,
    streamError,
    throughput,
    throughputTotals,
    processes,
    panelError,
    showPanel,
    selectConversation,
    followConversation,
    closeStream,
    filterConversation,
    exportConversationTable
  }
})

/** The display filter that shows one conversation. */
export function conversationQuery(row: ConversationRow): string {
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

/** The address of an endpoint written `host:port`, `[v6]:port` or bare. */
function hostOf(endpoint: string): string | null {
  const [, bracketedHost] = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint) ?? []
  if (bracketedHost) return bracketedHost
  const [, hostBeforePort] = /^([^:]+):\d+$/.exec(endpoint) ?? []
  if (hostBeforePort) return hostBeforePort
  return endpoint === '' ? null : endpoint
}
