import { describe, expect, it } from 'vitest'
import type { RawPacket } from '../../../../../shared/model/packet'
import { DetectingStreamParser } from '../../../../../electron/backend/capture/files/capture-stream-parser'
import { PcapngStreamParser } from '../../../../../electron/backend/capture/files/pcapng-reader'
import { concatenateBytes } from '../../../../../shared/bytes'
import { BlockWriter, block, enhancedPacket, interfaceDescription, sectionHeader } from '../../../../support/capture/pcapng-blocks'
import { elementAt } from '../../../../../shared/element-at'

/** Feeds the bytes in chunks of `chunkSize` and returns the packets and the final error. */
function parse(bytes: Uint8Array, chunkSize = bytes.length || 1) {
  const parser = new DetectingStreamParser()
  const packets: RawPacket[] = []
  for (let start = 0; start < bytes.length; start += chunkSize) parser.feed(bytes.subarray(start, start + chunkSize), packets)
  const error = parser.finish()
  return { packets, error, interfaces: parser.interfaces, parser }
}

const frame = (length: number, seed = 1) => Uint8Array.from({ length }, (_, index) => (index * seed) & 0xff)

describe('pcapng reader', () => {
  it('reads sections of both byte orders, each with its own interfaces', () => {
    const file = concatenateBytes([
      sectionHeader(true, (w) => w.option(4, 'first writer').endOptions()),
      interfaceDescription(1, 65535, true, (w) => w.option(2, 'eth0').option(9, [6]).endOptions()),
      enhancedPacket(0, 0, 1_000_001, frame(60)),
      sectionHeader(false, (w) => w.option(3, 'big-endian box').endOptions()),
      interfaceDescription(113, 128, false, (w) => w.option(2, 'any').option(9, [9]).endOptions()),
      interfaceDescription(101, 0, false),
      enhancedPacket(1, 0, 2_000_000_003, frame(40, 3), false, 1500),
      enhancedPacket(0, 0, 7, frame(10), false)
    ])
    for (const chunkSize of [file.length, 1, 7, 64]) {
      const { packets, error, interfaces, parser } = parse(file, chunkSize)
      expect(error).toBeNull()
      expect(interfaces.map((i) => [i.name, i.linkType, i.snaplen, i.timestampDecimals])).toEqual([
        ['eth0', 1, 65535, 6],
        ['any', 113, 128, 9],
        ['interface 2', 101, 0, 6]
      ])
      expect(packets.map((p) => [p.interfaceIndex, p.timestampSeconds, p.timestampNanos, p.originalLength, p.data.length])).toEqual([
        [0, 1, 1000, 60, 60],
        [2, 2000, 3000, 1500, 40],
        [1, 0, 7, 10, 10]
      ])
      expect(elementAt(packets, 1).data).toEqual(frame(40, 3))
      const sections = (parser.formatParser as PcapngStreamParser).sections
      expect(sections.map((s) => [s.littleEndian, s.application, s.operatingSystem])).toEqual([
        [true, 'first writer', null],
        [false, null, 'big-endian box']
      ])
    }
  })

  it('reads Simple Packet Blocks with the first interface snaplen and obsolete Packet Blocks', () => {
    const simple = new BlockWriter().uint32(200).raw(frame(100)).bytes()
    const obsolete = new BlockWriter().uint16(0).uint16(0).uint32(0).uint32(5_000_000).uint32(20).uint32(20).raw(frame(20)).option(1, 'old style').endOptions().bytes()
    const file = concatenateBytes([sectionHeader(), interfaceDescription(1, 64), block(3, simple), block(2, obsolete)])
    const { packets, error } = parse(file)
    expect(error).toBeNull()
    expect(packets).toHaveLength(2)
    expect(packets[0]).toMatchObject({ originalLength: 200, timestampSeconds: 0, timestampNanos: 0 })
    expect(elementAt(packets, 0).data).toEqual(frame(64))
    expect(packets[1]).toMatchObject({ timestampSeconds: 5, timestampNanos: 0, comment: 'old style', originalLength: 20 })
  })

  it('applies power-of-two resolutions and if_tsoffset', () => {
    const offset = new BlockWriter().uint32(100).uint32(0).bytes()
    const file = concatenateBytes([
      sectionHeader(),
      interfaceDescription(1, 0, true, (w) =>
        w
          .option(9, [0x80 | 10])
          .option(14, offset)
          .endOptions()
      ),
      enhancedPacket(0, 0, 3 * 1024 + 512, frame(14))
    ])
    const { packets, error } = parse(file)
    expect(error).toBeNull()
    expect(packets[0]).toMatchObject({ timestampSeconds: 103, timestampNanos: 500_000_000 })
  })

  it('skips unknown blocks and options, and joins several comments', () => {
    const file = concatenateBytes([
      sectionHeader(),
      block(0x0bad, [1, 2, 3, 4, 5, 6, 7, 8]),
      interfaceDescription(1, 0, true, (w) => w.option(0x4242, [9, 9, 9]).option(2, 'lo').endOptions()),
      block(5, new BlockWriter().uint32(0).uint32(0).uint32(0).bytes()),
      enhancedPacket(0, 0, 1, frame(3), true, 3, (w) => w.option(2, [0, 0, 0, 0]).option(1, 'process: node (pid 1234)').option(1, 'second').endOptions())
    ])
    const { packets, error, interfaces } = parse(file)
    expect(error).toBeNull()
    expect(elementAt(interfaces, 0).name).toBe('lo')
    expect(elementAt(packets, 0).comment).toBe('process: node (pid 1234)\nsecond')
  })

  it('keeps the packet when an option length runs past its block', () => {
    const broken = new BlockWriter().uint32(0).uint32(0).uint32(1).uint32(4).uint32(4).raw(frame(4)).uint16(1).uint16(400).raw([65, 66, 67, 68]).bytes()
    const { packets, error } = parse(concatenateBytes([sectionHeader(), interfaceDescription(1, 0), block(6, broken)]))
    expect(error).toBeNull()
    expect(packets).toHaveLength(1)
    expect(elementAt(packets, 0).comment).toBeUndefined()
  })

  describe('bad input keeps the packets before the fault and names its offset', () => {
    const good = concatenateBytes([sectionHeader(), interfaceDescription(1, 0), enhancedPacket(0, 0, 1, frame(30))])
    const withBlock = (bad: Uint8Array) => concatenateBytes([good, bad])

    it('truncated block', () => {
      const file = withBlock(enhancedPacket(0, 0, 2, frame(30)).subarray(0, 25))
      const { packets, error } = parse(file, 16)
      expect(packets).toHaveLength(1)
      expect(error?.offset).toBe(good.length)
      expect(error?.message).toMatch(/ends in the middle of a pcapng block .* at byte offset \d+/)
    })

    it('block length not a multiple of 4', () => {
      const bad = new BlockWriter().uint32(6).uint32(30).raw(new Array(22).fill(0)).uint32(30).bytes()
      const { packets, error } = parse(withBlock(Uint8Array.from(bad)))
      expect(packets).toHaveLength(1)
      expect(error).toMatchObject({ offset: good.length })
      expect(error?.message).toContain('not a multiple of 4')
    })

    it('block length below 12', () => {
      const { packets, error } = parse(withBlock(Uint8Array.from(new BlockWriter().uint32(6).uint32(8).uint32(8).bytes())))
      expect(packets).toHaveLength(1)
      expect(error?.message).toContain('smaller than the minimum')
      expect(error?.offset).toBe(good.length)
    })

    it('trailing length mismatch', () => {
      const bad = enhancedPacket(0, 0, 2, frame(8))
      new DataView(bad.buffer).setUint32(bad.length - 4, 999, true)
      const { packets, error } = parse(withBlock(bad))
      expect(packets).toHaveLength(1)
      expect(error?.message).toContain('trailer says 999')
      expect(error?.offset).toBe(good.length)
    })

    it('absurd block length is refused, not waited for', () => {
      const bad = Uint8Array.from(new BlockWriter().uint32(6).uint32(0x7ffffff0).uint32(0).bytes())
      const { packets, error } = parse(withBlock(bad))
      expect(packets).toHaveLength(1)
      expect(error?.message).toContain('limit')
    })

    it('captured length larger than its block', () => {
      const bad = Uint8Array.from(block(6, new BlockWriter().uint32(0).uint32(0).uint32(0).uint32(5000).uint32(5000).raw(frame(8)).bytes()))
      const { packets, error } = parse(withBlock(bad))
      expect(packets).toHaveLength(1)
      expect(error?.message).toContain('does not fit')
    })

    it('packet of an interface the section does not describe', () => {
      const { packets, error } = parse(withBlock(enhancedPacket(3, 0, 0, frame(8))))
      expect(packets).toHaveLength(1)
      expect(error?.message).toContain('interface 3')
    })

    it('bad byte-order magic in a later section', () => {
      const bad = sectionHeader()
      bad[8] = 0x99
      const { packets, error } = parse(withBlock(bad))
      expect(packets).toHaveLength(1)
      expect(error?.offset).toBe(good.length + 8)
    })

    it('garbage, empty and too-short files', () => {
      expect(parse(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])).error).toMatchObject({ offset: 0 })
      expect(parse(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])).error?.message).toContain('not a pcap or pcapng file (starts with 01 02 03 04)')
      expect(parse(new Uint8Array(0)).error?.message).toMatch(/^empty file.*at byte offset 0$/)
      expect(parse(Uint8Array.from([0x0a, 0x0d])).error?.offset).toBe(0)
      expect(parse(sectionHeader().subarray(0, 20)).error?.message).toContain('truncated')
    })
  })
})
