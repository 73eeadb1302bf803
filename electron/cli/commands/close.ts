/** `sockscope close`: closes the TCP connections a filter matches, after a confirmation. */
import { createInterface } from 'node:readline'
import type { SocketEntry } from '../../../shared/model/socket'
import type { ActionOutcome } from '../../../shared/model/action'
import { connectionWithProcessText, whyNotClosable } from '../../../shared/format/action-text'
import { SOCKET_QUERY_HELP } from '../../../shared/query/socket-fields'
import { ActionLog, closeConnection, createSocketProvider, createSystemActions, PrivateFolder } from '../../backend'
import { parseCommandArguments, UsageError, type CliCommand, type CliIo } from '../cli-command'
import { DATA_DIRECTORY_HELP, prepareDataDirectory } from '../data-directory-option'
import { socketFilterOption } from '../filter-option'

/** Closes matching TCP connections with SOCK_DESTROY. */
export const closeCommand: CliCommand = {
  help: `Usage: sockscope close --filter EXPR [--yes] [--data-dir DIR]

Closes every TCP connection that matches EXPR with SOCK_DESTROY, the way "ss -K" does:
the kernel aborts it, the peer sees a reset (ECONNRESET) and the owning process's reads
fail with ECONNABORTED. Listening sockets, UDP and UNIX sockets are never closed.

It prints what matches, then asks on the terminal. Without a terminal (a script, a pipe)
it closes nothing unless --yes is given.

  --filter EXPR   the connections to close (the filter language of "sockscope list")
  --yes           close without asking
${DATA_DIRECTORY_HELP}
Needs CAP_NET_ADMIN (run as root) and a kernel built with CONFIG_INET_DIAG_DESTROY; when
either is missing it says which. Every attempt is added to actions.log in the data folder.

Exit status: 0 when every matching connection was closed; 1 when none matched, nothing was
confirmed, or one could not be closed; 2 for bad arguments.

Filter language:
${SOCKET_QUERY_HELP}
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      filter: { type: 'string' },
      yes: { type: 'boolean' },
      'data-dir': { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    // Closing every connection of the machine takes a filter that says so, never a forgotten option.
    if (values.filter === undefined || values.filter.trim() === '') throw new UsageError('--filter is required: it names the connections to close')
    const matches = socketFilterOption(values.filter)
    const log = new ActionLog(new PrivateFolder(await prepareDataDirectory(values['data-dir'])))
    const client = `cli (pid ${process.pid}, uid ${process.getuid?.() ?? 'unknown'})`
    const record = (socket: SocketEntry, outcome: ActionOutcome, message: string) =>
      log.record({ at: Date.now(), actor: 'cli', client, action: 'close-connection', target: connectionWithProcessText(socket), outcome, message })

    const provider = createSocketProvider()
    const read = await provider.read({ withProcesses: true })
    provider.dispose?.()
    const matching = read.sockets.filter(matches)
    const connections = matching.filter((socket) => whyNotClosable(socket) === null)
    const others = matching.length - connections.length
    if (others > 0)
      io.err.write(`note: ${others} matching socket${others === 1 ? ' is' : 's are'} not a TCP connection (listeners, UDP, UNIX) and ${others === 1 ? 'is' : 'are'} left alone\n`)
    if (connections.length === 0) {
      io.err.write('sockscope close: no TCP connection matches; nothing was closed\n')
      return 1
    }
    io.out.write(`${connections.length === 1 ? '1 connection matches' : `${connections.length} connections match`}:\n`)
    for (const socket of connections) io.out.write(`  ${connectionWithProcessText(socket)}  ${socket.state}\n`)

    const confirmed = values.yes === true || (await confirmOnTerminal(io, connections.length))
    if (!confirmed) {
      const why = io.input?.isTTY === true ? 'not confirmed' : 'no terminal to confirm on, and no --yes'
      for (const socket of connections) record(socket, 'refused', why)
      await log.flushed()
      io.err.write(`sockscope close: ${why}; nothing was closed${io.input?.isTTY === true ? '' : ' (add --yes to close without asking)'}\n`)
      return 1
    }

    const platform = createSystemActions()
    let failures = 0
    for (const socket of connections) {
      const attempt = closeConnection(platform, socket)
      record(socket, attempt.outcome, attempt.message)
      if (attempt.outcome === 'done') {
        io.out.write(`closed ${connectionWithProcessText(socket)}\n`)
      } else {
        failures += 1
        io.err.write(`not closed ${connectionWithProcessText(socket)}: ${attempt.message}\n`)
      }
    }
    await log.flushed()
    if (failures > 0) io.err.write(`sockscope close: ${failures} of ${connections.length} connection${connections.length === 1 ? ' was' : 's were'} not closed\n`)
    return failures === 0 ? 0 : 1
  }
}

/** Asks "Close N connections? [y/N]" when a person can answer; false without a terminal. */
async function confirmOnTerminal(io: CliIo, count: number): Promise<boolean> {
  const input = io.input
  if (input === undefined || input.isTTY !== true) return false
  const lines = createInterface({ input, output: io.err, terminal: false })
  try {
    io.err.write(`Close ${count === 1 ? 'this connection' : `these ${count} connections`}? [y/N] `)
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve)
      lines.once('close', () => resolve(''))
    })
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    lines.close()
  }
}
