/**
 * The port helper: who holds a local port, since when, and what an EADDRINUSE on it means, as
 * `ports/holders`, `ports/watch` and `sockscope port` answer it.
 */
import type { PortRange } from './history'
import type { SocketState } from './socket'

/** The protocols whose ports the helper looks at. */
export type PortProtocol = 'tcp' | 'udp'

/**
 * How a socket uses the port:
 * - `listener`: listens on it (TCP LISTEN), or is bound to it (UDP);
 * - `connection`: a connection with the port as its own end, accepted by a listener on it;
 * - `ephemeral`: an outgoing connection the kernel gave the port to as its local (ephemeral) port;
 * - `orphan-connection`: a connection on the port with no listener left (one accepted before the listener closed, or bound by hand);
 * - `time-wait`: a closed connection the kernel keeps for up to a minute; no process holds it.
 */
export type PortRole = 'listener' | 'connection' | 'ephemeral' | 'orphan-connection' | 'time-wait'

/** One socket that uses the port as its local port. */
export interface PortHolder {
  readonly socketId: string
  readonly role: PortRole
  readonly state: SocketState
  readonly local: string
  readonly remote: string
  readonly pid: number | null
  readonly process: string | null
  readonly command: string | null
  /** When sockscope first saw it, epoch milliseconds; null when it has not watched long enough (the CLI's one read). */
  readonly since: number | null
  /** True when it was open at sockscope's first read, so `since` is a lower bound. */
  readonly openBeforeStart: boolean
  /** TIME_WAIT only: milliseconds until the kernel lets it go, when the table says. */
  readonly endsInMs: number | null
  /** True for a socket in another network namespace: it does not keep the port busy here. */
  readonly otherNamespace: boolean
}

/** What blocks a bind() on the port, worst first. */
export type PortVerdict = 'listening' | 'in-use' | 'time-wait' | 'free'

/** Who holds a port and what that means for a server that wants it. */
export interface PortReport {
  readonly port: number
  readonly protocol: PortProtocol
  /** When the table was read, epoch milliseconds. */
  readonly checkedAt: number
  /** True when nothing in this network namespace uses the port. */
  readonly free: boolean
  readonly verdict: PortVerdict
  /** One line: what holds the port. */
  readonly headline: string
  /** What an EADDRINUSE on this port means now. */
  readonly explanation: string
  /** What to do about it, most useful first. */
  readonly advice: readonly string[]
  /** The sockets on the port (at most {@link PORT_HOLDER_LIMIT}), the ones that block first. */
  readonly holders: readonly PortHolder[]
  /** Every socket on the port, listed or not. */
  readonly holderCount: number
  /** When the earliest blocking socket was first seen; null when free or not known. */
  readonly heldSince: number | null
  readonly portRange: PortRange | null
}

/** The most holders one report lists. */
export const PORT_HOLDER_LIMIT = 200

/** A port being watched until it is free. */
export interface PortWatch {
  readonly port: number
  readonly protocol: PortProtocol
  /** When the watch started, epoch milliseconds. */
  readonly since: number
}

/** A watched port that nothing holds any more. */
export interface PortFreed {
  readonly port: number
  readonly protocol: PortProtocol
  /** When sockscope saw it free, epoch milliseconds. */
  readonly freedAt: number
  /** When the watch started. */
  readonly watchedSince: number
}
