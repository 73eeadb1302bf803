// @vitest-environment happy-dom
/**
 * The capture store against a real backend: a file imported in chunks as the browser does it,
 * the packet list read in pages (never the whole capture), the display filter run in the
 * backend, details, conversations, the followed stream, throughput and an export read back.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { readCaptureFile } from '../../../electron/backend/capture/files/capture-file-reader'
import { CaptureFileWriter, createCaptureEncoder } from '../../../electron/backend/capture/files/capture-file-writer'
import { PACKET_PAGE_SIZE, useCaptureStore } from '../../../renderer/src/stores/capture'
import { setBackendClient } from '../../../renderer/src/transport'
import { ethernetFrame, ipv4Packet, udpDatagram } from '../../support/capture/packet-builder'
import { createInProcessClient } from '../../support/in-process-client'

const fixture = resolve(__dirname, '../../fixtures/capture/loopback.pcapng')

let backend: Backend
let directory: string

beforeEach(async () => {
  setActivePinia(createPinia())
  directory = await mkdtemp(join(tmpdir(), 'sockscope-capture-store-'))
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: directory })
  setBackendClient(createInProcessClient(backend))
})
afterEach(async () => {
  await backend.dispose()
  await rm(directory, { recursive: true, force: true })
})

async function importBytes(bytes: Uint8Array, name: string) {
  const store = useCaptureStore()
  await store.start()
  await store.importFile(new File([bytes as BlobPart], name))
  return store
}

/** A pcapng of `count` loopback UDP packets, written with the project's writer. */
async function syntheticCapture(count: number): Promise<Uint8Array> {
  const path = join(directory, 'synthetic.pcapng')
  const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcapng', interfaces: [{ name: 'lo', linkType: 1, snaplen: 65535, timestampDecimals: 9 }] }))
  for (let index = 0; index < count; index++) {
    const payload = new Uint8Array(4)
    new DataView(payload.buffer).setUint32(0, index)
    const data = ethernetFrame(0x0800, ipv4Packet({ protocol: 17, destination: [127, 0, 0, 1], payload: udpDatagram(40_000 + (index % 3), 53, payload) }))
    await writer.writePacket({ interfaceIndex: 0, timestampSeconds: 1_700_000_000 + Math.floor(index / 1000), timestampNanos: (index % 1000) * 1000, originalLength: data.length, data })
  }
  await writer.close()
  return new Uint8Array(await readFile(path))
}

describe('useCaptureStore', () => {
  it('imports a file in chunks and reads the list page by page', async () => {
    const store = await importBytes(await readFile(fixture), 'loopback.pcapng')
    await vi.waitFor(() => expect(store.view?.source?.state).toBe('imported'))
    expect(store.listCount).toBe(75)
    expect(store.sourceSummary?.label).toBe('loopback.pcapng')
    expect(store.transferError).toBeNull()

    store.setVisibleRange(0, 30)
    await vi.waitFor(() => expect(store.rowAt(29)).not.toBeNull())
    expect(store.rowAt(0)).toMatchObject({ index: 0, protocol: 'TCP', source: '127.0.0.1', relativeSeconds: 0 })
    expect(store.rowAt(0)?.info).toContain('[SYN]')
    expect(store.cachedRowCount()).toBe(PACKET_PAGE_SIZE > 75 ? 75 : PACKET_PAGE_SIZE)
  })

  it('keeps only a few pages of a long list in memory', async () => {
    const store = await importBytes(await syntheticCapture(20_000), 'long.pcapng')
    await vi.waitFor(() => expect(store.listCount).toBe(20_000), { timeout: 10_000 })
    for (let first = 0; first < 20_000; first += 1500) {
      store.setVisibleRange(first, first + 40)
      await vi.waitFor(() => expect(store.rowAt(first + 39)).not.toBeNull())
    }
    store.setVisibleRange(19_960, 20_000)
    await vi.waitFor(() => expect(store.rowAt(19_999)?.index).toBe(19_999))
    expect(store.cachedRowCount()).toBeLessThanOrEqual(40 * PACKET_PAGE_SIZE)
    expect(store.cachedRowCount()).toBeLessThan(20_000)
  })

  it('filters in the backend and shows a bad filter without losing the list', async () => {
    const store = await importBytes(await readFile(fixture), 'loopback.pcapng')
    await vi.waitFor(() => expect(store.listCount).toBe(75))
    await store.setDisplayFilter('proto:udp')
    await vi.waitFor(() => expect(store.view?.filter).toBe('proto:udp'))
    await vi.waitFor(() => expect(store.view?.filtering).toBe(false))
    const matched = store.listCount
    expect(matched).toBeGreaterThan(0)
    expect(matched).toBeLessThan(75)
    store.setVisibleRange(0, matched)
    await vi.waitFor(() => expect(store.rowAt(matched - 1)).not.toBeNull())
    for (let position = 0; position < matched; position++) expect(store.rowAt(position)?.protocol).not.toBe('TCP')

    await store.setDisplayFilter('prot:udp')
    expect(store.displayFilterError?.message).toContain('unknown field "prot"')
    expect(store.listCount).toBe(matched)
  })

  it('shows a packet’s layers and bytes, its conversation, the stream and the throughput', async () => {
    const store = await importBytes(await readFile(fixture), 'loopback.pcapng')
    await vi.waitFor(() => expect(store.listCount).toBe(75))
    await store.selectPacket(3)
    expect(store.details?.layers.map((layer) => layer.kind).slice(0, 3)).toEqual(['ethernet', 'ipv4', 'tcp'])
    expect(store.details?.bytes.length).toBe(store.details?.summary.capturedLength)
    expect(store.details?.conversationId).not.toBeNull()

    store.showPanel('conversations')
    await vi.waitFor(() => expect(store.conversations.total).toBeGreaterThan(1))
    const conversation = store.conversations.conversations.find((row) => row.id === store.details?.conversationId)
    expect(conversation?.transport).toBe('tcp')
    expect(conversation?.handshake).toBe(true)
    await store.followConversation(conversation!.id)
    expect(store.stream?.chunks.length).toBeGreaterThan(0)
    expect(store.stream?.chunks[0]?.fromClient).toBe(true)
    expect(store.stream?.clientBytes).toBe(store.stream?.chunks.filter((chunk) => chunk.fromClient).reduce((sum, chunk) => sum + chunk.bytes.length, 0))

    store.showPanel('throughput')
    await vi.waitFor(() => expect(store.throughputTotals.packets).toBe(75))
    expect(store.throughputTotals.bytes).toBe(store.throughput.reduce((sum, point) => sum + point.bytesIn + point.bytesOut, 0))
  })

  it('exports the filtered packets as a file the readers accept, and reports a cut file with its offset', async () => {
    const bytes = await readFile(fixture)
    const store = await importBytes(bytes, 'loopback.pcapng')
    await vi.waitFor(() => expect(store.listCount).toBe(75))
    await store.setDisplayFilter('proto:tcp')
    await vi.waitFor(() => expect(store.view?.filtering === false && store.view.filter === 'proto:tcp').toBe(true))
    const saved: Blob[] = []
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => (saved.push(blob as Blob), 'blob:capture'))
    await store.exportPackets('pcap', 'filtered')
    createObjectURL.mockRestore()
    expect(store.transferError).toBeNull()
    expect(store.lastExport?.packets).toBe(store.listCount)
    const path = join(directory, 'exported.pcap')
    await writeFile(path, new Uint8Array(await saved[0]!.arrayBuffer()))
    const read = await readCaptureFile(path)
    expect(read.error).toBeNull()
    expect(read.format).toBe('pcap')
    expect(read.packets).toHaveLength(store.listCount)

    // Cut in the middle of the file: the reader keeps the packets before the cut.
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6))
    const cutPath = join(directory, 'cut.pcapng')
    await writeFile(cutPath, cut)
    const expected = await readCaptureFile(cutPath)
    expect(expected.packets.length).toBeGreaterThan(0)
    await store.importFile(new File([cut as BlobPart], 'cut.pcapng'))
    expect(store.transferError).toMatch(/byte offset \d+/)
    await vi.waitFor(() => expect(store.view?.source?.label).toBe('cut.pcapng'))
    await vi.waitFor(() => expect(store.view?.source?.packets).toBe(expected.packets.length))
    // The error comes with the end of the import, which may be a later pushed state than the last packet.
    await vi.waitFor(() => expect(store.view?.source?.error).toBe(store.transferError))
  })

  it('keeps the shown capture when the opened file is not a capture or is empty', async () => {
    const store = await importBytes(await readFile(fixture), 'loopback.pcapng')
    await vi.waitFor(() => expect(store.view?.source?.state).toBe('imported'))
    const shownId = store.view?.source?.id

    await store.importFile(new File([new TextEncoder().encode('this is not a capture file at all') as BlobPart], 'notes.pcapng'))
    expect(store.transferError).toContain('not a pcap or pcapng file')
    await store.importFile(new File([], 'empty.pcap'))
    expect(store.transferError).toContain('empty file')

    const state = await backend.handle('capture/view-state', {})
    expect(state).toMatchObject({ ok: true, value: { source: { id: shownId, label: 'loopback.pcapng', packets: 75, error: null } } })
  })

  it('selects a row by position even when its page was never on screen, as Home and End do', async () => {
    const store = await importBytes(await syntheticCapture(3 * PACKET_PAGE_SIZE), 'pages.pcapng')
    await vi.waitFor(() => expect(store.view?.source?.state).toBe('imported'))
    store.setVisibleRange(0, 30)
    await vi.waitFor(() => expect(store.rowAt(29)).not.toBeNull())
    const last = 3 * PACKET_PAGE_SIZE - 1
    expect(store.rowAt(last)).toBeNull()
    await store.selectPosition(last)
    expect(store.selectedIndex).toBe(last)
    expect(store.details?.index).toBe(last)
    await store.selectPosition(0)
    expect(store.details?.index).toBe(0)
  })

  it('refuses an over-long display filter in the box instead of failing in the backend', async () => {
    const store = await importBytes(await readFile(fixture), 'loopback.pcapng')
    await vi.waitFor(() => expect(store.listCount).toBe(75))
    await store.setDisplayFilter('x'.repeat(2500))
    expect(store.displayFilterError?.message).toContain('longer than 2000 characters')
    expect(store.viewError).toBeNull()
    await store.setDisplayFilter('proto:udp')
    expect(store.displayFilterError).toBeNull()
    await vi.waitFor(() => expect(store.view?.filter).toBe('proto:udp'))
  })
})
