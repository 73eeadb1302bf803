import { describe, expect, it } from 'vitest'
import type { RawPacket } from '../../../../../shared/model/packet'
import { PcapStreamParser } from '../../../../../electron/backend/capture/files/pcap-reader'
import { BlockWriter } from '../../../../support/capture/pcapng-blocks'

function pcapFile(littleEndian: boolean, magic: number, records: [number, number, number[], number?][]): Uint8Array {
  const writer = new BlockWriter(littleEndian).uint32(magic).uint16(2).uint16(4).uint32(0).uint32(0).uint32(65535).uint32(1)
  for (const [seconds, fraction, data, originalLength] of records) {
    writer
      .uint32(seconds)
      .uint32(fraction)
      .uint32(data.length)
      .uint32(originalLength ?? data.length)
      .raw(data)
  }
  return Uint8Array.from(writer.bytes())
}

function parse(bytes: Uint8Array, chunkSize = bytes.length || 1) {
  const parser = new PcapStreamParser()
  const packets: RawPacket[] = []
  for (let start = 0; start < bytes.length; start += chunkSize) parser.feed(bytes.subarray(start, start + chunkSize), packets)
  return { packets, error: parser.finish(), parser }
}

describe('pcap reader', () => {
  for (const littleEndian of [true, false]) {
    it(`reads microsecond and nanosecond files (${littleEndian ? 'little' : 'big'}-endian)`, () => {
      const micro = parse(
        pcapFile(littleEndian, 0xa1b2c3d4, [
          [10, 999_999, [1, 2, 3]],
          [11, 5, [4], 60]
        ]),
        5
      )
      expect(micro.error).toBeNull()
      expect(micro.parser.littleEndian).toBe(littleEndian)
      expect(micro.parser.interfaces).toEqual([{ name: 'interface 0', linkType: 1, snaplen: 65535, timestampDecimals: 6 }])
      expect(micro.packets.map((p) => [p.timestampSeconds, p.timestampNanos, p.originalLength, [...p.data]])).toEqual([
        [10, 999_999_000, 3, [1, 2, 3]],
        [11, 5000, 60, [4]]
      ])
      const nano = parse(pcapFile(littleEndian, 0xa1b23c4d, [[10, 999_999_999, [1]]]))
      expect(nano.parser.precision).toBe('nanoseconds')
      expect(nano.packets[0]).toMatchObject({ timestampSeconds: 10, timestampNanos: 999_999_999 })
    })
  }

  it('carries an out-of-range fraction into the seconds', () => {
    const { packets } = parse(pcapFile(true, 0xa1b2c3d4, [[10, 2_500_000, [1]]]))
    expect(packets[0]).toMatchObject({ timestampSeconds: 12, timestampNanos: 500_000_000 })
  })

  it('reports a truncated record at its offset and keeps the earlier packets', () => {
    const file = pcapFile(true, 0xa1b2c3d4, [
      [1, 0, [1, 2, 3, 4]],
      [2, 0, [5, 6, 7, 8]]
    ])
    const { packets, error } = parse(file.subarray(0, file.length - 2), 3)
    expect(packets).toHaveLength(1)
    expect(error?.offset).toBe(24 + 16 + 4)
    expect(error?.message).toContain('ends in the middle of a pcap record')
  })

  it('refuses an absurd captured length instead of waiting for it', () => {
    const file = pcapFile(true, 0xa1b2c3d4, [[1, 0, [1]]])
    const bad = Uint8Array.from([...file, ...new BlockWriter().uint32(1).uint32(0).uint32(0x40000000).uint32(1).bytes()])
    const { packets, error } = parse(bad)
    expect(packets).toHaveLength(1)
    expect(error?.offset).toBe(file.length)
    expect(error?.message).toContain('limit')
  })

  it('reports a truncated file header', () => {
    const { error } = parse(pcapFile(true, 0xa1b2c3d4, []).subarray(0, 10))
    expect(error?.message).toMatch(/pcap file header is truncated: 10 of 24 bytes at byte offset 0/)
  })

  it('refuses unsupported versions', () => {
    const file = pcapFile(true, 0xa1b2c3d4, [])
    file[4] = 9
    expect(parse(file).error?.message).toContain('unsupported pcap version 9.4')
  })
})
