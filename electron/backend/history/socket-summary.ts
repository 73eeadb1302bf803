/** One pass over a socket table: the counts the history keeps for a tick. */
import type { SocketEntry, SocketProtocol } from '../../../shared/model/socket'
import type { EphemeralUse, PortRange } from '../../../shared/model/history'

/** Mutable counts of one process while a table is being summed up. */
export interface ProcessSocketCounts {
  readonly pid: number
  readonly name: string
  sockets: number
  readonly states: Record<string, number>
  readonly protocols: Record<SocketProtocol, number>
}

/** The counts of one table. */
export interface SocketSummary {
  readonly sockets: number
  readonly states: Record<string, number>
  readonly protocols: Record<SocketProtocol, number>
  /** Keyed by pid. A socket shared by several processes counts for each of them. */
  readonly processes: Map<number, ProcessSocketCounts>
  /** Every destination with at least one ephemeral port, busiest first. */
  readonly ephemeral: EphemeralUse[]
}

/** Zeroed protocol counts. */
export function emptyProtocolCounts(): Record<SocketProtocol, number> {
  return { tcp: 0, udp: 0, unix: 0, raw: 0 }
}

interface DestinationCounts {
  readonly protocol: SocketProtocol
  readonly localAddress: string
  readonly remoteAddress: string
  readonly remotePort: number
  count: number
  readonly owners: Map<number, { name: string; count: number }>
}

/** Ports that something listens on (or a UDP socket is bound to), per protocol. */
interface ListeningPorts {
  readonly tcp: Set<number>
  readonly udp: Set<number>
}

/** True for a socket that took its local port from the ephemeral range to reach a peer. */
function holdsEphemeralPort(socket: SocketEntry, range: PortRange, listening: ListeningPorts): boolean {
  if (socket.protocol !== 'tcp' && socket.protocol !== 'udp') return false
  if (socket.localPort === null || socket.remotePort === null || socket.remotePort === 0) return false
  if (socket.state === 'LISTEN' || socket.state === 'UNCONN') return false
  if (socket.localPort < range.low || socket.localPort > range.high) return false
  // An accepted connection keeps the server's own port, which may sit inside the range.
  return !listening[socket.protocol].has(socket.localPort)
}

/**
 * Destinations by protocol, local address, remote address and remote port, as maps inside maps:
 * the addresses are the rows' own strings, so a lookup builds no key text for each socket.
 */
type DestinationIndex = Map<string, Map<string, Map<string, Map<number, DestinationCounts>>>>

function destinationFor(index: DestinationIndex, socket: SocketEntry, remotePort: number): DestinationCounts {
  const byLocal = inner(index, socket.protocol, () => new Map<string, Map<string, Map<number, DestinationCounts>>>())
  const byRemote = inner(byLocal, socket.localAddress, () => new Map<string, Map<number, DestinationCounts>>())
  const byPort = inner(byRemote, socket.remoteAddress, () => new Map<number, DestinationCounts>())
  let destination = byPort.get(remotePort)
  if (destination === undefined) {
    destination = { protocol: socket.protocol, localAddress: socket.localAddress, remoteAddress: socket.remoteAddress, remotePort, count: 0, owners: new Map() }
    byPort.set(remotePort, destination)
  }
  return destination
}

function inner<Key, Value>(map: Map<Key, Value>, key: Key, make: () => Value): Value {
  let value = map.get(key)
  if (value === undefined) {
    value = make()
    map.set(key, value)
  }
  return value
}

/**
 * Sums a table up by state, protocol and process, and counts ephemeral ports per
 * (local address, remote address:port). Runs once per tick over every socket, so it does one
 * map lookup per socket and owner and nothing else.
 */
export function summarizeSockets(sockets: readonly SocketEntry[], portRange: PortRange | null): SocketSummary {
  const states: Record<string, number> = {}
  const protocols = emptyProtocolCounts()
  const processes = new Map<number, ProcessSocketCounts>()
  const listening: ListeningPorts = { tcp: new Set(), udp: new Set() }

  const countFor = (pid: number, name: string): ProcessSocketCounts => {
    let counts = processes.get(pid)
    if (!counts) {
      counts = { pid, name, sockets: 0, states: {}, protocols: emptyProtocolCounts() }
      processes.set(pid, counts)
    }
    return counts
  }

  for (const socket of sockets) {
    states[socket.state] = (states[socket.state] ?? 0) + 1
    protocols[socket.protocol]++
    if ((socket.protocol === 'tcp' || socket.protocol === 'udp') && socket.localPort !== null) {
      if (socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.state === 'UNCONN')) {
        listening[socket.protocol].add(socket.localPort)
      }
    }
    if (socket.owners.length > 0) {
      for (const owner of socket.owners) {
        const counts = countFor(owner.pid, owner.process)
        counts.sockets++
        counts.states[socket.state] = (counts.states[socket.state] ?? 0) + 1
        counts.protocols[socket.protocol]++
      }
    } else if (socket.pid !== null) {
      const counts = countFor(socket.pid, socket.process ?? '')
      counts.sockets++
      counts.states[socket.state] = (counts.states[socket.state] ?? 0) + 1
      counts.protocols[socket.protocol]++
    }
  }

  const destinations: DestinationCounts[] = []
  if (portRange) {
    const index: DestinationIndex = new Map()
    for (const socket of sockets) {
      if (!holdsEphemeralPort(socket, portRange, listening)) continue
      const destination = destinationFor(index, socket, socket.remotePort ?? 0)
      if (destination.count === 0) destinations.push(destination)
      destination.count++
      if (socket.pid !== null) {
        const owner = destination.owners.get(socket.pid)
        if (owner) owner.count++
        else destination.owners.set(socket.pid, { name: socket.process ?? '', count: 1 })
      }
    }
  }

  const ephemeral: EphemeralUse[] = []
  for (const destination of destinations) {
    let pid: number | null = null
    let process: string | null = null
    let most = 0
    for (const [ownerPid, owner] of destination.owners) {
      if (owner.count > most) {
        most = owner.count
        pid = ownerPid
        process = owner.name
      }
    }
    ephemeral.push({
      protocol: destination.protocol,
      localAddress: destination.localAddress,
      remoteAddress: destination.remoteAddress,
      remotePort: destination.remotePort,
      count: destination.count,
      pid,
      process
    })
  }
  ephemeral.sort((a, b) => b.count - a.count)

  return { sockets: sockets.length, states, protocols, processes, ephemeral }
}
