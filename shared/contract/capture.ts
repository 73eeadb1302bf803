/**
 * Live packet capture channels: interfaces, filter check, start, stop, status, the packets still
 * in memory, and one pushed tick per interval (never one event per packet).
 */
import * as v from 'valibot'
import type { CaptureDevice, CaptureEndReason, CaptureStartRequest, CaptureStatistics, StartedMessage } from '../capture-protocol'
import type { PacketSummary } from '../model/decoded-packet'
import { event, integerBetween, noArguments, request, textOfLength } from './define'

/**
 * Everything a capture was started with, defaults filled in: what the helper was asked to open
 * (its batching stays internal), plus how much the backend keeps in memory.
 */
export interface CaptureSettings extends Omit<CaptureStartRequest, 'batching'> {
  /** How many packets, and how many bytes of them, stay in memory; older ones go to the spill file. */
  readonly ring: { readonly maxPackets: number; readonly maxBytes: number }
}

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
  readonly packetsInMemory: number
  readonly bytesInMemory: number
  /** Packets moved from memory to the spill file. */
  readonly packetsSpilled: number
  readonly bytesSpilled: number
}

/** One packet as the live list shows it: its decoded summary and its process. */
export interface CapturedPacketRow {
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

/** The lifecycle of the capture domain. */
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
  readonly recent: readonly CapturedPacketRow[]
  /** Processes with traffic in this interval, busiest first. */
  readonly processes: readonly ProcessTraffic[]
  /** Connections with traffic in this interval, busiest first. */
  readonly connections: readonly ConnectionTraffic[]
}

/** The capture domain's state, for a client that just connected. */
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

/** A page of the packets still in memory. */
export interface CapturePacketPage {
  readonly captureId: string | null
  /** Index of the oldest packet still in memory; older ones are in the spill file. */
  readonly firstInMemory: number
  /** Packets captured so far. */
  readonly total: number
  readonly rows: readonly CapturedPacketRow[]
}

const interfaceName = textOfLength(1, 256)
const captureFilter = textOfLength(0, 16_384)
const optionalCount = (max: number) => v.optional(v.nullable(integerBetween(1, max)))

/** Arguments of `capture/start`; everything but the interface has a default. */
export const captureStartArguments = v.strictObject({
  interface: interfaceName,
  filter: v.optional(captureFilter),
  /** 0 means the whole packet. */
  snaplen: v.optional(integerBetween(0, 262_144)),
  promiscuous: v.optional(v.boolean()),
  bufferSize: v.optional(integerBetween(64 * 1024, 1024 * 1024 * 1024)),
  limits: v.optional(
    v.strictObject({
      maxPackets: optionalCount(1_000_000_000),
      maxBytes: optionalCount(Number.MAX_SAFE_INTEGER),
      maxDurationMs: optionalCount(7 * 24 * 3600 * 1000)
    })
  ),
  ring: v.optional(
    v.strictObject({
      maxPackets: v.optional(integerBetween(1, 10_000_000)),
      maxBytes: v.optional(integerBetween(64 * 1024, 4 * 1024 * 1024 * 1024))
    })
  )
})

/** Requests and events of the capture domain. */
export const captureContract = {
  requests: {
    /** Interfaces with addresses and link types, `any` included where the OS has it. */
    'capture/interfaces': request(noArguments).returns<CaptureInterfaceList>(),
    /** Compiles a filter for an interface without capturing. */
    'capture/check-filter': request(v.strictObject({ interface: interfaceName, filter: captureFilter })).returns<CaptureFilterCheck>(),
    /**
     * Starts a capture (one at a time: 'busy' while one runs). Fails with 'invalid-arguments' and
     * libpcap's message for a bad filter, 'permission-denied' with advice, or 'not-found'.
     */
    'capture/start': request(captureStartArguments).returns<CaptureStatus>(),
    'capture/stop': request(noArguments).returns<CaptureStatus>(),
    'capture/status': request(noArguments).returns<CaptureStatus>(),
    /** Packets still in memory, from index `from` on. */
    'capture/packets': request(
      v.strictObject({
        from: integerBetween(0, Number.MAX_SAFE_INTEGER),
        count: integerBetween(1, 5000)
      })
    ).returns<CapturePacketPage>()
  },
  events: {
    /** One per interval while a capture runs, and a final one. */
    'capture/tick': event<CaptureTick>(),
    /** On every state change (starting, running, ended). */
    'capture/status': event<CaptureStatus>()
  }
} as const
