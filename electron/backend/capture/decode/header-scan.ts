/**
 * The fast path under file reads and imports: the IP and TCP/UDP header fields of a packet read
 * in place from its bytes into one reused {@link PacketHeaders}, with no string, object or
 * closure per packet. Addresses stay numbers (32-bit words) until something shows them.
 *
 * {@link scanHeaders} answers only for packets it reads exactly as the full decoder
 * (`summarizePacket`) does: Ethernet without tags or bare IP, IPv4 without fragmentation or
 * IPv6 without extension headers, TCP or UDP whose headers are whole and sound, and on top plain
 * data or DNS over UDP. Anything else (a VLAN tag, a fragment, ICMP, TLS or HTTP, a header the
 * decoder would call malformed…) it declines, and the caller decodes that packet in full and
 * fills the same record with {@link PacketHeaders.fromSummary}. Either way the record holds the
 * same values (`header-scan.test.ts` holds the two paths together on real and damaged files).
 */

import type { LayerKind, PacketSummary, TransportProtocol } from '../../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../../shared/model/packet'
import { checkDnsMessage } from '../../../../shared/dns/dns-reader'
import { LINKTYPE } from '../files/capture-format'

/** The link types the scan reads, as plain numbers: read once per packet. */
const { ETHERNET: LINK_ETHERNET, RAW: LINK_RAW, IPV4: LINK_IPV4, IPV6: LINK_IPV6 } = LINKTYPE
const ETHERTYPE_IPV4 = 0x0800
const ETHERTYPE_IPV6 = 0x86dd
const DNS_PORT = 53
const MDNS_PORT = 5353

/** One packet's fields as the summary, the conversation table and the TCP analysis read them. */
export class PacketHeaders {
  /** The packet's position in its capture (set by the caller). */
  index = 0
  interfaceIndex = 0
  timestampSeconds = 0
  timestampNanos = 0
  originalLength = 0
  capturedLength = 0
  /** The protocol column ("TCP", "DNS"…), one of the decoder's constant names. */
  protocol = ''
  /** The layer at which the packet stops making sense, null when it is sound. */
  malformed: LayerKind | null = null
  /** 4 or 6, 0 without an IP layer. */
  ipVersion: 0 | 4 | 6 = 0
  /** The IP protocol number, -1 when unknown. */
  ipProtocol = -1
  transport: TransportProtocol | null = null
  /** Source and destination as 32-bit words, most significant first (IPv4 uses the first). */
  readonly source = new Uint32Array(4)
  readonly destination = new Uint32Array(4)
  /**
   * The addresses as text, when they came that way (a decoded summary); null when only the
   * words are set, as the scan sets them.
   */
  sourceText: string | null = null
  destinationText: string | null = null
  /** True when the addresses are the texts above (a decoded summary), false when they are the words. */
  addressesAsText = false
  /** Ports, -1 without any. */
  sourcePort = -1
  destinationPort = -1
  /** TCP flags, -1 for a packet that is not TCP. */
  tcpFlags = -1
  sequence = 0
  acknowledgment = 0
  /** The window as written in the header (not scaled). */
  window = 0
  /** The window scale option's shift, or null when the segment has none. */
  windowScale: number | null = null
  payloadLength = 0
  fragment = false
  comment: string | null = null

  /** Takes the record fields of a packet (time, lengths, comment) and clears the rest. */
  start(packet: RawPacket): this {
    return this.begin(packet.interfaceIndex, packet.timestampSeconds, packet.timestampNanos, packet.originalLength, packet.data.length, packet.comment ?? null)
  }

  /** {@link start} from the fields of a file's packet record. */
  begin(interfaceIndex: number, seconds: number, nanos: number, originalLength: number, capturedLength: number, comment: string | null): this {
    this.interfaceIndex = interfaceIndex
    this.timestampSeconds = seconds
    this.timestampNanos = nanos
    this.originalLength = originalLength
    this.capturedLength = capturedLength
    this.comment = comment
    this.protocol = ''
    this.malformed = null
    this.ipVersion = 0
    this.ipProtocol = -1
    this.transport = null
    this.sourceText = null
    this.destinationText = null
    this.addressesAsText = false
    this.sourcePort = -1
    this.destinationPort = -1
    this.tcpFlags = -1
    this.windowScale = null
    this.payloadLength = 0
    this.fragment = false
    return this
  }

  /** Fills the record from a decoded summary: the slow path, and live packets, which arrive decoded. */
  fromSummary(summary: PacketSummary): this {
    this.interfaceIndex = summary.interfaceIndex
    this.timestampSeconds = summary.timestampSeconds
    this.timestampNanos = summary.timestampNanos
    this.originalLength = summary.originalLength
    this.capturedLength = summary.capturedLength
    this.comment = summary.comment
    this.protocol = summary.protocol
    this.malformed = summary.malformed?.layer ?? null
    this.ipVersion = summary.ipVersion ?? 0
    this.ipProtocol = summary.ipProtocol ?? -1
    this.transport = summary.transport
    this.sourceText = summary.sourceAddress
    this.destinationText = summary.destinationAddress
    this.addressesAsText = true
    this.sourcePort = summary.sourcePort ?? -1
    this.destinationPort = summary.destinationPort ?? -1
    this.tcpFlags = summary.tcpFlags ?? -1
    this.sequence = summary.tcpSequence ?? 0
    this.acknowledgment = summary.tcpAcknowledgment ?? 0
    this.window = summary.tcpWindow ?? 0
    this.windowScale = summary.tcpWindowScale
    this.payloadLength = summary.payloadLength
    this.fragment = summary.fragment
    return this
  }

  /** True when the TCP analysis can judge this packet: a whole TCP header, not a fragment. */
  get analysable(): boolean {
    return this.transport === 'tcp' && this.tcpFlags >= 0 && !this.fragment && this.malformed !== 'tcp'
  }
}

/** A byte inside bounds the caller checked. */
function byteAt(data: Uint8Array, position: number): number {
  return data[position] ?? 0
}

function uint16At(data: Uint8Array, position: number): number {
  return ((data[position] ?? 0) << 8) | (data[position + 1] ?? 0)
}

function uint32At(data: Uint8Array, position: number): number {
  return (((data[position] ?? 0) << 24) | ((data[position + 1] ?? 0) << 16) | ((data[position + 2] ?? 0) << 8) | (data[position + 3] ?? 0)) >>> 0
}

/**
 * Reads the headers of the packet whose captured bytes are `data[start, start + capturedLength)`
 * into `headers` (after {@link PacketHeaders.begin}); true when every field is what the full
 * decoder would give, false when the packet needs the full decoder.
 */
export function scanHeaders(headers: PacketHeaders, data: Uint8Array, start: number, capturedLength: number, originalLength: number, linkType: number): boolean {
  const end = start + capturedLength
  const cutBySnaplen = originalLength > capturedLength
  if (linkType === LINK_ETHERNET) {
    if (capturedLength < 14) return false
    const etherType = uint16At(data, start + 12)
    if (etherType === ETHERTYPE_IPV4) return scanIpv4(headers, data, start + 14, end, cutBySnaplen)
    if (etherType === ETHERTYPE_IPV6) return scanIpv6(headers, data, start + 14, end, cutBySnaplen)
    return false
  }
  if (linkType === LINK_IPV4) return scanIpv4(headers, data, start, end, cutBySnaplen)
  if (linkType === LINK_IPV6) return scanIpv6(headers, data, start, end, cutBySnaplen)
  if (linkType === LINK_RAW && capturedLength > 0) {
    const version = byteAt(data, start) >> 4
    if (version === 4) return scanIpv4(headers, data, start, end, cutBySnaplen)
    if (version === 6) return scanIpv6(headers, data, start, end, cutBySnaplen)
  }
  return false
}

/** IPv4 at `offset`; `end` is where the packet's captured bytes end. */
function scanIpv4(headers: PacketHeaders, data: Uint8Array, offset: number, end: number, cutBySnaplen: boolean): boolean {
  if (offset + 20 > end) return false
  const first = byteAt(data, offset)
  const headerLength = (first & 0x0f) * 4
  if (first >> 4 !== 4 || headerLength < 20 || offset + headerLength > end) return false
  const totalLength = uint16At(data, offset + 2)
  if (totalLength !== 0 && totalLength < headerLength) return false
  const packetEnd = totalLength === 0 ? end : offset + totalLength
  if (packetEnd > end && !cutBySnaplen) return false
  // Fragments (more to come, or a later piece) keep their own info lines: the decoder's job.
  if ((uint16At(data, offset + 6) & 0x3fff) !== 0) return false
  const protocol = byteAt(data, offset + 9)
  headers.ipVersion = 4
  headers.ipProtocol = protocol
  headers.source[0] = uint32At(data, offset + 12)
  headers.destination[0] = uint32At(data, offset + 16)
  headers.source[1] = headers.source[2] = headers.source[3] = 0
  headers.destination[1] = headers.destination[2] = headers.destination[3] = 0
  const wireLength = (totalLength === 0 ? end - offset : totalLength) - headerLength
  return scanTransport(headers, data, protocol, offset + headerLength, Math.min(packetEnd, end), wireLength, cutBySnaplen)
}

function scanIpv6(headers: PacketHeaders, data: Uint8Array, offset: number, end: number, cutBySnaplen: boolean): boolean {
  if (offset + 40 > end || byteAt(data, offset) >> 4 !== 6) return false
  const payloadLength = uint16At(data, offset + 4)
  const packetEnd = payloadLength === 0 ? end : offset + 40 + payloadLength
  if (packetEnd > end && !cutBySnaplen) return false
  // Extension headers (and fragments among them) are the decoder's job.
  const protocol = byteAt(data, offset + 6)
  if (protocol !== 6 && protocol !== 17) return false
  headers.ipVersion = 6
  headers.ipProtocol = protocol
  for (let word = 0; word < 4; word++) {
    headers.source[word] = uint32At(data, offset + 8 + word * 4)
    headers.destination[word] = uint32At(data, offset + 24 + word * 4)
  }
  return scanTransport(headers, data, protocol, offset + 40, Math.min(packetEnd, end), packetEnd - offset - 40, cutBySnaplen)
}

/** TCP or UDP at `offset`; `end` is where captured IP payload ends, `wireLength` the transport's length on the wire. */
function scanTransport(headers: PacketHeaders, data: Uint8Array, protocol: number, offset: number, end: number, wireLength: number, cutBySnaplen: boolean): boolean {
  if (protocol === 17) return scanUdp(headers, data, offset, end, wireLength)
  if (protocol === 6) return scanTcp(headers, data, offset, end, wireLength, cutBySnaplen)
  return false
}

function scanUdp(headers: PacketHeaders, data: Uint8Array, offset: number, end: number, wireLength: number): boolean {
  if (offset + 8 > end) return false
  const length = uint16At(data, offset + 4)
  if ((length !== 0 && length < 8) || length > wireLength) return false
  const sourcePort = uint16At(data, offset)
  const destinationPort = uint16At(data, offset + 2)
  const datagramLength = length === 0 ? wireLength : length
  headers.transport = 'udp'
  headers.protocol = 'UDP'
  headers.sourcePort = sourcePort
  headers.destinationPort = destinationPort
  headers.payloadLength = Math.max(0, datagramLength - 8)
  const payloadEnd = Math.min(offset + datagramLength, end)
  if (payloadEnd > offset + 8 && (sourcePort === DNS_PORT || destinationPort === DNS_PORT || sourcePort === MDNS_PORT || destinationPort === MDNS_PORT)) {
    const multicast = sourcePort === MDNS_PORT || destinationPort === MDNS_PORT
    const check = checkDnsMessage(data, offset + 8, payloadEnd)
    if (check !== 'too-short') {
      headers.protocol = multicast ? 'MDNS' : 'DNS'
      if (check !== 'sound') headers.malformed = 'dns'
    }
  }
  return true
}

/** Window scale option kind, and the option kinds the decoder checks the length of. */
const TCP_OPTION_WINDOW_SCALE = 3
const TCP_OPTION_LENGTHS: Readonly<Record<number, (length: number) => boolean>> = {
  2: (length) => length === 4,
  3: (length) => length === 3,
  4: (length) => length === 2,
  5: (length) => (length - 2) % 8 === 0,
  8: (length) => length === 10
}

function scanTcp(headers: PacketHeaders, data: Uint8Array, offset: number, end: number, wireLength: number, cutBySnaplen: boolean): boolean {
  if (offset + 20 > end) return false
  const headerLength = (byteAt(data, offset + 12) >> 4) * 4
  if (headerLength < 20 || headerLength > wireLength) return false
  const sourcePort = uint16At(data, offset)
  const destinationPort = uint16At(data, offset + 2)
  // DNS over TCP has its own framing: the decoder's job.
  if (sourcePort === DNS_PORT || destinationPort === DNS_PORT || sourcePort === MDNS_PORT || destinationPort === MDNS_PORT) return false
  let windowScale: number | null = null
  if (headerLength > 20) {
    const optionsEnd = Math.min(offset + headerLength, end)
    if (optionsEnd < offset + headerLength && !cutBySnaplen) return false
    for (let position = offset + 20; position < optionsEnd;) {
      const kind = byteAt(data, position)
      if (kind === 0) break
      if (kind === 1) {
        position += 1
        continue
      }
      if (position + 2 > optionsEnd) return false
      const length = byteAt(data, position + 1)
      if (length < 2 || position + length > optionsEnd) return false
      const fits = TCP_OPTION_LENGTHS[kind]
      if (fits !== undefined && !fits(length)) return false
      if (kind === TCP_OPTION_WINDOW_SCALE) windowScale = byteAt(data, position + 2)
      position += length
    }
  }
  const payloadStart = offset + headerLength
  if (payloadStart < end) {
    // A payload that may open a TLS record (content types 20 to 24) or an HTTP line (an upper-case letter): the decoder's job.
    const first = byteAt(data, payloadStart)
    if ((first >= 20 && first <= 24) || (first >= 0x41 && first <= 0x5a)) return false
  }
  headers.transport = 'tcp'
  headers.protocol = 'TCP'
  headers.sourcePort = sourcePort
  headers.destinationPort = destinationPort
  headers.sequence = uint32At(data, offset + 4)
  headers.acknowledgment = uint32At(data, offset + 8)
  headers.tcpFlags = ((byteAt(data, offset + 12) & 0x01) << 8) | byteAt(data, offset + 13)
  headers.window = uint16At(data, offset + 14)
  headers.windowScale = windowScale
  // Never negative: a header longer than the segment was declined above.
  headers.payloadLength = wireLength - headerLength
  return true
}
