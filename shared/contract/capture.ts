/**
 * The capture domain, every channel under `capture/`:
 *
 * - Live capture: the interfaces, a capture-filter check, start, stop and status, and one pushed
 *   `capture/tick` per interval (never one event per packet).
 * - The shown capture (a live capture or an imported pcap/pcapng file), kept whole in the
 *   backend so a million packets never cross to the renderer at once: the packet list in pages,
 *   the display filter, one packet's details, conversations, a followed TCP stream, throughput
 *   and per-process bandwidth.
 * - Transfers: export to pcap/pcapng and import, both in chunks.
 */
import * as v from 'valibot'
import type { CaptureDevice, CaptureEndReason, CaptureStartRequest, CaptureStatistics } from '../model/capture'
import type { StartedMessage } from '../capture-messages'
import type { DecodedLayer, PacketSummary, ThroughputPoint, TransportProtocol } from '../model/decoded-packet'
import type { QueryError } from '../query/query-error'
import { event, integerBetween, noArguments, request, textOfLength } from './define'

// ---------------------------------------------------------------------------------------------
// Live capture
// ---------------------------------------------------------------------------------------------

/**
 * Everything a capture was started with, defaults filled in: what the helper was asked to open
 * (its batching stays internal).
 */
export type CaptureSettings = Omit<CaptureStartRequest, 'batching'>

/**
 * What the interface turned out to be once opened, as the helper reported it: link type,
 * snaplen and promiscuous mode in effect, the start time (epoch milliseconds), and notes on
 * the capture's fidelity worth showing.
 */
export type CaptureOpenedInterface = Omit<StartedMessage, 'type' | 'timestampDecimals'>

/** Running totals of a capture. */
export interface CaptureCounters {
  /** Packets received from the helper since the start. */
  readonly packets: number
  /** Captured bytes received since the start. */
  readonly bytes: number
}

/** One of the newest packets a tick carries: its decoded summary and the process it belongs to. */
export interface RecentPacketRow {
  /** 0-based position in the capture. */
  readonly index: number
  readonly summary: PacketSummary
  /** The process whose socket sent or received it, when the socket table knows. */
  readonly pid: number | null
  readonly process: string | null
  /** Relative to that process: 'sent' or 'received'; null when unknown. */
  readonly direction: 'sent' | 'received' | null
}

/** Traffic of one process in the last interval (bandwhich-style), plus its total since the start. */
export interface ProcessTraffic {
  /** Null gathers the packets no socket could be found for. */
  readonly pid: number | null
  readonly process: string | null
  readonly command: string | null
  readonly user: string | null
  readonly packets: number
  readonly bytesSent: number
  readonly bytesReceived: number
  /** (sent + received) per second over the interval. */
  readonly bytesPerSecond: number
  readonly totalBytes: number
  readonly totalPackets: number
}

/** Traffic of one connection (or one local socket and one peer, for UDP) in the last interval. */
export interface ConnectionTraffic {
  readonly protocol: 'tcp' | 'udp'
  /** The owning socket's end; for unattributed traffic, the packet's source. */
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  readonly pid: number | null
  readonly process: string | null
  readonly packets: number
  readonly bytesSent: number
  readonly bytesReceived: number
  readonly bytesPerSecond: number
  readonly totalBytes: number
}

/** The lifecycle of a live capture. */
export type CaptureState = 'idle' | 'starting' | 'running' | 'stopping' | 'ended'

/** How a capture ended. */
export interface CaptureEnd {
  readonly reason: CaptureEndReason
  /** Set when reason is 'error'. */
  readonly message: string | null
}

/** The counters part of a tick, as a capture session produces it. */
export interface CaptureProgress {
  readonly captureId: string
  /** 1, 2, 3, ... within the capture. */
  readonly sequence: number
  readonly elapsedMs: number
  readonly counters: CaptureCounters
  /** Packets and bytes that arrived since the previous tick. */
  readonly newPackets: number
  readonly newBytes: number
  readonly packetsPerSecond: number
  readonly bytesPerSecond: number
  /** The helper's latest counters (with drops), or null before its first report. */
  readonly stats: CaptureStatistics | null
  /** True on the last tick of a capture. */
  readonly final: boolean
}

/**
 * Pushed every 250-1000 ms while a capture runs: the counters, the newest packets of the interval
 * and per-process and per-connection traffic.
 */
export interface CaptureTick extends CaptureProgress {
  /** The newest packets of this interval, oldest first; at most a fixed number per tick. */
  readonly recent: readonly RecentPacketRow[]
  /** Processes with traffic in this interval, busiest first. */
  readonly processes: readonly ProcessTraffic[]
  /** Connections with traffic in this interval, busiest first. */
  readonly connections: readonly ConnectionTraffic[]
}

/** The live capture's state, for a client that just connected. */
export interface CaptureStatus {
  readonly state: CaptureState
  readonly captureId: string | null
  readonly settings: CaptureSettings | null
  readonly opened: CaptureOpenedInterface | null
  readonly counters: CaptureCounters | null
  readonly stats: CaptureStatistics | null
  readonly end: CaptureEnd | null
}

/** The interfaces the capture helper sees, and whether this user may capture at all. */
export interface CaptureInterfaceList {
  readonly interfaces: readonly CaptureDevice[]
  /** False when the helper was refused the capture privilege; `advice` then says how to fix it. */
  readonly captureAllowed: boolean
  /** What to do about a missing privilege, as text for a dialog; null when capture is allowed. */
  readonly advice: string | null
}

/** The result of checking a filter against an interface. */
export type CaptureFilterCheck =
  | { readonly ok: true; readonly linkType: number }
  /** `message` is libpcap's own. */
  | { readonly ok: false; readonly message: string }

// ---------------------------------------------------------------------------------------------
// The shown capture
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Export and import
// ---------------------------------------------------------------------------------------------

/** A finished export waiting to be read. */
export interface ExportTicket {
  readonly exportId: string
  readonly fileName: string
  readonly packets: number
  readonly totalBytes: number
}

/** A piece of an export file. */
export interface ExportChunk {
  readonly offset: number
  /** base64 */
  readonly data: string
  readonly done: boolean
}

/** How an export or import is going. */
export interface TransferProgress {
  readonly id: string
  readonly phase: 'writing' | 'reading'
  readonly done: number
  readonly total: number
}

/** Where an import stands. */
export interface ImportProgress {
  readonly importId: string
  readonly packets: number
  readonly bytesRead: number
  /** The first problem in the file, with its byte offset; the packets before it are kept. */
  readonly error: string | null
}

/**
 * The largest file an import takes, in bytes (2 GiB): `capture/import-begin` refuses a larger
 * declared size, and an import that sends more than it declared is stopped and dropped.
 */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3
/** Import chunks stay under the WebSocket's 1 MiB message limit once base64 and JSON are added. */
export const IMPORT_CHUNK_BYTES = 512 * 1024
/** Export chunks of this size take a few milliseconds to send and keep progress moving. */
export const EXPORT_CHUNK_BYTES = 1024 * 1024
/** The longest display filter the backend accepts, in characters. */
export const MAX_DISPLAY_FILTER_LENGTH = 2000

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

const interfaceName = textOfLength(1, 256)
const captureFilter = textOfLength(0, 16_384)
const optionalLimit = (max: number) => v.optional(v.nullable(integerBetween(1, max)))
/** An export, import or conversation id the backend handed out. */
const identifier = textOfLength(1, 64)
/** A packet's position in a capture; the packet store numbers packets with 32 bits. */
const packetIndex = integerBetween(0, 2 ** 32 - 1)
/** A byte offset or size in a capture file. */
const fileOffset = integerBetween(0, Number.MAX_SAFE_INTEGER)

/** Arguments of `capture/start`; everything but the interface has a default. */
const captureStartArguments = v.strictObject({
  interface: interfaceName,
  filter: v.optional(captureFilter),
  /** 0 means the whole packet. */
  snaplen: v.optional(integerBetween(0, 262_144)),
  promiscuous: v.optional(v.boolean()),
  bufferSize: v.optional(integerBetween(64 * 1024, 1024 * 1024 * 1024)),
  limits: v.optional(
    v.strictObject({
      maxPackets: optionalLimit(1_000_000_000),
      maxBytes: optionalLimit(Number.MAX_SAFE_INTEGER),
      maxDurationMs: optionalLimit(7 * 24 * 3600 * 1000)
    })
  )
})

/** Requests and events of the capture domain. */
export const captureContract = {
  requests: {
    // Live capture.
    /** Interfaces with addresses and link types, `any` included where the OS has it. */
    'capture/interfaces': request(noArguments).returns<CaptureInterfaceList>(),
    /**
     * Compiles a capture filter for an interface without capturing. Like every request that
     * starts a capture helper, it waits for one of two places shared by all clients (at most
     * ten seconds, behind at most eight others) and otherwise fails with 'busy'.
     */
    'capture/check-filter': request(v.strictObject({ interface: interfaceName, filter: captureFilter })).returns<CaptureFilterCheck>(),
    /**
     * Starts a capture (one at a time: 'busy' while one runs) and shows it. Fails with
     * 'invalid-arguments' and libpcap's message for a bad filter, 'permission-denied' with
     * advice, or 'not-found'.
     */
    'capture/start': request(captureStartArguments).returns<CaptureStatus>(),
    'capture/stop': request(noArguments).returns<CaptureStatus>(),
    'capture/status': request(noArguments).returns<CaptureStatus>(),

    // The shown capture.
    'capture/view-state': request(noArguments).returns<CaptureViewState>(),
    /** Rows `start` to `start + count - 1` of the (filtered) packet list. */
    'capture/packet-page': request(v.strictObject({ start: packetIndex, count: integerBetween(1, 1000) })).returns<PacketListPage>(),
    /** Sets the display filter, run over every stored packet in the backend. */
    'capture/set-display-filter': request(v.strictObject({ filter: textOfLength(0, MAX_DISPLAY_FILTER_LENGTH) })).returns<DisplayFilterResult>(),
    /** The list position of a packet under the current filter, or -1 when it is filtered out. */
    'capture/packet-position': request(v.strictObject({ index: packetIndex })).returns<{ readonly position: number }>(),
    'capture/packet-details': request(v.strictObject({ index: packetIndex })).returns<PacketDetails>(),
    'capture/conversations': request(v.strictObject({ limit: integerBetween(1, 10_000) })).returns<ConversationList>(),
    'capture/follow-stream': request(
      v.strictObject({ conversationId: identifier, maxBytes: v.optional(integerBetween(1, 16 * 1024 * 1024)) })
    ).returns<FollowedStream>(),
    /** Traffic per second, in and out, from the bucket starting at `fromTime` (epoch milliseconds) on. */
    'capture/throughput': request(v.strictObject({ fromTime: integerBetween(0, Number.MAX_SAFE_INTEGER) })).returns<readonly ThroughputPoint[]>(),
    'capture/process-bandwidth': request(noArguments).returns<readonly ProcessBandwidth[]>(),
    /** Forgets the shown packets and deletes their storage. */
    'capture/clear-view': request(noArguments).returns<CaptureViewState>(),

    // Export and import.
    /** Writes the export file in the backend; read it with `capture/export-chunk`, then `capture/export-end`. */
    'capture/export-begin': request(
      v.strictObject({
        format: v.picklist(['pcapng', 'pcap']),
        scope: v.picklist(['all', 'filtered', 'conversation']),
        conversationId: v.optional(identifier)
      })
    ).returns<ExportTicket>(),
    'capture/export-chunk': request(v.strictObject({ exportId: identifier, offset: fileOffset })).returns<ExportChunk>(),
    /** Deletes the export file. */
    'capture/export-end': request(v.strictObject({ exportId: identifier })).returns<{ readonly closed: boolean }>(),
    /**
     * Starts an import of a file of `size` bytes (at most MAX_IMPORT_BYTES) that replaces the
     * shown capture; the file's bytes follow in order with `capture/import-chunk`, and no more
     * than `size` of them: a chunk past it ends the import, keeping nothing of it, and the
     * capture shown before comes back.
     */
    'capture/import-begin': request(v.strictObject({ fileName: textOfLength(1, 255), size: fileOffset })).returns<ImportProgress>(),
    'capture/import-chunk': request(
      v.strictObject({
        importId: identifier,
        offset: fileOffset,
        data: textOfLength(0, Math.ceil(IMPORT_CHUNK_BYTES / 3) * 4)
      })
    ).returns<ImportProgress>(),
    'capture/import-end': request(v.strictObject({ importId: identifier })).returns<ImportProgress>()
  },
  events: {
    /** One per interval while a capture runs, and a final one. */
    'capture/tick': event<CaptureTick>(),
    /** On every state change of the live capture (starting, running, ended). */
    'capture/status': event<CaptureStatus>(),
    /** On every change of the shown capture, at most a few times a second. */
    'capture/view-state': event<CaptureViewState>(),
    /** While an export is written. */
    'capture/transfer-progress': event<TransferProgress>()
  }
} as const
