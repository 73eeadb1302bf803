/** `sockscope port N`: who holds a local port, what an EADDRINUSE on it means, and waiting until it is free. */
import type { PortHolder, PortProtocol, PortReport } from '../../../shared/model/port-report'
import { createSocketProvider, createSystemReader, describePort } from '../../backend'
import { parseCommandArguments, parseIntegerOption, parseNumberOption, UsageError, type CliCommand, type CliIo } from '../cli-command'

/** Prints who holds a port; with --wait, waits until nothing does. */
export const portCommand: CliCommand = {
  help: `Usage: sockscope port PORT [--udp] [--wait] [--timeout S] [--interval S] [--json]

Says who holds a local TCP (or UDP) port in this network namespace and what an
EADDRINUSE ("address already in use") on it means:
  a listener           bind() fails whatever the options: stop that process or pick another port
  a connection         a connection still uses the port as its own end (an ephemeral port the
                       kernel picked, or one accepted before its listener closed): bind() fails
                       unless the new socket sets SO_REUSEADDR
  TIME_WAIT leftovers  closed connections the kernel keeps for up to a minute, held by no
                       process: SO_REUSEADDR gets past them, or wait until they expire

  --udp           a UDP port instead of a TCP one
  --wait          when the port is held, wait until nothing holds it any more
  --timeout S     give up waiting after S seconds (exit 1)
  --interval S    seconds between reads while waiting (default 0.5, at least 0.1)
  --json          the report as one JSON object per line (with --wait, another once it is free)

Exit status: 0 when the port is free (at once, or once --wait saw it let go), 1 when it is
held (or still held when --timeout ran out), 2 on bad arguments.
Run as root to see the owners of other users' sockets.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArguments(
      argv,
      {
        udp: { type: 'boolean' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        interval: { type: 'string' },
        json: { type: 'boolean' }
      },
      true
    )
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the port: sockscope port PORT' : `one port at a time, got ${positionals.join(' ')}`)
    const port = parseIntegerOption('port', positionals[0], 1, 65_535) ?? 0
    const protocol: PortProtocol = values.udp ? 'udp' : 'tcp'
    const timeoutSeconds = parseNumberOption('timeout', values.timeout, 0.1, 366 * 86_400)
    const intervalSeconds = parseNumberOption('interval', values.interval, 0.1, 3600) ?? 0.5
    if (timeoutSeconds !== undefined && !values.wait) throw new UsageError('--timeout only goes with --wait')

    const provider = createSocketProvider()
    const system = createSystemReader()
    const portRange = await system.readPortRange().catch(() => null)
    /** Sockets on the port at the first read: since when they are there, one read cannot say. */
    const atStart = new Set<string>()
    /** When a socket that came later was first seen while waiting, by id. */
    const firstSeen = new Map<string, number>()
    let reads = 0
    const check = async (): Promise<PortReport> => {
      const read = await provider.read({ withProcesses: true })
      const checkedAt = Date.now()
      const first = reads++ === 0
      for (const socket of read.sockets) {
        if (socket.localPort !== port || atStart.has(socket.id) || firstSeen.has(socket.id)) continue
        if (first) atStart.add(socket.id)
        else firstSeen.set(socket.id, checkedAt)
      }
      return describePort({
        port,
        protocol,
        sockets: read.sockets,
        checkedAt,
        portRange,
        homeNetns: provider.reader.homeNetns,
        firstSeen: (id) => {
          const at = firstSeen.get(id)
          return at === undefined ? undefined : { at, openBeforeStart: false }
        }
      })
    }
    try {
      const initial = await check()
      print(initial, values.json === true, io)
      if (initial.free || !values.wait) return initial.free ? 0 : 1

      const startedAt = Date.now()
      if (!values.json) io.err.write(`waiting for ${protocol.toUpperCase()} port ${port} to be free${timeoutSeconds === undefined ? '; Ctrl-C to stop' : ''}…\n`)
      const deadline = timeoutSeconds === undefined ? Infinity : startedAt + timeoutSeconds * 1000
      let latest = initial
      while (!latest.free && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(intervalSeconds * 1000, Math.max(0, deadline - Date.now()))))
        latest = await check()
      }
      if (values.json) io.out.write(JSON.stringify(latest) + '\n')
      else if (latest.free) io.out.write(`${latest.headline} (after ${((latest.checkedAt - startedAt) / 1000).toFixed(1)} s)\n`)
      else io.err.write(`${protocol.toUpperCase()} port ${port} is still held after ${timeoutSeconds} s: ${latest.headline}\n`)
      return latest.free ? 0 : 1
    } finally {
      provider.dispose?.()
    }
  }
}

/** The report as text, or as one JSON line. */
function print(report: PortReport, json: boolean, io: CliIo): void {
  if (json) {
    io.out.write(JSON.stringify(report) + '\n')
    return
  }
  const lines = [report.headline]
  for (const holder of report.holders) lines.push(`  ${holderLine(holder)}`)
  if (report.holderCount > report.holders.length) lines.push(`  … and ${report.holderCount - report.holders.length} more`)
  lines.push('', report.explanation)
  if (report.advice.length > 0) lines.push('', 'What to do:', ...report.advice.map((line) => `  - ${line}`))
  io.out.write(lines.join('\n') + '\n')
}

const ROLE_TEXT: Readonly<Record<PortHolder['role'], string>> = {
  listener: 'listener',
  connection: 'connection',
  ephemeral: 'ephemeral',
  'orphan-connection': 'connection',
  'time-wait': 'TIME_WAIT'
}

function holderLine(holder: PortHolder): string {
  const owner = holder.pid === null ? (holder.role === 'time-wait' ? 'no process' : 'owner not visible') : `${holder.process ?? '?'} (pid ${holder.pid})`
  const ends = holder.endsInMs !== null ? `, ends in ${Math.ceil(holder.endsInMs / 1000)} s` : ''
  const elsewhere = holder.otherNamespace ? ' [other network namespace]' : ''
  const remote = holder.role === 'listener' ? '' : ` → ${holder.remote}`
  return `${ROLE_TEXT[holder.role].padEnd(10)} ${holder.local}${remote}  ${owner}${ends}${elsewhere}`
}
