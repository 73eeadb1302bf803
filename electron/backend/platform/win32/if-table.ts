/**
 * Decodes MIB_IF_TABLE2, as GetIfTable2 fills it (netioapi.h; Microsoft's documentation of
 * MIB_IF_ROW2), into per-interface counters. The table is a ULONG count, then rows of 1352 bytes
 * 8-aligned at offset 8. Of each row sockscope reads the alias (WCHAR[257] at 28, the name Windows
 * shows: "Ethernet", "Wi-Fi"), the flags byte at 1152 (bit 1: a filter driver's view of another
 * interface, left out so traffic is not counted twice) and the 64-bit counters: InOctets (1208),
 * InUcastPkts and InNUcastPkts (1216, 1224), OutOctets (1280), OutUcastPkts and OutNUcastPkts
 * (1288, 1296). No table recorded on Windows was available; the decoder is tested on tables laid
 * out from the documented struct. Pure.
 */
import type { TableIssue } from '../../../../shared/model/socket'
import type { InterfaceCounters } from '../platform'

/** The layout on 64-bit Windows. */
export const MIB_IF_ROW2 = {
  size: 1352,
  tableHeader: 8,
  alias: 28,
  aliasUnits: 257,
  flags: 1152,
  inOctets: 1208,
  inUnicastPackets: 1216,
  inOtherPackets: 1224,
  outOctets: 1280,
  outUnicastPackets: 1288,
  outOtherPackets: 1296
} as const

/** InterfaceAndOperStatusFlags bit of a filter interface (FilterInterface). */
const FILTER_INTERFACE = 0x2

/** The counters, and what could not be read. */
export interface InterfaceTableParse {
  readonly interfaces: readonly InterfaceCounters[]
  readonly issues: readonly TableIssue[]
}

/** Decodes one table; a short buffer loses only the rows it cuts off, with an issue. */
export function decodeIfTable(bytes: Uint8Array): InterfaceTableParse {
  const source = 'GetIfTable2'
  if (bytes.length < MIB_IF_ROW2.tableHeader)
    return { interfaces: [], issues: [{ source, line: 0, message: `the table is ${bytes.length} bytes, too short for its row count`, text: '' }] }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(0, true)
  const fits = Math.floor((bytes.length - MIB_IF_ROW2.tableHeader) / MIB_IF_ROW2.size)
  const issues: TableIssue[] = []
  if (fits < count) issues.push({ source, line: fits + 1, message: `the table says ${count} rows but holds only ${fits}`, text: '' })
  const interfaces: InterfaceCounters[] = []
  const seen = new Map<string, number>()
  for (let index = 0; index < Math.min(count, fits); index += 1) {
    const row = MIB_IF_ROW2.tableHeader + index * MIB_IF_ROW2.size
    if ((view.getUint8(row + MIB_IF_ROW2.flags) & FILTER_INTERFACE) !== 0) continue
    const counter = (offset: number) => Number(view.getBigUint64(row + offset, true))
    const alias = wideString(bytes, row + MIB_IF_ROW2.alias, MIB_IF_ROW2.aliasUnits)
    // Two interfaces may share an alias; the second and later get a number.
    const times = (seen.get(alias) ?? 0) + 1
    seen.set(alias, times)
    interfaces.push({
      name: times === 1 ? alias : `${alias} #${times}`,
      receiveBytes: counter(MIB_IF_ROW2.inOctets),
      receivePackets: counter(MIB_IF_ROW2.inUnicastPackets) + counter(MIB_IF_ROW2.inOtherPackets),
      transmitBytes: counter(MIB_IF_ROW2.outOctets),
      transmitPackets: counter(MIB_IF_ROW2.outUnicastPackets) + counter(MIB_IF_ROW2.outOtherPackets)
    })
  }
  return { interfaces, issues }
}

/** A NUL-terminated UTF-16 string in a fixed WCHAR array. */
function wideString(bytes: Uint8Array, offset: number, units: number): string {
  let end = offset
  while (end < offset + units * 2 && (bytes[end] !== 0 || bytes[end + 1] !== 0)) end += 2
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString('utf16le')
}
