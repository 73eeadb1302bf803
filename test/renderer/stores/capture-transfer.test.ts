// @vitest-environment happy-dom
/**
 * Export and import through the transfer store against a real backend: a file sent in chunks as
 * the browser does it, an export read back by the project's reader, bad files refused without
 * losing the shown capture, and one transfer at a time.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { readCaptureFile } from '../../../electron/backend/capture/files/capture-file-reader'
import { useCapturePacketsStore } from '../../../renderer/src/stores/capture-packets'
import { useCaptureTransferStore } from '../../../renderer/src/stores/capture-transfer'
import { IMPORT_CHUNK_BYTES } from '../../../shared/contract/capture'
import { captureStoreHarness, loopbackCapture, syntheticCapture, type CaptureStoreHarness } from '../../support/capture/capture-store-harness'
import { elementAt } from '../../../shared/element-at'

let harness: CaptureStoreHarness

beforeEach(async () => {
  harness = await captureStoreHarness()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await harness.dispose()
})

/** Both stores following the backend. */
async function stores() {
  const packets = useCapturePacketsStore()
  const transfer = useCaptureTransferStore()
  await packets.start()
  transfer.start()
  return { packets, transfer }
}

/** Catches what the store hands the browser to save. */
function savedBlobs(): Blob[] {
  const saved: Blob[] = []
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => (saved.push(blob as Blob), 'blob:capture'))
  return saved
}

const count = (channel: string): number => harness.requests.filter((each) => each === channel).length

describe('useCaptureTransferStore', () => {
  it('sends a file in chunks no larger than the limit, and the backend shows every packet of it', async () => {
    const { packets, transfer } = await stores()
    const bytes = await syntheticCapture(harness.directory, 20_000)
    expect(bytes.length).toBeGreaterThan(2 * IMPORT_CHUNK_BYTES)
    await transfer.importFile(new File([bytes as BlobPart], 'long.pcapng'))
    expect(transfer.transferError).toBeNull()
    expect(transfer.transfer).toBeNull()
    expect(count('capture/import-chunk')).toBe(Math.ceil(bytes.length / IMPORT_CHUNK_BYTES))
    await vi.waitFor(() => expect(packets.view?.source).toMatchObject({ label: 'long.pcapng', state: 'imported', packets: 20_000, bytes: expect.any(Number) }), { timeout: 10_000 })
  })

  it('exports the filtered packets as a file the reader accepts, with their count', async () => {
    const { packets, transfer } = await stores()
    await transfer.importFile(new File([(await loopbackCapture()) as BlobPart], 'loopback.pcapng'))
    await vi.waitFor(() => expect(packets.listCount).toBe(75))
    await packets.setDisplayFilter('proto:tcp')
    await vi.waitFor(() => expect(packets.view?.filtering === false && packets.view.filter === 'proto:tcp').toBe(true))
    const saved = savedBlobs()
    await transfer.exportPackets('pcap', 'filtered')
    expect(transfer.transferError).toBeNull()
    expect(transfer.transfer).toBeNull()
    expect(saved).toHaveLength(1)
    expect(transfer.lastExport).toMatchObject({ packets: packets.listCount, bytes: elementAt(saved, 0).size })
    expect(transfer.lastExport?.fileName).toMatch(/\.pcap$/)
    const path = join(harness.directory, 'exported.pcap')
    await writeFile(path, new Uint8Array(await elementAt(saved, 0).arrayBuffer()))
    const read = await readCaptureFile(path)
    expect(read.error).toBeNull()
    expect(read.format).toBe('pcap')
    expect(read.packets).toHaveLength(packets.listCount)
    expect(count('capture/export-end')).toBe(1)
  })

  it('runs one transfer at a time: a second export asked for meanwhile does nothing', async () => {
    const { packets, transfer } = await stores()
    await transfer.importFile(new File([(await loopbackCapture()) as BlobPart], 'loopback.pcapng'))
    await vi.waitFor(() => expect(packets.listCount).toBe(75))
    const saved = savedBlobs()
    const first = transfer.exportPackets('pcapng', 'all')
    expect(transfer.transfer?.kind).toBe('export')
    await transfer.exportPackets('pcap', 'all')
    await transfer.importFile(new File([(await loopbackCapture()) as BlobPart], 'again.pcapng'))
    await first
    expect(saved).toHaveLength(1)
    expect(count('capture/export-begin')).toBe(1)
    expect(count('capture/import-begin')).toBe(1)
    expect(transfer.lastExport?.fileName).toMatch(/\.pcapng$/)
  })

  it('reports a cut file with its offset and keeps the packets before the cut', async () => {
    const { packets, transfer } = await stores()
    const bytes = await loopbackCapture()
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6))
    const cutPath = join(harness.directory, 'cut.pcapng')
    await writeFile(cutPath, cut)
    const expected = await readCaptureFile(cutPath)
    expect(expected.packets.length).toBeGreaterThan(0)
    await transfer.importFile(new File([cut as BlobPart], 'cut.pcapng'))
    expect(transfer.transferError).toMatch(/byte offset \d+/)
    await vi.waitFor(() => expect(packets.view?.source?.label).toBe('cut.pcapng'))
    await vi.waitFor(() => expect(packets.view?.source?.packets).toBe(expected.packets.length))
    // The error comes with the end of the import, which may be a later pushed state than the last packet.
    await vi.waitFor(() => expect(packets.view?.source?.error).toBe(transfer.transferError))
  })

  it('keeps the shown capture when the opened file is not a capture or is empty', async () => {
    const { packets, transfer } = await stores()
    await transfer.importFile(new File([(await loopbackCapture()) as BlobPart], 'loopback.pcapng'))
    await vi.waitFor(() => expect(packets.view?.source?.state).toBe('imported'))
    const shownId = packets.view?.source?.id

    await transfer.importFile(new File([new TextEncoder().encode('this is not a capture file at all') as BlobPart], 'notes.pcapng'))
    expect(transfer.transferError).toContain('not a pcap or pcapng file')
    await transfer.importFile(new File([], 'empty.pcap'))
    expect(transfer.transferError).toContain('empty file')

    const state = await harness.backend.handle('capture/view-state', {})
    expect(state).toMatchObject({ ok: true, value: { source: { id: shownId, label: 'loopback.pcapng', packets: 75, error: null } } })
    expect(packets.view?.source?.id).toBe(shownId)
  })

  it('says why an export failed and ends the transfer', async () => {
    const { transfer } = await stores()
    await transfer.exportPackets('pcapng', 'conversation', 'no-such-conversation')
    expect(transfer.transferError).not.toBeNull()
    expect(transfer.transfer).toBeNull()
    expect(transfer.lastExport).toBeNull()
  })
})
