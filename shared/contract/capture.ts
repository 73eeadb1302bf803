/** Live packet capture channels: interfaces, start, stop, status, and one pushed tick per interval. */
import type {
  CaptureDevice,
  CaptureEndReason,
  CaptureLimits,
  CaptureStatistics
} from '../capture-protocol'

/** Everything a capture was started with, defaults filled in. */
export interface CaptureSettings {
  readonly interface: string
  readonly filter: string
  readonly snaplen: number
  readonly promiscuous: boolean
  /** Kernel capture buffer, bytes. */
  readonly bufferSize: number
  readonly limits: CaptureLimits
  /** How many packets, and how many bytes of them, stay in memory; older ones go to the spill file. */
  readonly ring: { readonly maxPackets: number; readonly maxBytes: number }
}

/** What the interface turned out to be once opened. */
export interface CaptureOpenedInterface {
  readonly interface: string
  readonly linkType: number
  readonly linkTypeName: string
  readonly snaplen: number
  readonly promiscuous: boolean
  /** Epoch milliseconds. */
  readonly startedAt: number
  /** Limits of this capture's fidelity worth showing (timestamps, missing counters). */
  readonly notes: readonly string[]
}

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

/** One new packet as the live list shows it before anyone asks for details. */
export interface CapturedPacketRow {
  /** 0-based position in the capture. */
  readonly index: number
  readonly timestampSeconds: number
  readonly timestampNanos: number
  readonly capturedLength: number
  readonly originalLength: number
}

/** The lifecycle of the capture domain. */
export type CaptureState = 'idle' | 'starting' | 'running' | 'stopping' | 'ended'

/** How a capture ended. */
export interface CaptureEnd {
  readonly reason: CaptureEndReason
  /** Set when reason is 'error'. */
  readonly message: string | null
}

/**
 * Pushed every 250-1000 ms while a capture runs, never once per packet: the counters, the
 * latest helper statistics (with drops) and the newest packets of the interval.
 */
export interface CaptureTick {
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
  /** The helper's latest counters, or null before its first report. */
  readonly stats: CaptureStatistics | null
  /** The newest packets of this interval, oldest first; at most a fixed number per tick. */
  readonly recent: readonly CapturedPacketRow[]
  /** True on the last tick of a capture. */
  readonly final: boolean
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

/** The interface list, or why it is incomplete. */
export interface CaptureInterfaceList {
  readonly interfaces: readonly CaptureDevice[]
}
