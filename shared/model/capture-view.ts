/**
 * The shown capture (a live capture or an imported file), kept whole in the backend and read in
 * pieces: its state, pages of the packet list, one packet's details, conversations, a followed
 * TCP stream and the bandwidth per process.
 */
import type { CaptureStatistics } from './capture'
import type { DecodedLayer, PacketSummary, TransportProtocol } from './decoded-packet'
import type { QueryError } from '../query/query-error'
import type { TcpAnalysisSeverity, TcpConversationAnalysis } from './tcp-analysis'

/** What the capture view shows: a live capture or an imported file. */
export interface CaptureViewSource {
  /** Changes whenever a new capture or import replaces the shown packets. */
  readonly id: string
  readonly kind: 'live' | 'file'
  /** The interface name or the file name. */
  readonly label: string
  readonly state: 'running' | 'ended' | 'importing' | 'imported'
  readonly packets: number
  /** Captured bytes of every packet. */
  readonly bytes: number
  /** Epoch seconds of the first and last packet, or null before the first. */
  readonly firstTimestamp: number | null
  readonly lastTimestamp: number | null
  /** The capture's counters with drops (live only; null for files). */
  readonly stats: CaptureStatistics | null
  /** Why the capture stopped or the file could not be read to its end (the message names the byte offset). */
  readonly error: string | null
  /** Things worth knowing about the capture's fidelity. */
  readonly notes: readonly string[]
}

/** The state of the shown capture, pushed whenever it changes (at most a few times a second). */
export interface CaptureViewState {
  readonly source: CaptureViewSource | null
  /** The display filter in effect ('' for none). */
  readonly filter: string
  /** Packets the filter lets through (all of them without a filter). */
  readonly matched: number
  /** True while the filter is still being run over stored packets. */
  readonly filtering: boolean
  readonly conversations: number
}

/** One line of the packet list. */
export interface PacketListRow {
  /** 0-based position in the capture; the list shows it plus one. */
  readonly index: number
  /** Seconds since the capture's first packet. */
  readonly relativeSeconds: number
  readonly source: string
  readonly destination: string
  readonly transport: TransportProtocol | null
  readonly sourcePort: number | null
  readonly destinationPort: number | null
  /** The protocol column: the highest layer recognised. */
  readonly protocol: string
  /** Bytes on the wire. */
  readonly length: number
  /** The owning process, `name (pid)`, or null when nobody owned the flow or it was not seen. */
  readonly process: string | null
  readonly pid: number | null
  /** Relative to the owning process; null when the flow has no owner. */
  readonly direction: 'sent' | 'received' | null
  readonly info: string
  readonly malformed: boolean
  /** A TCP segment with RST set, shown in red. */
  readonly reset: boolean
  /** The Expert column: what the TCP analysis found ('' for nothing), e.g. "Retransmission" or "Dup ACK #2". */
  readonly expert: string
  /** How bad the worst finding is (the row's marker), or null. */
  readonly expertSeverity: TcpAnalysisSeverity | null
  /** Seconds from the segment this packet acknowledges, or null. */
  readonly ackRttSeconds: number | null
}

/** A run of the (filtered) packet list. */
export interface PacketListPage {
  readonly sourceId: string | null
  readonly filter: string
  /** List position of rows[0]. */
  readonly start: number
  /** Rows in the whole (filtered) list when the page was read. */
  readonly total: number
  readonly rows: readonly PacketListRow[]
}

/** The answer to a display filter change. */
export interface DisplayFilterResult {
  /** Null when the filter compiled; the filter in effect is then the new one. */
  readonly error: QueryError | null
  readonly filter: string
  readonly matched: number
}

/** One packet in full. */
export interface PacketDetails {
  readonly index: number
  readonly summary: PacketSummary
  readonly layers: readonly DecodedLayer[]
  /** The captured bytes, base64. */
  readonly data: string
  readonly process: string | null
  /** The conversation the packet belongs to, if any. */
  readonly conversationId: string | null
}

/** One flow of the capture. */
export interface ConversationRow {
  readonly id: string
  readonly transport: string
  /** `address:port` of the side that spoke first (the client for TCP). */
  readonly endpointA: string
  readonly endpointB: string
  readonly portA: number | null
  readonly portB: number | null
  readonly packetsAToB: number
  readonly packetsBToA: number
  readonly bytesAToB: number
  readonly bytesBToA: number
  /** Seconds since the capture's first packet. */
  readonly startSeconds: number
  readonly durationSeconds: number
  /** TCP: SYN and SYN-ACK seen. */
  readonly handshake: boolean
  readonly fin: boolean
  readonly reset: boolean
  readonly process: string | null
  readonly pid: number | null
  /** TCP: the analysis findings and ACK round trips; null for other transports. */
  readonly tcpAnalysis: TcpConversationAnalysis | null
}

/** The conversations, busiest first, cut at the asked limit. */
export interface ConversationList {
  readonly total: number
  readonly conversations: readonly ConversationRow[]
}

/** A part of a TCP stream sent in one direction. */
export interface StreamChunk {
  readonly fromClient: boolean
  /** base64 */
  readonly data: string
  /** Sent again: these bytes came in a retransmitted segment. */
  readonly retransmitted: boolean
}

/** A TCP conversation reassembled. */
export interface FollowedStream {
  readonly conversationId: string
  readonly client: string
  readonly server: string
  readonly clientBytes: number
  readonly serverBytes: number
  readonly chunks: readonly StreamChunk[]
  /** Gaps, retransmissions, or a cut at the size limit. */
  readonly notes: readonly string[]
}

/** Bandwidth of one process over the whole shown capture (the tick's ProcessTraffic covers one interval). */
export interface ProcessBandwidth {
  readonly key: string
  readonly process: string | null
  readonly pid: number | null
  readonly conversations: number
  readonly packets: number
  readonly bytesIn: number
  readonly bytesOut: number
  /** Bytes per second over the last second of traffic. */
  readonly rateIn: number
  readonly rateOut: number
}
