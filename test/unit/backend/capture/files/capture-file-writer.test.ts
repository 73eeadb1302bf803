/**
 * The capture file writer on real files: back-pressure that leaves no listener behind however
 * often it waits, and a disk that refuses bytes (Linux's /dev/full) reported to the caller
 * instead of crashing the process.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaptureFileWriter, createCaptureEncoder } from '../../../../../electron/backend/capture/files/capture-file-writer'
import { readCaptureFile } from '../../../../../electron/backend/capture/files/capture-file-reader'
import type { CaptureInterface, RawPacket } from '../../../../../shared/model/packet'

const loopback: CaptureInterface = { name: 'lo', linkType: 1, snaplen: 262_144, timestampDecimals: 9 }

/** A packet bigger than a write stream's buffer, so every write waits for 'drain'. */
function largePacket(index: number): RawPacket {
  const data = new Uint8Array(64 * 1024).fill(index % 256)
  return { interfaceIndex: 0, timestampSeconds: 1_700_000_000 + index, timestampNanos: 0, originalLength: data.length, data }
}

/** Collects the process warnings emitted while `body` runs, once their turn of the event loop has passed. */
async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = []
  const listen = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
  process.on('warning', listen)
  try {
    await body()
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off('warning', listen)
  }
  return warnings
}

let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-file-writer-'))
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe('CaptureFileWriter', () => {
  it('waits for the disk hundreds of times without piling up listeners, and writes every packet', async () => {
    const path = join(directory, 'large.pcapng')
    const packets = Array.from({ length: 200 }, (_, index) => largePacket(index))
    const warnings = await warningsDuring(async () => {
      const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcapng', interfaces: [loopback] }))
      for (const packet of packets) await writer.writePacket(packet)
      await writer.close()
    })
    expect(warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([])
    const read = await readCaptureFile(path)
    expect(read.error).toBeNull()
    expect(read.packets.map((packet) => packet.data[0])).toEqual(packets.map((packet) => packet.data[0]))
  })

  it.skipIf(!existsSync('/dev/full'))('reports a disk that refuses the bytes to the next write and to the close, without crashing', async () => {
    // /dev/full accepts the open and fails every write with ENOSPC, after the stream took the bytes.
    const writer = await CaptureFileWriter.create('/dev/full', createCaptureEncoder({ format: 'pcap', interfaces: [loopback] }))
    let refused: unknown = null
    for (let index = 0; index < 50 && refused === null; index++) {
      await writer.writePacket(largePacket(index)).catch((error: unknown) => (refused = error))
    }
    expect(refused).toMatchObject({ code: 'ENOSPC' })
    await expect(writer.writePacket(largePacket(0))).rejects.toMatchObject({ code: 'ENOSPC' })
    await expect(writer.close()).rejects.toMatchObject({ code: 'ENOSPC' })
  })
})
