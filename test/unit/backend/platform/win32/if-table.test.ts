/*
 * GetIfTable2's table. No table recorded on Windows was available: the tables are laid out by
 * koffi from the documented MIB_IF_ROW2 (test/support/windows-structs.ts) with made-up interfaces.
 */
import { describe, expect, it } from 'vitest'
import { decodeIfTable, MIB_IF_ROW2 } from '../../../../../electron/backend/platform/win32/if-table'
import { ifRow2, ifTable, koffi } from '../../../../support/windows-structs'

const ethernet = { alias: 'Ethernet', inOctets: 7_295_722_068n, inUnicast: 5_700_000n, inOther: 8_989n, outOctets: 379_533_492n, outUnicast: 3_494_000n, outOther: 252n }

describe('decodeIfTable', () => {
  it('has the documented row size, and reads each field where koffi lays out the struct', () => {
    expect(koffi.sizeof(ifRow2)).toBe(MIB_IF_ROW2.size)
    expect(koffi.sizeof(ifRow2)).toBe(1352)
    expect([
      MIB_IF_ROW2.alias,
      MIB_IF_ROW2.flags,
      MIB_IF_ROW2.inOctets,
      MIB_IF_ROW2.inUnicastPackets,
      MIB_IF_ROW2.inOtherPackets,
      MIB_IF_ROW2.outOctets,
      MIB_IF_ROW2.outUnicastPackets,
      MIB_IF_ROW2.outOtherPackets
    ]).toEqual(
      ['Alias', 'InterfaceAndOperStatusFlags', 'InOctets', 'InUcastPkts', 'InNUcastPkts', 'OutOctets', 'OutUcastPkts', 'OutNUcastPkts'].map((field) =>
        koffi.offsetof(ifRow2, field)
      )
    )
  })

  it('reads names and counters, packets being unicast plus the rest, and leaves filter interfaces out', () => {
    const table = ifTable([
      ethernet,
      { ...ethernet, alias: 'Ethernet-WFP Native MAC Layer LightWeight Filter-0000', filter: true },
      { alias: 'Wi-Fi', inOctets: 0n, inUnicast: 0n, inOther: 0n, outOctets: 10n, outUnicast: 1n, outOther: 0n }
    ])
    expect(decodeIfTable(table)).toEqual({
      interfaces: [
        { name: 'Ethernet', receiveBytes: 7_295_722_068, receivePackets: 5_708_989, transmitBytes: 379_533_492, transmitPackets: 3_494_252 },
        { name: 'Wi-Fi', receiveBytes: 0, receivePackets: 0, transmitBytes: 10, transmitPackets: 1 }
      ],
      issues: []
    })
  })

  it('tells apart two interfaces with one alias', () => {
    expect(decodeIfTable(ifTable([ethernet, ethernet])).interfaces.map((entry) => entry.name)).toEqual(['Ethernet', 'Ethernet #2'])
  })

  it('keeps the rows that fit when the table is cut short, and says so', () => {
    const table = ifTable([ethernet, { ...ethernet, alias: 'Wi-Fi' }])
    expect(decodeIfTable(table.subarray(0, table.length - 1))).toEqual({
      interfaces: [expect.objectContaining({ name: 'Ethernet' })],
      issues: [{ source: 'GetIfTable2', line: 2, message: 'the table says 2 rows but holds only 1', text: '' }]
    })
    expect(decodeIfTable(table.subarray(0, 8 + MIB_IF_ROW2.size)).interfaces).toHaveLength(1)
    expect(decodeIfTable(table.subarray(0, 7)).issues[0]?.message).toBe('the table is 7 bytes, too short for its row count')
  })
})
