/**
 * Looking at a capture: the packet list in pages, the display filter, one packet's decoded tree
 * and bytes, conversations, followed TCP streams, throughput, per-process bandwidth, export and
 * import. It works the same on a live capture and on an imported file; the backend keeps the
 * packets, so a million of them never cross to the renderer at once.
 */
import * as v from 'valibot'
import type { CaptureStatistics } from '../capture-protocol'
import type { DecodedLayer, PacketSummary, ThroughputPoint } from '../model/decoded-packet'
import type { QueryError } from '../query/query-error'
import { event, request } from './define'

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

/** The state of the view, pushed whenever it changes (at most a few times a second). */
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
  readonly protocol: string
  /** Bytes on the wire. */
  readonly length: number
  /** The owning process, `name (pid)`, or null when nobody owned the flow or it was not seen. */
  readonly process: string | null
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

/** Bandwidth of one process over the capture. */
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

const empty = v.strictObject({})
const identifier = v.pipe(v.string(), v.minLength(1), v.maxLength(64))
/** A packet's position in a capture; the store numbers packets with 32 bits. */
const packetIndex = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1))
/** A byte offset or size in a file, or a time in epoch milliseconds. */
const largeCount = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))
/** Import chunks stay under the WebSocket's 1 MiB message limit once base64 and JSON are added. */
export const IMPORT_CHUNK_BYTES = 512 * 1024
/** Export chunks of this size take a few milliseconds to send and keep progress moving. */
export const EXPORT_CHUNK_BYTES = 1024 * 1024

/** Requests and events of the capture view. */
export const captureViewContract = {
  requests: {
    'capture-view/state': request(empty).returns<CaptureViewState>(),
    'capture-view/packets': request(
      v.strictObject({
        start: packetIndex,
        count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))
      })
    ).returns<PacketListPage>(),
    /** Sets the display filter, run over every stored packet in the backend. */
    'capture-view/set-filter': request(v.strictObject({ filter: v.pipe(v.string(), v.maxLength(2000)) })).returns<DisplayFilterResult>(),
    /** The list position of a packet under the current filter, or -1 when it is filtered out. */
    'capture-view/position-of': request(v.strictObject({ index: packetIndex })).returns<{ readonly position: number }>(),
    'capture-view/packet': request(v.strictObject({ index: packetIndex })).returns<PacketDetails>(),
    'capture-view/conversations': request(
      v.strictObject({ limit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)) })
    ).returns<ConversationList>(),
    'capture-view/follow': request(
      v.strictObject({
        conversationId: identifier,
        maxBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16 * 1024 * 1024)))
      })
    ).returns<FollowedStream>(),
    /** Traffic per second, in and out, from the bucket starting at `fromTime` (epoch milliseconds) on. */
    'capture-view/throughput': request(v.strictObject({ fromTime: largeCount })).returns<readonly ThroughputPoint[]>(),
    'capture-view/processes': request(empty).returns<readonly ProcessBandwidth[]>(),
    /** Writes the export file in the backend; read it with `capture-view/export-read`. */
    'capture-view/export-start': request(
      v.strictObject({
        format: v.picklist(['pcapng', 'pcap']),
        scope: v.picklist(['all', 'filtered', 'conversation']),
        conversationId: v.optional(identifier)
      })
    ).returns<ExportTicket>(),
    'capture-view/export-read': request(
      v.strictObject({ exportId: identifier, offset: largeCount })
    ).returns<ExportChunk>(),
    'capture-view/export-close': request(v.strictObject({ exportId: identifier })).returns<{ readonly closed: boolean }>(),
    /** Starts an import; the file's bytes follow in order with `capture-view/import-chunk`. */
    'capture-view/import-begin': request(
      v.strictObject({
        fileName: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
        size: largeCount
      })
    ).returns<ImportProgress>(),
    'capture-view/import-chunk': request(
      v.strictObject({
        importId: identifier,
        offset: largeCount,
        data: v.pipe(v.string(), v.maxLength(Math.ceil(IMPORT_CHUNK_BYTES / 3) * 4))
      })
    ).returns<ImportProgress>(),
    'capture-view/import-end': request(v.strictObject({ importId: identifier })).returns<ImportProgress>(),
    /** Forgets the shown packets. */
    'capture-view/clear': request(empty).returns<CaptureViewState>()
  },
  events: {
    'capture-view/state': event<CaptureViewState>(),
    'capture-view/progress': event<TransferProgress>()
  }
} as const
