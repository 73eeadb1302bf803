/**
 * The decoded packet model: what the unprivileged decoders make of a {@link RawPacket}.
 *
 * Two levels, so a list of a million rows stays cheap:
 * - {@link PacketSummary} is flat (no nested objects) and is what the packet list, the filters,
 *   the conversation table and the stream reassembly work from;
 * - {@link DecodedPacketTree} is built on demand for one selected packet: every layer with its
 *   fields and the byte range each field came from, so the hex view can highlight it.
 *
 * Byte offsets are always relative to the start of the packet's `data`.
 */

import type { RawPacket } from './packet'

/** A layer the decoders know, bottom to top. */
export type LayerKind =
  'ethernet' | 'vlan' | 'linux-sll' | 'linux-sll2' | 'loopback' | 'arp' | 'ipv4' | 'ipv6' | 'ipv6-extension' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'dns' | 'tls' | 'http' | 'data'

/** A transport protocol the decoders take apart. */
export type TransportProtocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6'

/** Why a packet could not be fully decoded. The layers below the faulty one are still decoded. */
export interface MalformedInfo {
  /** The layer whose bytes did not make sense. */
  readonly layer: LayerKind
  readonly message: string
  /** Offset in the packet data where the problem was found. */
  readonly offset: number
}

/** TCP flag bits as they sit in the header's flags field (FIN is bit 0). */
export const TCP_FLAG = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** The former NS bit, now AE (accurate ECN). */
  AE: 0x100
} as const

/**
 * One packet in a single flat row: what the list shows and what filters and analyses read.
 *
 * Addresses are IP addresses when the packet has an IP layer, otherwise MAC addresses (or null
 * when the link layer carries none). Ports are null for protocols without ports.
 */
export interface PacketSummary {
  readonly interfaceIndex: number
  readonly timestampSeconds: number
  readonly timestampNanos: number
  /** Bytes captured (the length of the data). */
  readonly capturedLength: number
  /** Bytes on the wire. */
  readonly originalLength: number
  /** The LINKTYPE_* value the packet was decoded with. */
  readonly linkType: number
  /** The protocol column: the highest layer recognised (Ethernet, ARP, IPv4, TCP, DNS, TLS, HTTP, ...). */
  readonly protocol: string
  /** One line describing the packet, in the style of a capture tool's info column. */
  readonly info: string
  readonly ipVersion: 4 | 6 | null
  readonly sourceAddress: string | null
  readonly destinationAddress: string | null
  /** The IP protocol number of the transport (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  readonly ipProtocol: number | null
  readonly transport: TransportProtocol | null
  readonly sourcePort: number | null
  readonly destinationPort: number | null
  /** TCP flags as a bit set (see {@link TCP_FLAG}); null for anything but TCP. */
  readonly tcpFlags: number | null
  /** Raw (absolute) TCP sequence number. */
  readonly tcpSequence: number | null
  /** Raw (absolute) TCP acknowledgment number. */
  readonly tcpAcknowledgment: number | null
  /** TCP window as written in the header (not scaled). */
  readonly tcpWindow: number | null
  /** The window scale option's shift count (SYN segments carry it); null when the segment has none. */
  readonly tcpWindowScale: number | null
  /** ICMP or ICMPv6 type and code. */
  readonly icmpType: number | null
  readonly icmpCode: number | null
  /** Where the transport payload starts in the data (TCP segment data, UDP datagram data). */
  readonly payloadOffset: number
  /** Transport payload length on the wire, without link-layer padding; may exceed what was captured. */
  readonly payloadLength: number
  /** True for an IP fragment (more-fragments flag or a fragment offset). */
  readonly fragment: boolean
  readonly malformed: MalformedInfo | null
  /** The packet's comment (the owning process), copied from the raw packet. */
  readonly comment: string | null
  /**
   * What the TCP analysis judged the segment (TCP_ANALYSIS bits of `shared/model/tcp-analysis.ts`):
   * set by whoever ran the analysis over the capture, absent straight from a decoder.
   */
  readonly tcpAnalysis?: number
}

/** One field of the details tree. */
export interface DecodedField {
  /** A stable dotted key in the style of display filters, e.g. `tcp.srcport`, `dns.qry.name`. */
  readonly name: string
  /** What a person reads, e.g. "Source Port". */
  readonly label: string
  /** The value, for copying and filtering: numbers stay numbers. */
  readonly value: string | number | boolean | null
  /** The value as shown, e.g. "0x0002 (SYN)". */
  readonly display: string
  readonly offset: number
  readonly length: number
  readonly children: readonly DecodedField[]
}

/** One protocol layer of the details tree. */
export interface DecodedLayer {
  readonly kind: LayerKind
  /** Heading line, e.g. "Transmission Control Protocol, Src Port: 51234, Dst Port: 443". */
  readonly title: string
  readonly offset: number
  readonly length: number
  readonly fields: readonly DecodedField[]
}

/** TCP options of one segment. */
export interface TcpOptions {
  readonly maximumSegmentSize: number | null
  readonly windowScale: number | null
  readonly sackPermitted: boolean
  readonly sackBlocks: readonly { readonly left: number; readonly right: number }[]
  readonly timestamp: { readonly value: number; readonly echoReply: number } | null
}

/** A DNS question. */
export interface DnsQuestion {
  readonly name: string
  readonly type: number
  /** A name such as A, AAAA, PTR, or `TYPE65534` for one without a name. */
  readonly typeName: string
  /** The class with the mDNS unicast-response bit removed. */
  readonly class: number
}

/** A part of a DNS message: the questions, or one of the three record sections. */
export type DnsSection = 'question' | 'answer' | 'authority' | 'additional'

/** A DNS resource record. */
export interface DnsRecord {
  readonly section: Exclude<DnsSection, 'question'>
  readonly name: string
  readonly type: number
  readonly typeName: string
  readonly class: number
  readonly ttl: number
  /** The record data as zone-file text: an address, a name, TXT strings, or `\# length hex` for other types. */
  readonly data: string
}

/** The fixed 12-byte header of a DNS message, flags taken apart. */
export interface DnsHeader {
  readonly id: number
  readonly flags: number
  readonly isResponse: boolean
  readonly opcode: number
  readonly authoritative: boolean
  readonly truncated: boolean
  readonly recursionDesired: boolean
  readonly recursionAvailable: boolean
  readonly responseCode: number
  /** NOERROR, NXDOMAIN, SERVFAIL, ... */
  readonly responseCodeName: string
  /** The section sizes the header claims; a damaged message may hold fewer. */
  readonly questionCount: number
  readonly answerCount: number
  readonly authorityCount: number
  readonly additionalCount: number
}

/** A decoded DNS message (UDP or TCP, port 53 or 5353): its header and what its sections held. */
export interface DnsMessage extends DnsHeader {
  readonly questions: readonly DnsQuestion[]
  readonly answers: readonly DnsRecord[]
  readonly authorities: readonly DnsRecord[]
  readonly additionals: readonly DnsRecord[]
}

/** What a TLS handshake record at the start of a TCP payload says. */
export interface TlsHandshakeInfo {
  /** 1 ClientHello, 2 ServerHello, ... */
  readonly handshakeType: number
  readonly handshakeName: string
  /** The record layer version, e.g. 0x0301. */
  readonly recordVersion: number
  /** The legacy version inside the hello. */
  readonly helloVersion: number | null
  /** The server_name extension (SNI) host name. */
  readonly serverName: string | null
  /** The application protocols the ALPN extension lists (the one chosen, in a ServerHello). */
  readonly alpn: readonly string[]
  /** TLS versions from the supported_versions extension, e.g. [0x0304, 0x0303]. */
  readonly supportedVersions: readonly number[]
  /** True when the record goes on past the end of this segment, so later fields may be missing. */
  readonly incomplete: boolean
}

/** The first line of an HTTP/1 message and a few headers. */
export interface HttpStartLine {
  readonly kind: 'request' | 'response'
  /** Request only. */
  readonly method: string | null
  readonly target: string | null
  /** E.g. HTTP/1.1. */
  readonly version: string
  /** Response only. */
  readonly statusCode: number | null
  readonly reason: string | null
  /** The start line as sent, without the line ending. */
  readonly line: string
  /** Headers present in this segment, in order. */
  readonly headers: readonly { readonly name: string; readonly value: string }[]
}

/** Everything the decoders know about one packet, for the details pane. */
export interface DecodedPacketTree {
  readonly summary: PacketSummary
  readonly layers: readonly DecodedLayer[]
  readonly tcpOptions: TcpOptions | null
  readonly dns: DnsMessage | null
  readonly tls: TlsHandshakeInfo | null
  readonly http: HttpStartLine | null
}

/** A point in time as captures keep it, with no precision lost. */
export interface PacketTimestamp {
  readonly seconds: number
  readonly nanos: number
}

/** The timestamp of a raw packet or summary as one value. */
export function packetTimestamp(packet: RawPacket | PacketSummary): PacketTimestamp {
  return { seconds: packet.timestampSeconds, nanos: packet.timestampNanos }
}

/** Seconds from `start` to `end` as a float (nanosecond precision for spans under about 100 days). */
export function secondsBetween(start: PacketTimestamp, end: PacketTimestamp): number {
  return end.seconds - start.seconds + (end.nanos - start.nanos) / 1e9
}

/** The whole second formatted last: packets and conversations in a row mostly share their second. */
let lastIsoSecond = Number.NaN
let lastIsoPrefix = ''

/** The timestamp as an ISO 8601 UTC string with all nine fractional digits. */
export function formatTimestampIso(timestamp: PacketTimestamp): string {
  if (timestamp.seconds !== lastIsoSecond) {
    const date = new Date(timestamp.seconds * 1000)
    if (Number.isNaN(date.getTime())) return `${timestamp.seconds}.${String(timestamp.nanos).padStart(9, '0')}`
    lastIsoSecond = timestamp.seconds
    lastIsoPrefix = date.toISOString().slice(0, 19)
  }
  return `${lastIsoPrefix}.${String(timestamp.nanos).padStart(9, '0')}Z`
}

/** The timestamp as epoch seconds text with nine decimals ("1700000000.123456789"), exact unlike a float. */
export function formatTimestampEpoch(timestamp: PacketTimestamp): string {
  return `${timestamp.seconds}.${String(timestamp.nanos).padStart(9, '0')}`
}

/** Which way a packet went within a conversation: from endpoint A (the initiator) to B, or back. */
export type FlowDirection = 'a-to-b' | 'b-to-a'

/**
 * A 5-tuple flow seen in both directions. Endpoint A is the side that sent the first packet
 * (or the SYN, when the capture starts at a SYN-ACK).
 */
export interface Conversation {
  /** Direction-independent key: both directions of a flow share it. */
  readonly key: string
  readonly ipProtocol: number
  readonly transport: TransportProtocol | null
  readonly addressA: string
  /** Null for protocols without ports (ICMP) and for non-first IP fragments. */
  readonly portA: number | null
  readonly addressB: string
  readonly portB: number | null
  readonly packetsAToB: number
  readonly packetsBToA: number
  /** Bytes on the wire (original frame lengths). */
  readonly bytesAToB: number
  readonly bytesBToA: number
  /** Transport payload bytes. */
  readonly payloadBytesAToB: number
  readonly payloadBytesBToA: number
  readonly firstTimestamp: PacketTimestamp
  readonly lastTimestamp: PacketTimestamp
  readonly durationSeconds: number
  /** TCP: a SYN (without ACK) was seen. */
  readonly synSeen: boolean
  /** TCP: a SYN-ACK answered the SYN. */
  readonly synAckSeen: boolean
  /** TCP: SYN, SYN-ACK and the initiator's ACK were all seen, in that order. */
  readonly handshakeComplete: boolean
  readonly finFromA: boolean
  readonly finFromB: boolean
  readonly rstSeen: boolean
  /** The first packet comment seen (the owning process, when the capture recorded it). */
  readonly comment: string | null
}

/** A run of reassembled TCP payload in one direction. */
export interface StreamSegment {
  readonly direction: FlowDirection
  readonly bytes: Uint8Array
  /** Bytes of this direction's stream never captured just before this run (a gap). */
  readonly missingBefore: number
  /** The bytes came in a segment the TCP analysis called a retransmission (their first copy was lost or late). */
  readonly retransmitted: boolean
}

/** A TCP conversation's payload in both directions, in the order it was sent. */
export interface ReassembledStream {
  readonly conversation: Conversation
  readonly segments: readonly StreamSegment[]
  readonly bytesAToB: number
  readonly bytesBToA: number
  /** Payload bytes seen again (retransmissions and overlaps), not repeated in the segments. */
  readonly duplicateBytes: number
  /** Payload bytes of gaps (lost before capture, or cut by the snaplen). */
  readonly missingBytes: number
}

/** Traffic in one time bucket. */
export interface ThroughputPoint {
  /** Bucket start, epoch milliseconds (the x value time-series charts take). */
  readonly time: number
  readonly bytesIn: number
  readonly bytesOut: number
  readonly packetsIn: number
  readonly packetsOut: number
}
