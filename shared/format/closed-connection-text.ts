/** Closed connections in words, shared by `sockscope events` and the Closed connections view. */
import type { ClosedConnection } from '../model/closed-connection'
import { formatBytes } from './number-text'
import { formatEndpoint, NO_VALUE } from './socket-text'

/** What the owner column says for a connection no poll saw open. */
export const UNATTRIBUTED_TEXT = 'closed before it could be attributed'

/** The owner of a closed connection, `node (1234)`, or why it has none. */
export function closedConnectionOwner(connection: ClosedConnection): string {
  return connection.pid === null ? UNATTRIBUTED_TEXT : `${connection.process ?? '?'} (${connection.pid})`
}

/** How long a connection lasted as people read it: `18 ms`, `2.4 s`, `3 min 5 s`; `–` when unknown. */
export function formatConnectionDuration(durationMs: number | null): string {
  if (durationMs === null) return NO_VALUE
  if (durationMs < 1000) return `${Math.round(durationMs)} ms`
  if (durationMs < 60_000) return `${(durationMs / 1000).toFixed(1)} s`
  const seconds = Math.round(durationMs / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

/** Bytes sent and received over the connection's life, `300 B out, 701 B in`; `–` without counters. */
export function closedConnectionBytes(connection: ClosedConnection): string {
  const sent = connection.tcpInfo?.bytesSent ?? null
  const received = connection.tcpInfo?.bytesReceived ?? null
  if (sent === null && received === null) return NO_VALUE
  return `${sent === null ? NO_VALUE : formatBytes(sent)} out, ${received === null ? NO_VALUE : formatBytes(received)} in`
}

/** Local and remote endpoints, `127.0.0.1:50000 → 127.0.0.1:80`. */
export function closedConnectionEndpoints(connection: ClosedConnection): string {
  const local = formatEndpoint(connection.localAddress, connection.localPort, connection.family)
  return `${local} → ${formatEndpoint(connection.remoteAddress, connection.remotePort, connection.family)}`
}
