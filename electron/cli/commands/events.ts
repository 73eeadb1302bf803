/** `sockscope events`: every TCP connection as it closes, attributed where a poll saw it open. */
import { closedConnectionJson, type ClosedConnection } from '../../../shared/model/closed-connection'
import { closedConnectionBytes, closedConnectionEndpoints, closedConnectionOwner, formatConnectionDuration } from '../../../shared/format/closed-connection-text'
import { compileClosedConnectionFilter } from '../../../shared/query/closed-connection-filter'
import { SOCKET_QUERY_HELP } from '../../../shared/query/socket-fields'
import { CloseEventRecorder, createCloseEventSource, createSocketProvider, SocketMonitor } from '../../backend'
import { parseCommandArguments, parseIntegerOption, parseNumberOption, UsageError, type CliCommand } from '../cli-command'
import { formatQueryErrorForTerminal } from '../filter-option'
import { clockTime } from '../finding-text'

/** Prints closed TCP connections as they happen. */
export const eventsCommand: CliCommand = {
  help: `Usage: sockscope events [--json] [--filter EXPR] [--interval S] [--duration S] [--count N]

Listens to the kernel's close events (as "ss -E" does) and prints each TCP connection as it
closes, with its final counters. The socket table is read every interval meanwhile, so a
connection a read saw open gets its process, pid, user, opening time and duration; one that
closed before any read saw it says so. Runs until Ctrl-C.

  --json            one JSON object per closed connection and line: localAddress, localPort,
                    remoteAddress, remotePort, state, uid, pid, process, openedAt, closedAt,
                    durationMs (null when no read saw it open), tcpInfo (final counters).
                    Close events the kernel dropped (its buffer was full) are reported as
                    {"lost": N, "totalLost": T} lines.
  --filter EXPR     only connections matching EXPR (the filter language below)
  --interval S      seconds between socket-table reads (default 1, at least 0.1)
  --duration S      stop after S seconds
  --count N         stop after N connections were printed
  --receive-buffer BYTES
                    the receive buffer to ask the kernel for (default 8 MiB); a smaller one
                    loses events sooner under heavy churn

Filter language:
${SOCKET_QUERY_HELP}
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      json: { type: 'boolean' },
      filter: { type: 'string' },
      interval: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      'receive-buffer': { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const intervalSeconds = parseNumberOption('interval', values.interval, 0.1, 3600) ?? 1
    const durationSeconds = parseNumberOption('duration', values.duration, 0.1, 366 * 86_400)
    const count = parseIntegerOption('count', values.count, 1, Number.MAX_SAFE_INTEGER)
    const receiveBufferBytes = parseIntegerOption('receive-buffer', values['receive-buffer'], 1, 1024 * 1024 * 1024)
    const compiled = compileClosedConnectionFilter(values.filter ?? '')
    if (!compiled.ok) throw new UsageError(`bad --filter: ${formatQueryErrorForTerminal(values.filter ?? '', compiled.error)}`)
    const matches = compiled.query.matches

    let printed = 0
    let finish: (code: number) => void = () => {}
    const finished = new Promise<number>((resolve) => (finish = resolve))
    const monitor = new SocketMonitor(createSocketProvider(), { intervalMs: intervalSeconds * 1000 })
    const print = (connection: ClosedConnection): void => {
      if (count !== undefined && printed >= count) return
      if (!matches(connection)) return
      printed++
      io.out.write(values.json ? JSON.stringify(closedConnectionJson(connection)) + '\n' : describeLine(connection))
      if (count !== undefined && printed >= count) finish(0)
    }
    const recorder = new CloseEventRecorder(
      createCloseEventSource(),
      monitor,
      {
        closed: (connections) => connections.forEach(print),
        lost: (lost, totalLost) => {
          if (values.json) io.out.write(JSON.stringify({ lost, totalLost }) + '\n')
          else io.err.write(`lost ${lost} close events (${totalLost} in all): the receive buffer was full\n`)
        },
        unavailable: (reason) => {
          io.err.write(`sockscope events: ${reason}\n`)
          finish(1)
        }
      },
      { receiveBufferBytes }
    )
    const status = recorder.status()
    if (!status.available) {
      recorder.dispose()
      io.err.write(`sockscope events: ${status.unavailableReason}\n`)
      return 1
    }
    const stop = (): void => finish(0)
    const signals = ['SIGINT', 'SIGTERM'] as const
    for (const signal of signals) process.once(signal, stop)
    const deadline = durationSeconds === undefined ? null : setTimeout(stop, durationSeconds * 1000)
    try {
      // The first read attributes what is open now; only then is the user told it listens.
      await monitor.refresh().catch(() => undefined)
      // The table was just read: the next read is one interval on, so "listening" means no read is under way.
      monitor.start({ readNow: false })
      io.err.write(
        `listening for closed TCP connections (receive buffer ${Math.round(status.receiveBufferBytes / 1024)} KiB)${durationSeconds === undefined && count === undefined ? '; Ctrl-C to stop' : ''}\n`
      )
      return await finished
    } finally {
      if (deadline !== null) clearTimeout(deadline)
      for (const signal of signals) process.removeListener(signal, stop)
      monitor.stop()
      const final = recorder.status()
      recorder.dispose()
      if (!values.json) io.err.write(`${printed} closed connections printed, ${final.received} heard, ${final.lost} lost\n`)
    }
  }
}

/** One closed connection as a line of text. */
function describeLine(connection: ClosedConnection): string {
  return (
    [
      clockTime(connection.closedAt),
      closedConnectionEndpoints(connection),
      connection.state,
      closedConnectionOwner(connection),
      formatConnectionDuration(connection.durationMs),
      closedConnectionBytes(connection)
    ].join('  ') + '\n'
  )
}
