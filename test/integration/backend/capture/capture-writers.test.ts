/**
 * The writers against Wireshark's reader: files sockscope writes must open in tshark and
 * capinfos with the same packets, timestamps, lengths, interfaces and process comments.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatTimestampEpoch } from '../../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../../shared/model/packet'
import { readCaptureFile } from '../../../../electron/backend/capture/files/capture-file-reader'
import { CaptureFileWriter, createCaptureEncoder, writeCaptureFile } from '../../../../electron/backend/capture/files/capture-file-writer'
import { PcapEncoder } from '../../../../electron/backend/capture/files/pcap-writer'
import { PcapngEncoder } from '../../../../electron/backend/capture/files/pcapng-writer'
import { capinfosCounts, tsharkFields, wiresharkMissingReason } from '../../../support/capture/wireshark-tools'
import { elementAt } from '../../../../shared/element-at'

const fixtures = join(__dirname, '../../../fixtures/capture')
let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-writer-'))
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

const epoch = (packet: RawPacket) => formatTimestampEpoch({ seconds: packet.timestampSeconds, nanos: packet.timestampNanos })

/** Checks tshark sees exactly these packets, with timestamps cut to `decimals`. */
function expectTsharkSees(path: string, packets: readonly RawPacket[], decimals = 9): void {
  const reference = capinfosCounts(path)
  expect(reference.packets).toBe(packets.length)
  expect(reference.dataBytes).toBe(packets.reduce((sum, packet) => sum + packet.originalLength, 0))
  const rows = tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len'])
  const cut = (packet: RawPacket) => {
    const unit = 10 ** (9 - decimals)
    return formatTimestampEpoch({ seconds: packet.timestampSeconds, nanos: Math.floor(packet.timestampNanos / unit) * unit })
  }
  expect(rows.map(([time, length, captured]) => [time, Number(length), Number(captured)])).toEqual(
    packets.map((packet) => [cut(packet), packet.originalLength, packet.data.length])
  )
}

describe.skipIf(wiresharkMissingReason !== null)(`capture writers read back by tshark${wiresharkMissingReason ? ` (skipped: ${wiresharkMissingReason})` : ''}`, () => {
  it('pcapng with nanosecond timestamps and process comments', async () => {
    const source = await readCaptureFile(join(fixtures, 'loopback-nanoseconds.pcapng'))
    const packets = source.packets.map((packet, index) => (index % 3 === 0 ? { ...packet, comment: `process: node (pid ${1000 + index})` } : packet))
    const path = join(directory, 'commented.pcapng')
    const count = await writeCaptureFile(path, createCaptureEncoder({ format: 'pcapng', interfaces: source.interfaces }), packets)
    expect(count).toBe(packets.length)
    expectTsharkSees(path, packets)
    const comments = tsharkFields(path, ['frame.comment']).map((row) => row[0])
    expect(comments).toEqual(packets.map((packet) => packet.comment ?? ''))
    expect(comments[3]).toBe('process: node (pid 1003)')
    const again = await readCaptureFile(path)
    expect(again.packets).toEqual(packets)
  })

  it('pcapng keeps several interfaces with their names and link types', async () => {
    const source = await readCaptureFile(join(fixtures, 'multi-interface.pcapng'))
    const path = join(directory, 'two-interfaces.pcapng')
    await writeCaptureFile(path, new PcapngEncoder({ interfaces: source.interfaces }), source.packets)
    expectTsharkSees(path, source.packets)
    const rows = tsharkFields(path, ['frame.interface_id', 'frame.interface_name', 'frame.protocols'])
    expect(rows.map((row) => [Number(row[0]), row[1]])).toEqual(source.packets.map((packet) => [packet.interfaceIndex, elementAt(source.interfaces, packet.interfaceIndex).name]))
    expect(new Set(rows.map((row) => elementAt(row, 2).split(':')[0]))).toEqual(new Set(['eth', 'sll']))
  })

  it('pcapng at microsecond resolution when the interface asks for it, and big-endian', async () => {
    const source = await readCaptureFile(join(fixtures, 'loopback-nanoseconds.pcap'))
    const micro = source.interfaces.map((i) => ({ ...i, timestampDecimals: 6 }))
    const path = join(directory, 'micro.pcapng')
    await writeCaptureFile(path, new PcapngEncoder({ interfaces: micro, timestampResolution: 'interface' }), source.packets)
    expectTsharkSees(path, source.packets, 6)
    const bigEndian = join(directory, 'big-endian.pcapng')
    await writeCaptureFile(bigEndian, new PcapngEncoder({ interfaces: source.interfaces, byteOrder: 'big-endian' }), source.packets)
    expectTsharkSees(bigEndian, source.packets)
  })

  for (const [precision, byteOrder] of [
    ['microseconds', 'little-endian'],
    ['nanoseconds', 'little-endian'],
    ['nanoseconds', 'big-endian']
  ] as const) {
    it(`classic pcap, ${precision}, ${byteOrder}`, async () => {
      const source = await readCaptureFile(join(fixtures, 'any-sll2.pcap'))
      const path = join(directory, `${precision}-${byteOrder}.pcap`)
      await writeCaptureFile(path, new PcapEncoder({ interfaces: source.interfaces, precision, byteOrder }), source.packets)
      expectTsharkSees(path, source.packets, precision === 'nanoseconds' ? 9 : 6)
      expect(tsharkFields(path, ['sll.etype']).every((row) => row[0] === '0x0800' || row[0] === '0x86dd')).toBe(true)
      expect(epoch(elementAt(source.packets, 0))).toMatch(/^\d+\.\d{9}$/)
    })
  }

  it('streams with back-pressure through CaptureFileWriter', async () => {
    const source = await readCaptureFile(join(fixtures, 'loopback.pcap'))
    const path = join(directory, 'streamed.pcapng')
    const writer = await CaptureFileWriter.create(path, new PcapngEncoder())
    expect(await writer.addInterface(elementAt(source.interfaces, 0))).toBe(0)
    for (let round = 0; round < 40; round += 1) for (const packet of source.packets) await writer.writePacket(packet)
    await writer.close()
    expect(capinfosCounts(path).packets).toBe(source.packets.length * 40)
  })
})
