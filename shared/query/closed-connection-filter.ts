/**
 * The filter language over closed connections: the socket filter itself, read against each
 * closed connection as a socket row, so every term means what it means in the live table.
 */
import { closedConnectionAsSocket, type ClosedConnection } from '../model/closed-connection'
import type { QueryCompileResult } from './query-compiler'
import { compileSocketFilter } from './socket-fields'

/** Compiles `source` for closed connections; a bad query fails exactly as it does for sockets. */
export function compileClosedConnectionFilter(source: string): QueryCompileResult<ClosedConnection> {
  const compiled = compileSocketFilter(source)
  if (!compiled.ok) return compiled
  const matchesSocket = compiled.query.matches
  return { ok: true, query: { ...compiled.query, matches: (connection) => matchesSocket(closedConnectionAsSocket(connection)) } }
}
