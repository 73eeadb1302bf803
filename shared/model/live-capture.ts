/**
 * A live capture as the backend reports it: its settings, state and counters, and the tick it
 * pushes each interval with the newest packets and the traffic per process and per connection.
 */
import type { CaptureDevice, CaptureEndReason, CaptureStartRequest, CaptureStatistics, OpenedCaptureInterface } from './capture'
import type { PacketSummary } from './decoded-packet'

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
export type CaptureOpenedInterface = Omit<OpenedCaptureInterface, 'timestampDecimals'>

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
