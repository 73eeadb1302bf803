import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaptureFileReader, readCaptureFile, type CapturePacketBatch } from '../../../../../electron/backend/capture/files/capture-file-reader'
import { elementAt } from '../../../../../shared/element-at'

const fixtures = join(__dirname, '../../../../fixtures/capture')
let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-reader-'))
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe('CaptureFileReader', () => {
  it('hands out batches in file order with growing progress', async () => {
    const reader = new CaptureFileReader(join(fixtures, 'multi-section.pcapng'), { batchSize: 16, chunkSize: 4096 })
    const batches: CapturePacketBatch[] = []
    for await (const batch of reader) batches.push(batch)
    expect(reader.error).toBeNull()
    expect(reader.format).toBe('pcapng')
    expect(batches.every((batch) => batch.packets.length <= 16)).toBe(true)
    expect(batches.map((batch) => batch.firstPacketNumber)).toEqual(batches.map((_, index) => batches.slice(0, index).reduce((sum, b) => sum + b.packets.length, 0)))
    expect(reader.packetCount).toBe(150)
    const progress = batches.map((batch) => batch.progress.bytesRead)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(elementAt(batches, batches.length - 1).progress).toEqual({ bytesRead: reader.totalBytes, totalBytes: reader.totalBytes })
    expect(reader.sections).toHaveLength(2)
  })

  it('gives the same packets whatever the chunk size', async () => {
    const whole = await readCaptureFile(join(fixtures, 'loopback.pcapng'))
    const small = await readCaptureFile(join(fixtures, 'loopback.pcapng'), { chunkSize: 4096, batchSize: 1 })
    expect(small.packets).toEqual(whole.packets)
  })

  it('stops when aborted', async () => {
    const controller = new AbortController()
    const reader = new CaptureFileReader(join(fixtures, 'loopback.pcap'), { batchSize: 5, chunkSize: 4096, signal: controller.signal })
    let seen = 0
    for await (const batch of reader) {
      seen += batch.packets.length
      controller.abort()
    }
    expect(seen).toBeLessThan(75)
    expect(reader.error).toBeNull()
  })

  it('reports a missing file as an error, not an exception', async () => {
    const result = await readCaptureFile(join(directory, 'nope.pcap'))
    expect(result.packets).toHaveLength(0)
    expect(result.error?.message).toContain('cannot open')
  })

  it('keeps every packet before a cut in a real file', async () => {
    const original = await readFile(join(fixtures, 'loopback.pcapng'))
    const full = await readCaptureFile(join(fixtures, 'loopback.pcapng'))
    const path = join(directory, 'cut.pcapng')
    await writeFile(path, original.subarray(0, Math.floor(original.length / 2)))
    const cut = await readCaptureFile(path, { chunkSize: 4096 })
    expect(cut.error).not.toBeNull()
    expect(cut.error!.offset).toBeLessThan(original.length / 2)
    expect(cut.packets.length).toBeGreaterThan(10)
    expect(cut.packets).toEqual(full.packets.slice(0, cut.packets.length))
  })

  it('reads an empty file as an error at offset 0', async () => {
    const path = join(directory, 'empty.pcap')
    await writeFile(path, new Uint8Array(0))
    const result = await readCaptureFile(path)
    expect(result.error).toMatchObject({ offset: 0 })
    expect(result.format).toBeNull()
  })

  it('reads a copy of every fixture without error', async () => {
    for (const name of ['loopback.pcap', 'loopback-big-endian.pcap', 'any-sll2.pcap', 'multi-interface.pcapng']) {
      await copyFile(join(fixtures, name), join(directory, name))
      const result = await readCaptureFile(join(directory, name))
      expect(result.error, name).toBeNull()
      expect(result.packets.length, name).toBeGreaterThan(0)
    }
  })
})
