/**
 * The history model: what sockscope remembers about every tick, and the series it answers
 * chart queries with. The backend keeps it in fixed-size typed columns; this file holds the
 * plain shapes that cross the contract and go into recordings.
 */
import { formatHostPort } from '../format/socket-text'
import type { SocketProtocol } from './socket'

/** Where chart data comes from: the live history or the opened recording. */
export type HistorySource = 'live' | 'recording'

/** Every protocol the history counts, in a fixed order. */
export const HISTORY_PROTOCOLS: readonly SocketProtocol[] = ['tcp', 'udp', 'unix', 'raw']

/** Socket counts by state name (ESTABLISHED, LISTEN, CLOSE_WAIT, UNCONN, ...). */
export type StateCounts = Readonly<Record<string, number>>

/** Socket counts by protocol. */
export type ProtocolCounts = Readonly<Record<SocketProtocol, number>>

/** One process as a tick saw it. */
export interface ProcessSample {
  readonly pid: number
  /** The short process name (comm). */
  readonly name: string
  /** Sockets the process holds, every protocol together. */
  readonly sockets: number
  readonly states: StateCounts
  readonly protocols: ProtocolCounts
  /** Open file descriptors (/proc/PID/fd), or null when they could not be counted. */
  readonly fdCount: number | null
  /** Soft RLIMIT_NOFILE (/proc/PID/limits), or null when unknown. */
  readonly fdSoftLimit: number | null
}

/** The local port range the kernel picks ephemeral ports from (ip_local_port_range). */
export interface PortRange {
  readonly low: number
  readonly high: number
}

/** How many ports the range holds. */
export function portRangeSize(range: PortRange): number {
  return range.high - range.low + 1
}

/** Ephemeral ports used towards one destination from one local address. */
export interface EphemeralUse {
  readonly protocol: SocketProtocol
  readonly localAddress: string
  readonly remoteAddress: string
  readonly remotePort: number
  /** Sockets (any state but LISTEN, TIME_WAIT included) holding an ephemeral port to it. */
  readonly count: number
  /** The process holding most of them, when any is known. */
  readonly pid: number | null
  readonly process: string | null
}

/** What names an ephemeral-port destination: the protocol and both addresses, and the remote port. */
type EphemeralDestination = Pick<EphemeralUse, 'protocol' | 'localAddress' | 'remoteAddress' | 'remotePort'>

/** A readable name for an ephemeral-port destination, e.g. `tcp 10.0.0.2 → 10.0.0.9:443`. */
export function destinationLabel(use: EphemeralDestination): string {
  return `${use.protocol} ${use.localAddress} → ${formatHostPort(use.remoteAddress, use.remotePort)}`
}

/** A stable key for an ephemeral-port destination. */
export function destinationKey(use: EphemeralDestination): string {
  return `${use.protocol}|${use.localAddress}|${use.remoteAddress}|${use.remotePort}`
}

/** Throughput of one network interface between two ticks (/proc/net/dev deltas). */
export interface InterfaceRate {
  readonly name: string
  readonly receiveBytesPerSecond: number
  readonly transmitBytesPerSecond: number
  readonly receivePacketsPerSecond: number
  readonly transmitPacketsPerSecond: number
}

/** Everything the history records for one tick. Bounded: the lists are capped by the recorder. */
export interface HistorySample {
  readonly tick: number
  /** Epoch milliseconds. */
  readonly takenAt: number
  /** Every socket in the table. */
  readonly sockets: number
  readonly states: StateCounts
  readonly protocols: ProtocolCounts
  /** Processes holding sockets, or close to their fd limit; busiest first. */
  readonly processes: readonly ProcessSample[]
  readonly portRange: PortRange | null
  /** Busiest destinations first. */
  readonly ephemeral: readonly EphemeralUse[]
  /** Empty on the first tick (a rate needs two reads). */
  readonly interfaces: readonly InterfaceRate[]
}

/** How much history to keep. */
export interface HistoryOptions {
  /** Points kept; the oldest is dropped when full. 3600 = one hour at one point per second. */
  readonly capacity: number
  /** Processes followed at once; the quietest are dropped first when more appear. */
  readonly maxProcesses: number
  /** Ephemeral-port destinations followed at once. */
  readonly maxDestinations: number
  /** Network interfaces followed at once. */
  readonly maxInterfaces: number
}

/** One hour at one point per second. */
export const DEFAULT_HISTORY_OPTIONS: HistoryOptions = {
  capacity: 3600,
  maxProcesses: 128,
  maxDestinations: 32,
  maxInterfaces: 32
}

/** Which part of the history a series query reads. */
export interface SeriesRange {
  /** Epoch milliseconds, inclusive; the oldest point when missing. */
  readonly from?: number
  /** Epoch milliseconds, inclusive; the newest point when missing. */
  readonly to?: number
  /** Averages neighbouring points so no more than this many come back. */
  readonly maxPoints?: number
}

/** The kinds of series a chart can ask for. */
export type SeriesKind =
  /** Socket counts by state, for everything or for `pid`. */
  | 'states'
  /** Total sockets per process, the `top` busiest. */
  | 'process-sockets'
  /** Socket counts by protocol, for everything or for `pid`. */
  | 'protocols'
  /** Bytes and packets per second per interface. */
  | 'interfaces'
  /** Open fds and the soft limit, for `pid` or the `top` fullest. */
  | 'file-descriptors'
  /** Ephemeral ports used per destination, the `top` busiest. */
  | 'ephemeral'

/** A series query. */
export interface SeriesQuery extends SeriesRange {
  readonly kind: SeriesKind
  readonly pid?: number
  readonly top?: number
}

/** One line of a chart. `null` marks a time the subject did not exist. */
export interface NamedSeries {
  /** Stable across queries, e.g. `ESTABLISHED`, `pid:1234`, `eth0:receiveBytesPerSecond`. */
  readonly key: string
  readonly label: string
  readonly values: readonly (number | null)[]
  /** The process it belongs to, for click-to-filter. */
  readonly pid?: number
  /** The socket state it counts, for click-to-filter. */
  readonly state?: string
}

/** Series sharing one time axis. */
export interface SeriesSet {
  readonly kind: SeriesKind
  /** Epoch milliseconds, oldest first. */
  readonly times: readonly number[]
  readonly series: readonly NamedSeries[]
}

/** A summary of what the history holds. */
export interface HistoryInfo {
  readonly points: number
  readonly capacity: number
  /** Epoch milliseconds, or null when empty. */
  readonly oldest: number | null
  readonly newest: number | null
  readonly trackedProcesses: number
  /** Bytes held by the typed columns. */
  readonly bytes: number
}

/** Pushed once per recorded tick. */
export interface HistoryTick {
  readonly sample: HistorySample
  readonly info: HistoryInfo
}

/** The newest point (for gauges) and what the history holds. */
export interface HistoryLatest {
  readonly sample: HistorySample | null
  readonly info: HistoryInfo
}
