/**
 * Who holds a local port and what an EADDRINUSE on it means: a pure function of the socket table,
 * shared by the ports domain (with first sightings from the live table) and `sockscope port`
 * (one read). Only sockets of this network namespace keep the port busy; ones in other
 * namespaces are listed apart, since each namespace has ports of its own.
 */
import type { SocketEntry } from '../../../shared/model/socket'
import type { PortRange } from '../../../shared/model/history'
import { PORT_HOLDER_LIMIT, type PortHolder, type PortProtocol, type PortReport, type PortRole, type PortVerdict } from '../../../shared/model/port-report'
import { formatEndpoint } from '../../../shared/format/socket-text'
import type { FirstSeen } from '../sockets/socket-first-seen'

/** What a port report is made from. */
export interface PortReportInput {
  readonly port: number
  readonly protocol: PortProtocol
  readonly sockets: readonly SocketEntry[]
  /** When the table was read, epoch milliseconds. */
  readonly checkedAt: number
  readonly portRange: PortRange | null
  /** The network namespace whose ports are asked about (sockscope's own); null when not known. */
  readonly homeNetns: number | null
  /** When a socket was first seen; absent for a single read. */
  readonly firstSeen?: (id: string) => FirstSeen | undefined
}

/** Whether a socket lives in the namespace asked about (a row that does not know its namespace does). */
function inHomeNamespace(socket: SocketEntry, homeNetns: number | null): boolean {
  return homeNetns === null || socket.netns === null || socket.netns === homeNetns
}

/** Whether a socket uses `port` of `protocol` as its own local port. */
function usesPort(socket: SocketEntry, port: number, protocol: PortProtocol): boolean {
  return socket.protocol === protocol && socket.localPort === port
}

/** The local ports of `protocol` some socket of this namespace uses: one pass for every watched port. */
export function portsInUse(sockets: readonly SocketEntry[], protocol: PortProtocol, homeNetns: number | null): Set<number> {
  const ports = new Set<number>()
  for (const socket of sockets) if (socket.protocol === protocol && socket.localPort !== null && inHomeNamespace(socket, homeNetns)) ports.add(socket.localPort)
  return ports
}

function roleOf(socket: SocketEntry, protocol: PortProtocol, listening: boolean, portRange: PortRange | null): PortRole {
  if (protocol === 'udp' || socket.state === 'LISTEN') return 'listener'
  if (socket.state === 'TIME_WAIT') return 'time-wait'
  if (listening) return 'connection'
  const port = socket.localPort ?? 0
  if (portRange !== null && port >= portRange.low && port <= portRange.high) return 'ephemeral'
  return 'orphan-connection'
}

/** Order of the holders in a report: what blocks most first. */
const ROLE_ORDER: Readonly<Record<PortRole, number>> = { listener: 0, connection: 1, 'orphan-connection': 1, ephemeral: 1, 'time-wait': 2 }

/** "node (pid 1234)", or why the owner is not named. */
function holderName(holder: Pick<PortHolder, 'pid' | 'process'>): string {
  return holder.pid === null ? 'a process sockscope cannot see' : `${holder.process ?? 'process'} (pid ${holder.pid})`
}

/** The distinct processes among holders, in words: "node (pid 12) and python3 (pid 40)". */
function processNames(holders: readonly PortHolder[]): string {
  const names = [...new Set(holders.map(holderName))]
  if (names.length <= 2) return names.join(' and ')
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`
}

function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

/** Who holds the port and what that means for a server that wants to bind it. */
export function describePort(input: PortReportInput): PortReport {
  const { port, protocol, portRange } = input
  const onPort = input.sockets.filter((socket) => usesPort(socket, port, protocol))
  const listening = onPort.some((socket) => socket.state === 'LISTEN' && inHomeNamespace(socket, input.homeNetns))
  const holders = onPort.map((socket): PortHolder => {
    const seen = input.firstSeen?.(socket.id)
    return {
      socketId: socket.id,
      role: roleOf(socket, protocol, listening, portRange),
      state: socket.state,
      local: formatEndpoint(socket.localAddress, socket.localPort, socket.family),
      remote: formatEndpoint(socket.remoteAddress, socket.remotePort, socket.family),
      pid: socket.pid,
      process: socket.process,
      command: socket.command,
      since: seen?.at ?? null,
      openBeforeStart: seen?.openBeforeStart ?? false,
      endsInMs: socket.state === 'TIME_WAIT' && socket.timer?.kind === 'time-wait' ? socket.timer.expiresInMs : null,
      otherNamespace: !inHomeNamespace(socket, input.homeNetns)
    }
  })
  holders.sort((a, b) => Number(a.otherNamespace) - Number(b.otherNamespace) || ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (a.since ?? Infinity) - (b.since ?? Infinity))
  const home = holders.filter((holder) => !holder.otherNamespace)
  const listeners = home.filter((holder) => holder.role === 'listener')
  const connections = home.filter((holder) => holder.role !== 'listener' && holder.role !== 'time-wait')
  const timeWait = home.filter((holder) => holder.role === 'time-wait')
  const verdict: PortVerdict = listeners.length > 0 ? 'listening' : connections.length > 0 ? 'in-use' : timeWait.length > 0 ? 'time-wait' : 'free'
  const blocking = verdict === 'listening' ? listeners : verdict === 'in-use' ? connections : verdict === 'time-wait' ? timeWait : []
  const since = blocking.map((holder) => holder.since).filter((value): value is number => value !== null)
  const words = explain({ port, protocol, portRange, verdict, listeners, connections, timeWait, elsewhere: holders.length - home.length })
  return {
    port,
    protocol,
    checkedAt: input.checkedAt,
    free: verdict === 'free',
    verdict,
    ...words,
    holders: holders.slice(0, PORT_HOLDER_LIMIT),
    holderCount: holders.length,
    heldSince: since.length > 0 ? Math.min(...since) : null,
    portRange
  }
}

interface ExplainInput {
  readonly port: number
  readonly protocol: PortProtocol
  readonly portRange: PortRange | null
  readonly verdict: PortVerdict
  readonly listeners: readonly PortHolder[]
  readonly connections: readonly PortHolder[]
  readonly timeWait: readonly PortHolder[]
  /** Sockets on the port in other network namespaces. */
  readonly elsewhere: number
}

function explain(input: ExplainInput): Pick<PortReport, 'headline' | 'explanation' | 'advice'> {
  const { port, protocol, portRange } = input
  const name = `${protocol.toUpperCase()} port ${port}`
  const inRange = portRange !== null && port >= portRange.low && port <= portRange.high
  const rangeAdvice = inRange
    ? `Port ${port} lies inside the ephemeral range ${portRange.low}–${portRange.high}, so the kernel may hand it to any outgoing connection again: give the server a port outside the range, or reserve it (sysctl net.ipv4.ip_local_reserved_ports=${port}).`
    : null
  const elsewhere =
    input.elsewhere > 0 ? ` (${plural(input.elsewhere, 'socket')} on the same port in other network namespaces do not count: each namespace has ports of its own.)` : ''
  switch (input.verdict) {
    case 'listening': {
      const owners = processNames(input.listeners)
      const first = input.listeners[0]
      const pid = first?.pid ?? null
      return {
        headline: `${name} is held by a ${protocol === 'udp' ? 'bound socket' : 'listener'} of ${owners}`,
        explanation:
          `${owners} ${protocol === 'udp' ? 'has a socket bound to' : 'listens on'} ${first?.local ?? `:${port}`}, so a bind() to the same port fails with EADDRINUSE ` +
          `("address already in use") whatever the options: SO_REUSEADDR does not get past a live ${protocol === 'udp' ? 'bound socket' : 'listener'}, and SO_REUSEPORT only lets processes share a port when every one of them set it.` +
          elsewhere,
        advice: [
          pid !== null
            ? `If ${holderName({ pid, process: first?.process ?? null })} is a leftover of an earlier run, stop it (kill ${pid}, or Stop in the Processes tab), then start yours.`
            : 'The owner is another user’s process: run sockscope as root to see which one.',
          'Or start your server on another port; port 0 lets the kernel pick a free one.',
          ...(rangeAdvice ? [rangeAdvice] : [])
        ]
      }
    }
    case 'in-use': {
      const owners = processNames(input.connections)
      const ephemeral = input.connections.some((holder) => holder.role === 'ephemeral')
      const count = plural(input.connections.length, 'connection')
      return {
        headline: `${name} is the local port of ${count} of ${owners}`,
        explanation:
          (ephemeral
            ? `Nothing listens on ${port}, but ${owners} holds ${count} that the kernel gave ${port} as its local (ephemeral) port when it connected out. `
            : `Nothing listens on ${port} any more, but ${owners} still holds ${count} on it (accepted before its listener closed, or bound to the port by hand). `) +
          `A bind() to ${port} fails with EADDRINUSE unless the new socket sets SO_REUSEADDR before bind(); with it, a listener can start (Node, Go and most servers set it).` +
          elsewhere,
        advice: [
          'Set SO_REUSEADDR on the listening socket before bind() (Python: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)).',
          `Or close those connections, or stop ${owners}.`,
          ...(rangeAdvice ? [rangeAdvice] : [])
        ]
      }
    }
    case 'time-wait': {
      const longest = Math.max(0, ...input.timeWait.map((holder) => holder.endsInMs ?? 0))
      const count = plural(input.timeWait.length, 'connection')
      const wait = longest > 0 ? ` (the last in about ${Math.ceil(longest / 1000)} s)` : ''
      return {
        headline: `${name} is held only by TIME_WAIT leftovers: ${count}`,
        explanation:
          `${count} that used ${port} closed lately, and the kernel keeps each in TIME_WAIT for up to a minute so that late packets are not taken for a new connection. ` +
          `No process holds them. A server that sets SO_REUSEADDR before bind() can listen on ${port} now; without it, bind() fails with EADDRINUSE until they expire${wait}.` +
          elsewhere,
        advice: [
          'Set SO_REUSEADDR on the listening socket before bind(): Node’s net.Server and Go do it by default; in Python set allow_reuse_address = True on a socketserver, or sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1).',
          `Or wait for them to expire${wait}; "Tell me when it is free" says when.`,
          ...(rangeAdvice ? [rangeAdvice] : [])
        ]
      }
    }
    case 'free':
      return {
        headline: `${name} is free`,
        explanation: `No socket of this network namespace uses ${port}, so a bind() to it should succeed.${elsewhere}`,
        advice: rangeAdvice ? [rangeAdvice] : []
      }
  }
}
