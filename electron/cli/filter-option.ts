/** The `--filter EXPR` option, in the same query language as the UI's filter box. */
import type { SocketEntry } from '../../shared/model/socket'
import { compileSocketFilter } from '../../shared/query/socket-fields'
import type { QueryError } from '../../shared/query/query-error'
import { UsageError } from './cli-command'

/** The query with a caret line under the faulty part, for terminal error messages. */
export function formatQueryErrorForTerminal(source: string, error: QueryError): string {
  const width = Math.max(1, error.end - error.start)
  return `${error.message}\n  ${source}\n  ${' '.repeat(error.start)}${'^'.repeat(width)}`
}

/** Compiles a socket filter from the command line; a bad query is a usage error (exit 2). */
export function socketFilterOption(source: string | undefined): (socket: SocketEntry) => boolean {
  if (source === undefined) return () => true
  const compiled = compileSocketFilter(source)
  if (!compiled.ok) throw new UsageError(`bad --filter: ${formatQueryErrorForTerminal(source, compiled.error)}`)
  return compiled.query.matches
}
