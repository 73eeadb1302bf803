/**
 * Closed connections: every TCP connection the kernel reported closed (its sock_diag destroy
 * message), attributed to the process a poll saw holding it, when one did.
 */
import { emptySocketEntry, type SocketEntry, type SocketState } from './socket'
import type { TcpInfo } from './tcp-info'

/** A TCP socket the kernel announced as freed, before sockscope attributes it. */
export interface KernelClosedSocket {
  readonly family: 4 | 6
  /** The state it was freed in (usually CLOSE). */
  readonly state: SocketState
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  /** The kernel's socket cookie as hex, or null where the OS has none. */
  readonly cookie: string | null
  /** Final TCP counters, or null when the message carried none. */
  readonly tcpInfo: TcpInfo | null
  /** The network namespace it lived in (the one the close feed listens in); absent or null where not known. */
  readonly netns?: number | null
}

/** One closed TCP connection. */
export interface ClosedConnection {
  /** Numbers connections in the order they were heard, from 1; a stable key for lists. */
  readonly sequence: number
  readonly family: 4 | 6
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  /** The state the kernel freed it in. */
  readonly state: SocketState
  /** The owner's uid from the poll that saw it; null when no poll did (close messages carry none). */
  readonly uid: number | null
  /** The process a poll saw holding it; null when it closed before it could be attributed. */
  readonly pid: number | null
  readonly process: string | null
  /**
   * When a poll first saw it open, epoch milliseconds; null when none did. A connection opens at
   * most one poll interval before this (or before sockscope started, for one open by then).
   */
  readonly openedAt: number | null
  /** When its close message was read, epoch milliseconds. */
  readonly closedAt: number
  /** closedAt − openedAt; null when openedAt is. */
  readonly durationMs: number | null
  /** Final TCP counters from the close message. */
  readonly tcpInfo: TcpInfo | null
}

/** Whether close events are heard, and what was kept and lost. */
export interface CloseEventsStatus {
  readonly available: boolean
  /** Why close events are not available, in words; null when they are. */
  readonly unavailableReason: string | null
  /** Closed connections heard since the start. */
  readonly received: number
  /** Close messages the kernel dropped because sockscope's receive buffer was full. */
  readonly lost: number
  /** The receive buffer the kernel granted, bytes; 0 when unavailable. */
  readonly receiveBufferBytes: number
  /** Closed connections kept in memory now (the most recent). */
  readonly kept: number
  /** The most closed connections kept in memory. */
  readonly capacity: number
}

/** Newly closed connections, pushed in batches, with the status after them. */
export interface ClosedConnectionsUpdate {
  readonly connections: readonly ClosedConnection[]
  readonly status: CloseEventsStatus
}

/** The fields of a closed connection in `sockscope events --json`, in their order. */
export type ClosedConnectionJson = Omit<ClosedConnection, 'sequence' | 'family'>

/** A closed connection as one line of `sockscope events --json`. */
export function closedConnectionJson(connection: ClosedConnection): ClosedConnectionJson {
  return {
    localAddress: connection.localAddress,
    localPort: connection.localPort,
    remoteAddress: connection.remoteAddress,
    remotePort: connection.remotePort,
    state: connection.state,
    uid: connection.uid,
    pid: connection.pid,
    process: connection.process,
    openedAt: connection.openedAt,
    closedAt: connection.closedAt,
    durationMs: connection.durationMs,
    tcpInfo: connection.tcpInfo
  }
}

/**
 * A closed connection as a socket row, so the socket filter language (`proc:`, `port:`, `addr:`…)
 * reads it exactly as it reads the live table.
 */
export function closedConnectionAsSocket(connection: ClosedConnection): SocketEntry {
  const row = emptySocketEntry('tcp', connection.family)
  row.id = `closed:${connection.sequence}`
  row.localAddress = connection.localAddress
  row.localPort = connection.localPort
  row.remoteAddress = connection.remoteAddress
  row.remotePort = connection.remotePort
  row.state = connection.state
  row.uid = connection.uid
  row.pid = connection.pid
  row.process = connection.process
  row.ownerVisibility = connection.pid === null ? 'none' : 'known'
  return row
}

/** Closed connections towards one destination over the churn window. */
export interface ChurnGroup {
  /** `127.0.0.1:5432` for connections out to it, `clients of :8080` for ones a server accepted. */
  readonly destination: string
  /** The process most of its attributed connections belonged to, or null when none was attributed. */
  readonly pid: number | null
  readonly process: string | null
  readonly closed: number
  /** Of those, the ones that lived less than a second or closed before any poll saw them. */
  readonly shortLived: number
}

/** Connection churn: closed connections over the last minute, by destination. */
export interface ConnectionChurn {
  readonly windowSeconds: number
  readonly closed: number
  readonly shortLived: number
  /** Most short-lived first. */
  readonly groups: readonly ChurnGroup[]
}

/**
 * Where a closed connection went, as churn groups it: an accepted connection (its local port was
 * seen listening) is named after the server's own port, any other after its remote endpoint.
 * Without a listener seen on either port, the lower port is taken for the service, since clients
 * mostly use high ephemeral ports.
 */
export function churnDestination(
  connection: Pick<ClosedConnection, 'family' | 'localPort' | 'remoteAddress' | 'remotePort'>,
  isListeningPort: (port: number) => boolean = () => false
): string {
  const accepted = isListeningPort(connection.localPort) || (!isListeningPort(connection.remotePort) && connection.localPort < connection.remotePort)
  if (accepted) return `clients of :${connection.localPort}`
  return connection.family === 6 ? `[${connection.remoteAddress}]:${connection.remotePort}` : `${connection.remoteAddress}:${connection.remotePort}`
}
