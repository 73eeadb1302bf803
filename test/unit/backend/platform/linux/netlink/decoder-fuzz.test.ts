/*
 * The decoders meet cut and garbled kernel replies: every recorded fixture cut at every length,
 * then with bytes overwritten at random (a fixed seed, so a failure can be replayed), then pure
 * noise. None may throw, and a cut inside a message must be reported, not silently dropped.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeInetDiagMessage } from '../../../../../../electron/backend/platform/linux/netlink/inet-diag'
import { NetlinkMessageReader } from '../../../../../../electron/backend/platform/linux/netlink/netlink-message'
import { decodeInetDump, decodeUnixDump } from '../../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { decodeTcpInfo } from '../../../../../../electron/backend/platform/linux/netlink/tcp-info'
import { decodeUnixDiagMessage } from '../../../../../../electron/backend/platform/linux/netlink/unix-diag'

const FIXTURES = join(__dirname, '../../../../../fixtures/netlink')
const binaries = readdirSync(FIXTURES).filter((name) => name.endsWith('.bin'))

/** Every decoder applied to the bytes, at the sequence numbers a reply or an event could carry. */
function decodeEverything(bytes: Uint8Array): number {
  let decoded = 0
  for (const sequence of [0, 101, 106]) {
    decoded += decodeInetDump(bytes, sequence, 'tcp').sockets.length
    decoded += decodeInetDump(bytes, sequence, 'udp').sockets.length
    decoded += decodeUnixDump(bytes, sequence).sockets.length
  }
  decoded += decodeInetDiagMessage(bytes, 0, bytes.length, 'tcp') === null ? 0 : 1
  decoded += decodeUnixDiagMessage(bytes, 0, bytes.length) === null ? 0 : 1
  decodeTcpInfo(bytes, 0, bytes.length, null)
  return decoded
}

/** Offsets where a message of the recorded stream ends. */
function messageBoundaries(bytes: Uint8Array): Set<number> {
  const ends = new Set([0])
  const reader = new NetlinkMessageReader().reset(bytes)
  while (reader.next()) ends.add((reader.payloadEnd + 3) & ~3)
  return ends
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let value = Math.imul(state ^ (state >>> 15), 1 | state)
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32
  }
}

describe('decoders on damaged input', () => {
  it('has fixtures to damage', () => {
    expect(binaries).toEqual(expect.arrayContaining(['tcp4.bin', 'unix.bin', 'close-events.bin']))
  })

  for (const name of binaries) {
    it(`never throws on ${name} cut at any length, and reports each cut inside a message`, () => {
      const bytes = readFileSync(join(FIXTURES, name))
      const boundaries = messageBoundaries(bytes)
      const sequence = name === 'unix.bin' ? 106 : name === 'close-events.bin' ? 0 : 101
      for (let length = 0; length <= bytes.length; length++) {
        const cut = bytes.subarray(0, length)
        expect(() => decodeEverything(cut), `${name} cut at ${length}`).not.toThrow()
        const reply = name === 'unix.bin' ? decodeUnixDump(cut, sequence) : decodeInetDump(cut, sequence, 'tcp')
        expect(reply.truncatedDatagrams, `${name} cut at ${length}`).toBe(boundaries.has(length) ? 0 : 1)
      }
    })
  }

  it('never throws on fixtures with random bytes overwritten', () => {
    const next = random(20_240_601)
    for (const name of binaries) {
      const original = readFileSync(join(FIXTURES, name))
      for (let round = 0; round < 300; round++) {
        const damaged = Uint8Array.from(original)
        const changes = 1 + Math.floor(next() * 8)
        for (let change = 0; change < changes; change++) damaged[Math.floor(next() * damaged.length)] = Math.floor(next() * 256)
        expect(() => decodeEverything(damaged), `${name} round ${round}`).not.toThrow()
      }
    }
  })

  it('never throws on noise, including headers that claim huge lengths', () => {
    const next = random(7)
    for (let round = 0; round < 2000; round++) {
      const noise = Uint8Array.from({ length: Math.floor(next() * 600) }, () => Math.floor(next() * 256))
      expect(() => decodeEverything(noise), `noise round ${round}`).not.toThrow()
    }
  })
})
