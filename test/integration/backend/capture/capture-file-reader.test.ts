/**
 * The file readers against Wireshark's own reader: every fixture (real captures by tcpdump,
 * dumpcap and editcap) must give the packet count, byte total, timestamps, lengths and
 * interfaces that capinfos and tshark report for the same file.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatTimestampEpoch } from '../../../../shared/model/decoded-packet'
import { readCaptureFile } from '../../../../electron/backend/capture/files/capture-file-reader'
import { capinfosCounts, tsharkFields, wiresharkMissingReason } from '../../../support/capture/wireshark-tools'
import { elementAt } from '../../../../shared/element-at'

const fixtures = join(__dirname, '../../../fixtures/capture')
const names = readdirSync(fixtures).filter((name) => /\.pcap(ng)?$/.test(name))

describe.skipIf(wiresharkMissingReason !== null)(`capture file readers against capinfos and tshark${wiresharkMissingReason ? ` (skipped: ${wiresharkMissingReason})` : ''}`, () => {
  it('has fixtures of every kind', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'loopback.pcap',
        'loopback-nanoseconds.pcap',
        'loopback-big-endian.pcap',
        'loopback.pcapng',
        'loopback-nanoseconds.pcapng',
        'any-sll.pcap',
        'any-sll2.pcap',
        'multi-interface.pcapng',
        'multi-section.pcapng',
        'fragments.pcap',
        'loopback-snaplen-64.pcapng'
      ])
    )
  })

  for (const name of names) {
    it(name, async () => {
      const path = join(fixtures, name)
      const result = await readCaptureFile(path, { chunkSize: 4096 })
      expect(result.error).toBeNull()
      const reference = capinfosCounts(path)
      expect(result.packets.length).toBe(reference.packets)
      expect(result.packets.reduce((sum, packet) => sum + packet.originalLength, 0)).toBe(reference.dataBytes)
      const rows = tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_id'])
      expect(
        result.packets.map((packet) => [formatTimestampEpoch({ seconds: packet.timestampSeconds, nanos: packet.timestampNanos }), packet.originalLength, packet.data.length])
      ).toEqual(rows.map(([time, length, captured]) => [time, Number(length), Number(captured)]))
      // tshark numbers interfaces per section; sockscope numbers them file-wide (checked below).
      if (result.format === 'pcapng' && name !== 'multi-section.pcapng') {
        expect(result.packets.map((packet) => packet.interfaceIndex)).toEqual(rows.map((row) => Number(row[3])))
      }
    })
  }

  it('numbers the interfaces of a second section after those of the first', async () => {
    const path = join(fixtures, 'multi-section.pcapng')
    const result = await readCaptureFile(path)
    const firstSection = capinfosCounts(join(fixtures, 'loopback.pcapng')).packets
    const perSection = tsharkFields(path, ['frame.interface_id']).map((row) => Number(row[0]))
    expect(result.interfaces).toHaveLength(2)
    expect(result.packets.map((packet) => packet.interfaceIndex)).toEqual(perSection.map((id, index) => id + (index < firstSection ? 0 : 1)))
  })

  it('names the interfaces of a two-interface capture as dumpcap recorded them', async () => {
    const path = join(fixtures, 'multi-interface.pcapng')
    const result = await readCaptureFile(path)
    const rows = tsharkFields(path, ['frame.interface_name', 'frame.interface_id'])
    expect(result.packets.map((packet) => elementAt(result.interfaces, packet.interfaceIndex).name)).toEqual(rows.map((row) => row[0]))
    expect(result.interfaces.map((i) => i.linkType)).toEqual([1, 113])
  })
})
