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
import type { ThroughputPoint } from '../model/decoded-packet'
import type { CaptureFilterCheck, CaptureInterfaceList, CaptureStatus, CaptureTick } from '../model/live-capture'
import type { CaptureViewState, ConversationList, DisplayFilterResult, FollowedStream, PacketDetails, PacketListPage, ProcessBandwidth } from '../model/capture-view'
import type { ExportChunk, ExportTicket, ImportProgress, TransferProgress } from '../model/capture-transfer'
import { event, integerBetween, noArguments, request, textOfLength } from './define'

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

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
    'capture/follow-stream': request(v.strictObject({ conversationId: identifier, maxBytes: v.optional(integerBetween(1, 16 * 1024 * 1024)) })).returns<FollowedStream>(),
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
