// @vitest-environment happy-dom
/**
 * The panels under the packet list against a real backend: conversations and the followed
 * stream, throughput, narrowing the list to a conversation, reading the visible panel at most
 * once a second while the shown capture changes, and starting empty for a new capture.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useCapturePacketsStore } from '../../../renderer/src/stores/capture-packets'
import { conversationQuery, PANEL_REFRESH_MS, useCapturePanelsStore } from '../../../renderer/src/stores/capture-panels'
import type { CaptureViewState, ConversationRow } from '../../../shared/model/capture-view'
import { captureStoreHarness, importCapture, loopbackCapture, syntheticCapture, type CaptureStoreHarness } from '../../support/capture/capture-store-harness'
import { elementAt } from '../../../shared/element-at'

let harness: CaptureStoreHarness

beforeEach(async () => {
  harness = await captureStoreHarness()
})
afterEach(async () => {
  await harness.dispose()
})

/** Both stores following the backend, with the loopback fixture shown. */
async function showingLoopback() {
  const packets = useCapturePacketsStore()
  const panels = useCapturePanelsStore()
  await packets.start()
  await importCapture(await loopbackCapture(), 'loopback.pcapng')
  await vi.waitFor(() => expect(packets.view?.source?.state).toBe('imported'))
  return { packets, panels }
}

describe('useCapturePanelsStore', () => {
  it('lists the conversations, follows a TCP stream both ways and adds up the throughput', async () => {
    const { packets, panels } = await showingLoopback()
    await packets.selectPacket(3)
    panels.showPanel('conversations')
    await vi.waitFor(() => expect(panels.conversations.total).toBeGreaterThan(1))
    const conversation = panels.conversations.conversations.find((row) => row.id === packets.details?.conversationId)
    expect(conversation).toMatchObject({ transport: 'tcp', handshake: true })

    await panels.followConversation(conversation!.id)
    expect(panels.selectedConversationId).toBe(conversation!.id)
    expect(panels.streamError).toBeNull()
    const chunks = panels.stream!.chunks
    expect(chunks[0]?.fromClient).toBe(true)
    expect(panels.stream?.clientBytes).toBe(chunks.filter((chunk) => chunk.fromClient).reduce((sum, chunk) => sum + chunk.bytes.length, 0))
    expect(panels.stream?.serverBytes).toBe(chunks.filter((chunk) => !chunk.fromClient).reduce((sum, chunk) => sum + chunk.bytes.length, 0))
    panels.closeStream()
    expect(panels.stream).toBeNull()

    panels.showPanel('throughput')
    await vi.waitFor(() => expect(panels.throughputTotals.packets).toBe(75))
    expect(panels.throughputTotals.bytes).toBe(panels.throughput.reduce((sum, point) => sum + point.bytesIn + point.bytesOut, 0))
    expect(panels.throughputTotals.seconds).toBe(panels.throughput.length)
  })

  it('says why a stream cannot be followed', async () => {
    const { panels } = await showingLoopback()
    await panels.followConversation('no-such-conversation')
    expect(panels.streamError).not.toBeNull()
    expect(panels.stream).toBeNull()
  })

  it('narrows the packet list to one conversation, both directions', async () => {
    const { packets, panels } = await showingLoopback()
    panels.showPanel('conversations')
    await vi.waitFor(() => expect(panels.conversations.total).toBeGreaterThan(1))
    const conversation = panels.conversations.conversations.find((row) => row.transport === 'tcp')!
    await panels.filterConversation(conversation.id)
    await vi.waitFor(() => expect(packets.view?.filter === conversationQuery(conversation) && !packets.view.filtering).toBe(true))
    expect(packets.listCount).toBe(conversation.packetsAToB + conversation.packetsBToA)

    const before = packets.view?.filter
    await panels.filterConversation('no-such-conversation')
    expect(packets.view?.filter).toBe(before)
  })

  it('reads the visible panel again while the shown capture changes, at most once a second', async () => {
    const packets = useCapturePacketsStore()
    const panels = useCapturePanelsStore()
    await packets.start()
    // Shown before the import, so the import's own stream of states refreshes it too.
    panels.showPanel('conversations')
    await importCapture(await loopbackCapture(), 'loopback.pcapng')
    await vi.waitFor(() => expect(packets.view?.source?.state).toBe('imported'))
    const state = packets.view as CaptureViewState
    for (let round = 0; round < 20; round++) {
      harness.push('capture/view-state', { ...state })
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const lastPush = Date.now()
    // The last state is read too, within a second of its coming.
    await vi.waitFor(() => expect(harness.requestTimes('capture/conversations').at(-1)).toBeGreaterThanOrEqual(lastPush), { timeout: 3 * PANEL_REFRESH_MS })
    await vi.waitFor(() => expect(panels.conversations.total).toBeGreaterThan(1))
    // The first read came from showing the panel; every later one waited its turn.
    const scheduled = harness.requestTimes('capture/conversations').slice(1)
    expect(scheduled.length).toBeGreaterThanOrEqual(1)
    for (let index = 1; index < scheduled.length; index++) expect(elementAt(scheduled, index) - elementAt(scheduled, index - 1)).toBeGreaterThanOrEqual(PANEL_REFRESH_MS - 5)
  })

  it('starts empty for a newly shown capture', async () => {
    const { packets, panels } = await showingLoopback()
    panels.showPanel('conversations')
    await vi.waitFor(() => expect(panels.conversations.total).toBeGreaterThan(1))
    const conversation = panels.conversations.conversations.find((row) => row.transport === 'tcp')!
    await panels.followConversation(conversation.id)
    panels.showPanel('throughput')
    await vi.waitFor(() => expect(panels.throughputTotals.packets).toBe(75))

    await importCapture(await syntheticCapture(harness.directory, 10), 'ten.pcapng')
    await vi.waitFor(() => expect(packets.view?.source?.label).toBe('ten.pcapng'))
    expect(panels.stream).toBeNull()
    expect(panels.selectedConversationId).toBeNull()
    expect(panels.conversations.total).toBe(0)
    // The throughput of the new capture alone, not added to the old one's.
    await vi.waitFor(() => expect(panels.throughputTotals.packets).toBe(10))
  })
})

describe('conversationQuery', () => {
  const row = (overrides: Partial<ConversationRow>): ConversationRow => ({
    id: 'c',
    transport: 'tcp',
    endpointA: '127.0.0.1:40000',
    endpointB: '127.0.0.2:80',
    portA: 40000,
    portB: 80,
    packetsAToB: 1,
    packetsBToA: 1,
    bytesAToB: 1,
    bytesBToA: 1,
    startSeconds: 0,
    durationSeconds: 0,
    handshake: false,
    fin: false,
    reset: false,
    process: null,
    pid: null,
    tcpAnalysis: null,
    ...overrides
  })

  it('names the protocol, both addresses and both ports', () => {
    expect(conversationQuery(row({}))).toBe('proto:tcp addr:127.0.0.1 addr:127.0.0.2 port:40000 port:80')
  })

  it('reads IPv6 endpoints in brackets and names a shared address once', () => {
    expect(conversationQuery(row({ transport: 'udp', endpointA: '[::1]:5000', endpointB: '[::1]:53', portA: 5000, portB: 53 }))).toBe('proto:udp addr:::1 port:5000 port:53')
  })

  it('leaves out a protocol the filter has no name for, and ports an endpoint does not have', () => {
    expect(conversationQuery(row({ transport: 'sctp', endpointA: '10.0.0.1', endpointB: '10.0.0.2', portA: null, portB: null }))).toBe('addr:10.0.0.1 addr:10.0.0.2')
  })
})
