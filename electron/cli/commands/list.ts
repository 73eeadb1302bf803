/** `sockscope list`: the socket table once, as a table or JSON. */
import type { SocketEntry } from '../../../shared/model/socket'
import { SOCKET_QUERY_HELP } from '../../../shared/query/socket-fields'
import { ReverseResolver, createSocketProvider } from '../../backend'
import { parseCommandArguments, type CliCommand } from '../cli-command'
import { socketFilterOption } from '../filter-option'
import { writeJsonArray } from '../json-array-output'
import { SOCKET_COLUMNS_HELP, socketColumnsOption, socketTextColumns } from '../socket-columns'
import { socketJson, type SocketJsonRow } from '../socket-json'
import { renderTextTable } from '../text-table'

/** How long `list` waits for reverse DNS before printing addresses instead. */
const RESOLVE_BUDGET_MS = 1500

/** Prints the machine's sockets. */
export const listCommand: CliCommand = {
  help: `Usage: sockscope list [--json] [--filter EXPR] [--columns A,B,...] [--no-resolve] [--verbose]

Prints TCP, UDP, UNIX and raw sockets with their owning process.

  --json          a JSON array, one object per socket and line (every field)
  --filter EXPR   only sockets matching EXPR (the UI's filter language, below)
  --columns LIST  the table's columns, in this order (names below)
  --no-resolve    do not look up names for remote addresses (the table shows names
                  found within ${RESOLVE_BUDGET_MS / 1000} s otherwise; JSON adds "remoteHost")
  --verbose       say on stderr which reader served the tables (netlink, or /proc/net
                  as the fallback; SOCKSCOPE_SOCKET_READER=proc|netlink forces one) and
                  how long the read took

Run as root to see the owners of other users' sockets.

${SOCKET_COLUMNS_HELP}

Filter language:
${SOCKET_QUERY_HELP}
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      json: { type: 'boolean' },
      filter: { type: 'string' },
      columns: { type: 'string' },
      'no-resolve': { type: 'boolean' },
      verbose: { type: 'boolean' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const matches = socketFilterOption(values.filter)
    const columns = socketColumnsOption(values.columns)
    const provider = createSocketProvider()
    const startedAt = performance.now()
    // JSON carries every field; a table reads TCP internals only when one of its columns shows them.
    const tcpInfo = values.json === true || columns.some((field) => field.key.startsWith('tcpInfo.'))
    const read = await provider.read({ withProcesses: true, tcpInfo })
    provider.dispose?.()
    if (values.verbose) {
      const { kind, note } = provider.reader
      io.err.write(`socket reader: ${kind}${note === null ? '' : ` (${note})`}\n`)
      io.err.write(`read ${read.sockets.length} sockets with their owners in ${Math.round(performance.now() - startedAt)} ms\n`)
    }
    const sockets = read.sockets.filter(matches)
    for (const issue of read.issues) io.err.write(`warning: ${issue.source}:${issue.line}: ${issue.message}\n`)
    const names = values['no-resolve'] ? {} : await resolveNames(sockets)

    if (values.json) {
      const rows: readonly SocketJsonRow[] = values['no-resolve'] ? sockets : sockets.map((socket) => ({ ...socket, remoteHost: names[socket.remoteAddress] ?? null }))
      writeJsonArray(io.out, rows, socketJson)
      return 0
    }
    io.out.write(renderTextTable(sockets, socketTextColumns(columns, { nameFor: (address) => names[address] ?? null })))
    if (read.partialOwnership) io.err.write("note: not running as root, so sockets of other users' processes show no owner\n")
    return 0
  }
}

/** Resolves the remote addresses, waiting at most RESOLVE_BUDGET_MS; unresolved ones stay as addresses. */
async function resolveNames(sockets: readonly SocketEntry[]): Promise<Record<string, string>> {
  const resolver = new ReverseResolver({ timeoutMs: RESOLVE_BUDGET_MS })
  resolver.request(sockets.filter((socket) => socket.family !== null).map((socket) => socket.remoteAddress))
  const deadline = Date.now() + RESOLVE_BUDGET_MS
  while (resolver.pending() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
  return resolver.known()
}
