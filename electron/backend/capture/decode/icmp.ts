/**
 * ICMP and ICMPv6: type and code with their names, echo identifiers, and the addresses of the
 * datagram an error message quotes.
 */

import { hexNumber, networkUint16 } from '../../../../shared/bytes'
import { ipv4Text, ipv6Text } from '../../../../shared/net/ip-address'
import type { DecodeState } from './decode-state'
import { icmpCodeName, icmpTypeName, ipProtocolName } from './protocol-names'
import { elementAt } from '../../../../shared/element-at'

/** Types that quote the offending datagram after 4 unused bytes. */
const ICMP_ERROR_TYPES = new Set([3, 4, 5, 11, 12])
const ICMPV6_ERROR_TYPES = new Set([1, 2, 3, 4])
const ICMP_ECHO_TYPES = new Set([0, 8, 13, 14])
const ICMPV6_ECHO_TYPES = new Set([128, 129])

/** Decodes an ICMP (version 4) or ICMPv6 (version 6) message at `offset`. */
export function decodeIcmp(state: DecodeState, version: 4 | 6, offset: number, end: number): void {
  const data = state.data
  const layer = version === 4 ? 'icmp' : 'icmpv6'
  state.protocol = version === 4 ? 'ICMP' : 'ICMPv6'
  state.transport = layer
  if (!state.headerFits(layer, offset, 4, end)) return
  const type = elementAt(data, offset)
  const code = elementAt(data, offset + 1)
  state.icmpType = type
  state.icmpCode = code
  state.payloadOffset = offset + 4
  state.payloadLength = Math.max(0, end - offset - 4)
  const typeName = icmpTypeName(version, type)
  const codeName = icmpCodeName(version, type, code)
  let info = codeName === null ? typeName : `${typeName} (${codeName})`
  const isEcho = (version === 4 ? ICMP_ECHO_TYPES : ICMPV6_ECHO_TYPES).has(type)
  const isError = (version === 4 ? ICMP_ERROR_TYPES : ICMPV6_ERROR_TYPES).has(type)
  if (isEcho && state.has(offset + 4, 4)) {
    info += `  id=${hexNumber(networkUint16(data, offset + 4), 4)}, seq=${networkUint16(data, offset + 6)}`
  }
  const quoted = offset + 8
  let quotedText = ''
  if (isError) quotedText = quotedDatagram(state, version, quoted, end)
  if (quotedText !== '') info += ` for ${quotedText}`
  state.info = info
  const tree = state.tree
  if (tree !== null) {
    const prefix = version === 4 ? 'icmp' : 'icmpv6'
    tree.layer(layer, version === 4 ? 'Internet Control Message Protocol' : 'Internet Control Message Protocol v6', offset, end - offset)
    tree.add(`${prefix}.type`, 'Type', type, offset, 1, `${type} (${typeName})`)
    tree.add(`${prefix}.code`, 'Code', code, offset + 1, 1, codeName === null ? String(code) : `${code} (${codeName})`)
    tree.add(`${prefix}.checksum`, 'Checksum', networkUint16(data, offset + 2), offset + 2, 2, hexNumber(networkUint16(data, offset + 2), 4))
    if (isEcho && state.has(offset + 4, 4)) {
      tree.add(`${prefix}.ident`, 'Identifier', networkUint16(data, offset + 4), offset + 4, 2, hexNumber(networkUint16(data, offset + 4), 4))
      tree.add(`${prefix}.seq`, 'Sequence Number', networkUint16(data, offset + 6), offset + 6, 2)
      if (end > offset + 8) tree.add('data.len', 'Data', end - offset - 8, offset + 8, end - offset - 8, `${end - offset - 8} bytes`)
    } else if (isError && end > quoted) {
      tree.add(`${prefix}.quoted`, 'Original datagram', quotedText, quoted, end - quoted, quotedText || `${end - quoted} bytes`)
    }
  }
}

/** "UDP 127.0.0.1:40000 → 127.0.0.1:9" for the datagram an ICMP error quotes, or '' if unreadable. */
function quotedDatagram(state: DecodeState, version: 4 | 6, offset: number, end: number): string {
  const data = state.data
  const limit = Math.min(end, state.captured)
  let protocol: number
  let source: string
  let destination: string
  let transport: number
  if (version === 4) {
    if (offset + 20 > limit || elementAt(data, offset) >> 4 !== 4) return ''
    protocol = elementAt(data, offset + 9)
    source = ipv4Text(data, offset + 12)
    destination = ipv4Text(data, offset + 16)
    transport = offset + (elementAt(data, offset) & 0x0f) * 4
  } else {
    if (offset + 40 > limit || elementAt(data, offset) >> 4 !== 6) return ''
    protocol = elementAt(data, offset + 6)
    source = ipv6Text(data, offset + 8)
    destination = ipv6Text(data, offset + 24)
    transport = offset + 40
  }
  if ((protocol === 6 || protocol === 17) && transport + 4 <= limit) {
    const open = version === 6 ? '[' : ''
    const close = version === 6 ? ']' : ''
    return `${ipProtocolName(protocol)} ${open}${source}${close}:${networkUint16(data, transport)} → ${open}${destination}${close}:${networkUint16(data, transport + 2)}`
  }
  return `${ipProtocolName(protocol)} ${source} → ${destination}`
}
