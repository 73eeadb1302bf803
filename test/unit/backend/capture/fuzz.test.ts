/**
 * Random damage to real capture files and frames: the readers and decoders must neither throw
 * nor hang, whatever the bytes. The PRNG is seeded, so a failure replays exactly.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RawPacket } from '../../../../shared/model/packet'
import { DetectingStreamParser } from '../../../../electron/backend/capture/files/capture-stream-parser'
import { decodePacketTree, summarizePacket } from '../../../../electron/backend/capture/decode/packet-decoder'
import { elementAt } from '../../../../shared/element-at'
import { seededRandom } from '../../../support/seeded-random'

const fixtureDirectory = join(__dirname, '../../../fixtures/capture')
const fixtures = readdirSync(fixtureDirectory).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(fixtureDirectory, name))) }))
const LINK_TYPES = [0, 1, 101, 108, 113, 228, 229, 276]

function mutate(source: Uint8Array, next: () => number): Uint8Array {
  const pick = (limit: number) => Math.floor(next() * limit)
  let bytes = Uint8Array.from(source)
  const kind = pick(5)
  if (kind === 0 || kind === 4) {
    for (let count = 1 + pick(16); count > 0; count -= 1) bytes[pick(bytes.length)] = pick(256)
  }
  if (kind === 1 || kind === 4) bytes = bytes.subarray(0, pick(bytes.length + 1))
  if (kind === 2 && bytes.length > 8) {
    // A plausible-looking but wrong 32-bit length somewhere.
    const at = pick(bytes.length - 4) & ~3
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, elementAt([0, 1, 11, 13, 0xffff, 0x7fffffff, 0xffffffff, pick(4096)], pick(8)), next() < 0.5)
  }
  if (kind === 3 && bytes.length > 16) {
    const start = pick(bytes.length)
    const length = pick(Math.min(64, bytes.length - start))
    const copy = new Uint8Array(bytes.length + length)
    copy.set(bytes.subarray(0, start + length))
    copy.set(bytes.subarray(start), start + length)
    bytes = copy
  }
  return bytes
}

describe('fuzzing', () => {
  it('reads 2,000 damaged files without throwing, hanging or inventing bytes', () => {
    const next = seededRandom(0x50c5c0e)
    let packetsSeen = 0
    let errorsSeen = 0
    const problems: string[] = []
    for (let round = 0; round < 2000; round += 1) {
      const fixture = elementAt(fixtures, Math.floor(next() * fixtures.length))
      const bytes = mutate(fixture.bytes, next)
      const parser = new DetectingStreamParser()
      const packets: RawPacket[] = []
      const chunkSize = 1 + Math.floor(next() * 3000)
      for (let start = 0; start < bytes.length; start += chunkSize) parser.feed(bytes.subarray(start, start + chunkSize), packets)
      const error = parser.finish()
      if (error !== null) {
        errorsSeen += 1
        // The error names the block it stopped at: after every packet it read, inside the file.
        const packetBytes = packets.reduce((total, packet) => total + packet.data.length, 0)
        expect(error.offset).toBeGreaterThanOrEqual(packetBytes)
        expect(error.offset).toBeLessThanOrEqual(bytes.length)
        expect(error.message).toContain('at byte offset')
      }
      const interfaces = parser.interfaces
      for (const packet of packets) {
        // Plain checks per packet: an expect() per packet would dominate the run time.
        if (packet.data.length > bytes.length) problems.push(`${fixture.name} round ${round}: packet longer than the file`)
        const summary = summarizePacket(packet, interfaces[packet.interfaceIndex]?.linkType ?? 1)
        if (summary.info === '' || summary.malformed?.message.includes('decoder failure')) {
          problems.push(`${fixture.name} round ${round}: ${summary.malformed?.message ?? 'empty info'}`)
        }
      }
      packetsSeen += packets.length
    }
    expect(problems).toEqual([])
    expect(packetsSeen).toBeGreaterThan(10_000)
    expect(errorsSeen).toBeGreaterThan(200)
  })

  it('decodes 2,000 damaged frames under every link type without throwing', () => {
    const next = seededRandom(0xdec0de)
    const frames: RawPacket[] = []
    for (const fixture of fixtures.filter((f) => f.name.startsWith('loopback') || f.name.startsWith('any'))) {
      const parser = new DetectingStreamParser()
      parser.feed(fixture.bytes, frames)
    }
    let malformed = 0
    for (let round = 0; round < 2000; round += 1) {
      const frame = elementAt(frames, Math.floor(next() * frames.length))
      const data = mutate(frame.data, next)
      const packet = { ...frame, data, originalLength: next() < 0.2 ? data.length + 100 : data.length }
      const linkType = next() < 0.7 ? 1 : elementAt(LINK_TYPES, Math.floor(next() * LINK_TYPES.length))
      const summary = summarizePacket(packet, linkType)
      const tree = decodePacketTree(packet, linkType)
      expect(tree.summary).toEqual(summary)
      expect(summary.malformed?.message ?? '').not.toContain('decoder failure')
      if (summary.malformed !== null) malformed += 1
    }
    expect(malformed).toBeGreaterThan(50)
  })
})
