/**
 * The process focus view: one process's sockets, open files and ephemeral ports, with its history,
 * as `focus/process` answers it. The closed-connection log and the findings of the process come
 * from the events and leaks domains, filtered by pid where they are shown.
 */
import type { PortRange, SeriesSet, StateCounts } from './history'
import type { SocketProtocol, SocketState } from './socket'

/** One socket of the focused process, with how long it has been open and idle. */
export interface FocusSocket {
  readonly id: string
  readonly protocol: SocketProtocol
  readonly state: SocketState
  /** `127.0.0.1:8080`, or the path of a UNIX socket. */
  readonly local: string
  readonly remote: string
  /** When sockscope first saw it, epoch milliseconds. */
  readonly firstSeenAt: number
  /** True when it was already open at sockscope's first read: it is at least that old. */
  readonly openBeforeStart: boolean
  /** Time since data was last sent or received (tcp_info); null without tcp_info. */
  readonly idleSendMs: number | null
  readonly idleReceiveMs: number | null
}

/**
 * When the process runs out of file descriptors at its present pace:
 * - `no-limit`: its soft limit (or fd count) is not known, so there is nothing to forecast against;
 * - `at-limit`: it already holds as many as it may;
 * - `short-history`: fewer points or seconds of history than a trend needs;
 * - `no-growth`: the count is flat or falling (below the growth that counts);
 * - `exhausts`: at the fitted pace it reaches the limit in `secondsLeft`.
 */
export type FdForecast =
  | { readonly kind: 'no-limit' }
  | { readonly kind: 'at-limit' }
  | { readonly kind: 'short-history'; readonly points: number; readonly spanSeconds: number }
  | { readonly kind: 'no-growth'; readonly slopePerMinute: number; readonly spanSeconds: number }
  | { readonly kind: 'exhausts'; readonly slopePerMinute: number; readonly spanSeconds: number; readonly secondsLeft: number; readonly at: number }

/** Open file descriptors against the soft limit, with the forecast and their history. */
export interface FocusFileDescriptors {
  readonly count: number | null
  readonly softLimit: number | null
  readonly forecast: FdForecast
  /** Open fds and the soft limit over the window (the history's `file-descriptors` series). */
  readonly series: SeriesSet
}

/** Ephemeral ports the process holds towards one destination. */
export interface FocusEphemeralUse {
  /** `tcp 10.0.0.2 → 10.0.0.9:443`. */
  readonly destination: string
  readonly count: number
  /** Share of the ephemeral port range, in percent; null when the range is not known. */
  readonly percentOfRange: number | null
}

/** Whether the focused process runs, and since when it is gone. */
export interface FocusStatus {
  readonly running: boolean
  /** When sockscope last saw it running, epoch milliseconds; null when it never did. */
  readonly lastSeenAt: number | null
  /** When sockscope noticed it had exited; null while it runs. */
  readonly exitedAt: number | null
}

/** Everything the focus view shows about one process, at one moment. */
export interface ProcessFocus {
  readonly pid: number
  /** The short name; null when sockscope never saw the process. */
  readonly name: string | null
  readonly command: string | null
  readonly user: string | null
  readonly status: FocusStatus
  /** When this answer was made, epoch milliseconds. */
  readonly takenAt: number
  /** The window the series and the forecast cover, milliseconds. */
  readonly windowMs: number
  /**
   * Its sockets, longest open first (at most {@link FOCUS_SOCKET_LIMIT}); once the process has exited,
   * the ones it held when last seen.
   */
  readonly sockets: readonly FocusSocket[]
  /** How many sockets it holds (or held when last seen), listed or not. */
  readonly socketTotal: number
  readonly states: StateCounts
  /** Its sockets by state over the window (the history's `states` series for the pid). */
  readonly stateSeries: SeriesSet
  readonly fileDescriptors: FocusFileDescriptors
  readonly portRange: PortRange | null
  /** Busiest first. */
  readonly ephemeral: readonly FocusEphemeralUse[]
}

/** The most sockets one focus answer lists. */
export const FOCUS_SOCKET_LIMIT = 500
