import { describe, expect, it } from 'vitest'
import type { CaptureInterface, RawPacket } from '../../../../../shared/model/packet'
import { CaptureWriteError } from '../../../../../electron/backend/capture/files/capture-file-error'
import { DetectingStreamParser } from '../../../../../electron/backend/capture/files/capture-stream-parser'
import { PcapEncoder } from '../../../../../electron/backend/capture/files/pcap-writer'
import { PcapngEncoder } from '../../../../../electron/backend/capture/files/pcapng-writer'
import { concatenateBytes } from '../../../../../shared/bytes'
import type { CaptureEncoder } from '../../../../../electron/backend/capture/files/capture-encoder'
import type { PcapngStreamParser } from '../../../../../electron/backend/capture/files/pcapng-reader'
import { elementAt } from '../../../../../shared/element-at'

const ethernet: CaptureInterface = { name: 'lo', linkType: 1, snaplen: 262144, timestampDecimals: 9 }
const cooked: CaptureInterface = { name: 'any', linkType: 276, snaplen: 65535, timestampDecimals: 6 }

const packets: RawPacket[] = [
  { interfaceIndex: 0, timestampSeconds: 1_795_275_260, timestampNanos: 234_896_579, originalLength: 5, data: Uint8Array.of(1, 2, 3, 4, 5) },
  {
    interfaceIndex: 0,
    timestampSeconds: 1_795_275_261,
    timestampNanos: 1,
    originalLength: 1500,
    data: Uint8Array.of(9, 8, 7),
    comment: 'process: node (pid 1234) — ünïcode'
  }
]

function encodeAll(encoder: CaptureEncoder, list: readonly RawPacket[]): Uint8Array {
  return concatenateBytes([encoder.start(), ...list.map((packet) => encoder.encodePacket(packet))])
}

function decodeAll(bytes: Uint8Array) {
  const parser = new DetectingStreamParser()
  const out: RawPacket[] = []
  parser.feed(bytes, out)
  return { packets: out, error: parser.finish(), interfaces: parser.interfaces, parser }
}

describe('pcapng encoder', () => {
  it('round-trips packets, nanosecond timestamps, comments and interfaces', () => {
    const encoder = new PcapngEncoder({ interfaces: [ethernet], operatingSystem: 'Linux test' })
    const { packets: read, error, interfaces, parser } = decodeAll(encodeAll(encoder, packets))
    expect(error).toBeNull()
    expect(read).toEqual(packets)
    expect(interfaces).toEqual([ethernet])
    const section = elementAt((parser.formatParser as PcapngStreamParser).sections, 0)
    expect(section.application).toBe('sockscope')
    expect(section.operatingSystem).toBe('Linux test')
  })

  it('writes big-endian sections that read back the same', () => {
    const encoder = new PcapngEncoder({ interfaces: [ethernet], byteOrder: 'big-endian' })
    const bytes = encodeAll(encoder, packets)
    expect([...bytes.subarray(8, 12)]).toEqual([0x1a, 0x2b, 0x3c, 0x4d])
    expect(decodeAll(bytes).packets).toEqual(packets)
  })

  it('keeps each interface resolution when asked, dropping finer digits', () => {
    const encoder = new PcapngEncoder({ interfaces: [ethernet, cooked], timestampResolution: 'interface' })
    const onCooked = { ...elementAt(packets, 0), interfaceIndex: 1 }
    const { packets: read, interfaces } = decodeAll(encodeAll(encoder, [elementAt(packets, 0), onCooked]))
    expect(interfaces.map((i) => i.timestampDecimals)).toEqual([9, 6])
    expect(elementAt(read, 0).timestampNanos).toBe(234_896_579)
    expect(elementAt(read, 1).timestampNanos).toBe(234_896_000)
  })

  it('adds interfaces after the header and refuses packets of unknown interfaces', () => {
    const encoder = new PcapngEncoder()
    const chunks = [encoder.start(), encoder.addInterface(cooked), encoder.encodePacket({ ...elementAt(packets, 0), interfaceIndex: 0 })]
    expect(decodeAll(concatenateBytes(chunks)).interfaces).toEqual([{ ...cooked, timestampDecimals: 9 }])
    expect(() => encoder.encodePacket({ ...elementAt(packets, 0), interfaceIndex: 4 })).toThrow(CaptureWriteError)
  })
})

describe('pcap encoder', () => {
  for (const precision of ['microseconds', 'nanoseconds'] as const) {
    for (const byteOrder of ['little-endian', 'big-endian'] as const) {
      it(`round-trips ${precision}, ${byteOrder}`, () => {
        const encoder = new PcapEncoder({ interfaces: [ethernet], precision, byteOrder })
        const { packets: read, error, interfaces } = decodeAll(encodeAll(encoder, packets))
        expect(error).toBeNull()
        expect(interfaces[0]).toMatchObject({ linkType: 1, snaplen: 262144, timestampDecimals: precision === 'nanoseconds' ? 9 : 6 })
        expect(read.map((p) => [p.timestampSeconds, p.timestampNanos, p.originalLength, [...p.data]])).toEqual(
          packets.map((p) => [p.timestampSeconds, precision === 'nanoseconds' ? p.timestampNanos : Math.floor(p.timestampNanos / 1000) * 1000, p.originalLength, [...p.data]])
        )
      })
    }
  }

  it('refuses a second link type with a clear error', () => {
    expect(() => new PcapEncoder({ interfaces: [ethernet, cooked] })).toThrow(/one link type per file.*"any" has link type 276.*pcapng/)
    const encoder = new PcapEncoder({ interfaces: [ethernet] })
    expect(() => encoder.addInterface(cooked)).toThrow(CaptureWriteError)
    expect(encoder.addInterface({ ...ethernet, name: 'eth0' })).toHaveLength(0)
    expect(() => new PcapEncoder({ interfaces: [] })).toThrow(CaptureWriteError)
  })
})
