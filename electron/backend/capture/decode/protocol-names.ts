/**
 * Names for protocol numbers, as capture tools show them. DNS names live with the DNS reader in
 * shared/dns/dns-reader.ts.
 */

import { TCP_FLAG } from '../../../../shared/model/decoded-packet'

const ETHER_TYPES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x8035: 'RARP',
  0x8100: '802.1Q VLAN',
  0x86dd: 'IPv6',
  0x8847: 'MPLS',
  0x8848: 'MPLS multicast',
  0x8863: 'PPPoE discovery',
  0x8864: 'PPPoE session',
  0x888e: '802.1X',
  0x88a8: '802.1ad QinQ',
  0x88cc: 'LLDP',
  0x9100: 'QinQ'
}

/** The name of an EtherType, or its hex value. */
export function etherTypeName(etherType: number): string {
  return ETHER_TYPES[etherType] ?? `0x${etherType.toString(16).padStart(4, '0')}`
}

const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'IPv6 Routing',
  44: 'IPv6 Fragment',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'IPv6 No Next Header',
  60: 'IPv6 Destination Options',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
  136: 'UDP-Lite'
}

/** The name of an IP protocol number, e.g. 6 → TCP. */
export function ipProtocolName(protocol: number): string {
  return IP_PROTOCOLS[protocol] ?? `IP protocol ${protocol}`
}

interface IcmpTypeNames {
  readonly name: string
  readonly codes?: Record<number, string>
}

const ICMP_TYPES: Record<number, IcmpTypeNames> = {
  0: { name: 'Echo (ping) reply' },
  3: {
    name: 'Destination unreachable',
    codes: {
      0: 'Network unreachable',
      1: 'Host unreachable',
      2: 'Protocol unreachable',
      3: 'Port unreachable',
      4: 'Fragmentation needed',
      5: 'Source route failed',
      6: 'Destination network unknown',
      7: 'Destination host unknown',
      9: 'Network administratively prohibited',
      10: 'Host administratively prohibited',
      13: 'Communication administratively filtered'
    }
  },
  4: { name: 'Source quench' },
  5: { name: 'Redirect', codes: { 0: 'Redirect for network', 1: 'Redirect for host', 2: 'Redirect for TOS and network', 3: 'Redirect for TOS and host' } },
  8: { name: 'Echo (ping) request' },
  9: { name: 'Router advertisement' },
  10: { name: 'Router solicitation' },
  11: { name: 'Time-to-live exceeded', codes: { 0: 'Time to live exceeded in transit', 1: 'Fragment reassembly time exceeded' } },
  12: { name: 'Parameter problem' },
  13: { name: 'Timestamp request' },
  14: { name: 'Timestamp reply' }
}

const ICMPV6_TYPES: Record<number, IcmpTypeNames> = {
  1: {
    name: 'Destination Unreachable',
    codes: {
      0: 'No route to destination',
      1: 'Administratively prohibited',
      2: 'Beyond scope of source address',
      3: 'Address unreachable',
      4: 'Port unreachable',
      5: 'Source address failed ingress/egress policy',
      6: 'Reject route to destination'
    }
  },
  2: { name: 'Packet Too Big' },
  3: { name: 'Time Exceeded', codes: { 0: 'Hop limit exceeded in transit', 1: 'Fragment reassembly time exceeded' } },
  4: { name: 'Parameter Problem', codes: { 0: 'Erroneous header field', 1: 'Unrecognized Next Header type', 2: 'Unrecognized IPv6 option' } },
  128: { name: 'Echo (ping) request' },
  129: { name: 'Echo (ping) reply' },
  130: { name: 'Multicast Listener Query' },
  131: { name: 'Multicast Listener Report' },
  132: { name: 'Multicast Listener Done' },
  133: { name: 'Router Solicitation' },
  134: { name: 'Router Advertisement' },
  135: { name: 'Neighbor Solicitation' },
  136: { name: 'Neighbor Advertisement' },
  137: { name: 'Redirect' },
  143: { name: 'Multicast Listener Report Message v2' }
}

/** The name of an ICMP (version 4 or 6) type, e.g. "Echo (ping) request". */
export function icmpTypeName(version: 4 | 6, type: number): string {
  return (version === 4 ? ICMP_TYPES : ICMPV6_TYPES)[type]?.name ?? `Type ${type}`
}

/** The name of an ICMP code within its type, or null when the type has no named codes. */
export function icmpCodeName(version: 4 | 6, type: number, code: number): string | null {
  const codes = (version === 4 ? ICMP_TYPES : ICMPV6_TYPES)[type]?.codes
  if (codes === undefined) return null
  return codes[code] ?? `Code ${code}`
}

const TLS_HANDSHAKE_TYPES: Record<number, string> = {
  0: 'Hello Request',
  1: 'Client Hello',
  2: 'Server Hello',
  4: 'New Session Ticket',
  5: 'End of Early Data',
  8: 'Encrypted Extensions',
  11: 'Certificate',
  12: 'Server Key Exchange',
  13: 'Certificate Request',
  14: 'Server Hello Done',
  15: 'Certificate Verify',
  16: 'Client Key Exchange',
  20: 'Finished',
  24: 'Key Update'
}

/** The name of a TLS handshake message type. */
export function tlsHandshakeName(type: number): string {
  return TLS_HANDSHAKE_TYPES[type] ?? `Handshake type ${type}`
}

const TLS_CONTENT_TYPES: Record<number, string> = {
  20: 'Change Cipher Spec',
  21: 'Alert',
  22: 'Handshake',
  23: 'Application Data',
  24: 'Heartbeat'
}

/** The name of a TLS record content type. */
export function tlsContentTypeName(type: number): string {
  return TLS_CONTENT_TYPES[type] ?? `Content type ${type}`
}

/** TLS version as text: 0x0303 → "TLS 1.2", 0x0300 → "SSL 3.0". */
export function tlsVersionName(version: number): string {
  if (version === 0x0300) return 'SSL 3.0'
  if (version >= 0x0301 && version <= 0x0304) return `TLS 1.${(version & 0xff) - 1}`
  return `0x${version.toString(16).padStart(4, '0')}`
}

const TCP_FLAG_ORDER: readonly (readonly [number, string])[] = [
  [TCP_FLAG.FIN, 'FIN'],
  [TCP_FLAG.SYN, 'SYN'],
  [TCP_FLAG.RST, 'RST'],
  [TCP_FLAG.PSH, 'PSH'],
  [TCP_FLAG.ACK, 'ACK'],
  [TCP_FLAG.URG, 'URG'],
  [TCP_FLAG.ECE, 'ECE'],
  [TCP_FLAG.CWR, 'CWR'],
  [TCP_FLAG.AE, 'AE']
]

/** TCP flags as names, e.g. 0x012 → "SYN, ACK". */
export function tcpFlagNames(flags: number): string {
  const names: string[] = []
  for (const [bit, name] of TCP_FLAG_ORDER) if ((flags & bit) !== 0) names.push(name)
  return names.join(', ')
}

/** Each TCP flag bit with its name, lowest bit first. */
export const TCP_FLAG_BITS = TCP_FLAG_ORDER
