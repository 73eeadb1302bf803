/**
 * `slow-clients`: a listener whose accepted connections stay open while their peers send almost
 * nothing (slowloris and friends). Each such connection ties up a worker, a file descriptor and
 * often a slot in the server's connection limit; enough of them and real clients wait.
 *
 * A connection counts while it is ESTABLISHED on a port this machine listens on, has received at
 * most `slowClientMaximumBytesReceived` bytes, and is waiting on its peer: the server has not
 * answered since the peer's last bytes (tcp_info's `lastReceiveMs` against `lastSendMs`), or
 * nothing was exchanged at all. It must have been seen so for `slowClientMinimumAgeSeconds`.
 * Healthy keep-alive pools stay out: their connections did exchange data and the server had the
 * last word; so do connections whose peer is the listener's own process tree (a pool the
 * program keeps to itself).
 */
import type { SocketEntry } from '../../../shared/model/socket'
import type { FindingProcess } from '../../../shared/model/finding'
import type { LeakSettings } from '../../../shared/leak-settings'
import { describeProcess, formatDuration, listeningKey, topGroups, type Candidate, type LeakRule, type ListeningOwners } from './rule'

/** Deepest a parent chain is walked; real trees are a few levels deep. */
const MAXIMUM_TREE_DEPTH = 64

/** Whether an accepted connection is held by a quiet peer the server is waiting on. */
export function isWaitingOnQuietPeer(socket: SocketEntry, settings: LeakSettings): boolean {
  if (socket.protocol !== 'tcp' || socket.state !== 'ESTABLISHED' || socket.tcpInfo === null) return false
  const { bytesReceived, lastReceiveMs, lastSendMs } = socket.tcpInfo
  if (bytesReceived === null || bytesReceived > settings.slowClientMaximumBytesReceived) return false
  const bytesSent = socket.tcpInfo.bytesSent ?? socket.tcpInfo.bytesAcked ?? 0
  // Parked: both sides spoke and the server had the last word (equal times are one exchange within a tick of the clock).
  const parked = bytesSent > 0 && bytesReceived > 0 && lastSendMs !== null && lastReceiveMs !== null && lastSendMs <= lastReceiveMs
  return !parked
}

/** Whether a socket was accepted on a port this machine listens on. */
export function isAccepted(socket: SocketEntry, listening: ListeningOwners): boolean {
  return socket.localPort !== null && listening.has(listeningKey(socket.protocol, socket.localPort))
}

/** The connections worth following this tick: accepted, and held by a quiet peer. */
export function slowConnectionCandidates(sockets: readonly SocketEntry[], listening: ListeningOwners, settings: LeakSettings): SocketEntry[] {
  const candidates: SocketEntry[] = []
  for (const socket of sockets) if (socket.state === 'ESTABLISHED' && isAccepted(socket, listening) && isWaitingOnQuietPeer(socket, settings)) candidates.push(socket)
  return candidates
}

/** True when `ancestor` is `pid` or one of its parents, grandparents and so on. */
function isAncestorOrSelf(ancestor: number, pid: number, parents: ReadonlyMap<number, number> | null): boolean {
  let current: number | undefined = pid
  for (let depth = 0; current !== undefined && current > 1 && depth < MAXIMUM_TREE_DEPTH; depth++) {
    if (current === ancestor) return true
    current = parents?.get(current)
  }
  return false
}

/** Whether two processes are one tree: the same, or one started (through any number of steps) by the other. */
export function inSameProcessTree(first: number, second: number, parents: ReadonlyMap<number, number> | null): boolean {
  return isAncestorOrSelf(first, second, parents) || isAncestorOrSelf(second, first, parents)
}

/** Pids holding a socket. */
function ownerPids(socket: SocketEntry): number[] {
  if (socket.owners.length > 0) return socket.owners.map((owner) => owner.pid)
  return socket.pid === null ? [] : [socket.pid]
}

/** The other end of each local TCP connection, by `netns|local|remote` as that end sees it. */
function localPeers(sockets: readonly SocketEntry[]): Map<string, SocketEntry> {
  const peers = new Map<string, SocketEntry>()
  for (const socket of sockets) {
    if (socket.protocol === 'tcp' && socket.state === 'ESTABLISHED')
      peers.set(`${socket.netns}|${socket.localAddress}|${socket.localPort}|${socket.remoteAddress}|${socket.remotePort}`, socket)
  }
  return peers
}

interface ListenerSlowness {
  readonly port: number
  readonly netns: number | null
  readonly owner: FindingProcess | null
  readonly connections: SocketEntry[]
  oldestSince: number
  maxIdleMs: number
  maxBytes: number
}

/** Finds listeners held open by many quiet peers. */
export const slowClientRule: LeakRule = (input) => {
  const { settings, now } = input
  const minimumAgeMs = settings.slowClientMinimumAgeSeconds * 1000
  const aged: SocketEntry[] = []
  for (const socket of input.slowCandidates) {
    const since = input.slowSince.get(socket.id) ?? now
    if (now - since >= minimumAgeMs) aged.push(socket)
  }
  if (aged.length === 0) return []
  // Peers on this machine are found in the same table; only then can they be the listener's own tree.
  const peers = localPeers(input.sockets)
  const byListener = new Map<string, ListenerSlowness>()
  for (const socket of aged) {
    const peer = peers.get(`${socket.netns}|${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`)
    if (peer !== undefined) {
      const own = ownerPids(socket)
      if (ownerPids(peer).some((peerPid) => own.some((pid) => inSameProcessTree(pid, peerPid, input.processParents)))) continue
    }
    const port = socket.localPort ?? 0
    const key = `${socket.netns}|${port}`
    let entry = byListener.get(key)
    if (entry === undefined) {
      entry = { port, netns: socket.netns, owner: input.scan.listening.get(listeningKey('tcp', port)) ?? null, connections: [], oldestSince: now, maxIdleMs: 0, maxBytes: 0 }
      byListener.set(key, entry)
    }
    entry.connections.push(socket)
    entry.oldestSince = Math.min(entry.oldestSince, input.slowSince.get(socket.id) ?? now)
    entry.maxIdleMs = Math.max(entry.maxIdleMs, socket.tcpInfo?.lastReceiveMs ?? 0)
    entry.maxBytes = Math.max(entry.maxBytes, socket.tcpInfo?.bytesReceived ?? 0)
  }

  const keepAt = Math.max(1, Math.ceil(settings.slowClientMinimumCount / 2))
  const candidates: Candidate[] = []
  for (const [key, entry] of byListener) {
    const count = entry.connections.length
    if (count < keepAt) continue
    const groups = topGroups(entry.connections.map((socket) => `from ${socket.remoteAddress}`))
    const peerCount = new Set(entry.connections.map((socket) => socket.remoteAddress)).size
    const listener = `:${entry.port}`
    const who = entry.owner === null ? `The listener on ${listener}` : `${describeProcess(entry.owner)} on ${listener}`
    const [top] = groups
    candidates.push({
      id: `slow-clients:${key}`,
      kind: 'slow-clients',
      process: entry.owner,
      raises: count >= settings.slowClientMinimumCount,
      keeps: true,
      severity: count >= settings.slowClientMinimumCount * 10 ? 'critical' : 'warning',
      since: entry.oldestSince,
      title: `${who} is held open by ${count} slow client${count === 1 ? '' : 's'}`,
      explanation:
        `${count} connection${count === 1 ? '' : 's'} accepted on ${listener} from ${peerCount} address${peerCount === 1 ? '' : 'es'}` +
        `${top === undefined ? '' : ` (most ${top.label}, ${top.count})`} have stayed open for at least ${formatDuration(minimumAgeMs)} ` +
        `(the oldest for ${formatDuration(now - entry.oldestSince)}) while their peers sent at most ${entry.maxBytes} bytes each, ` +
        `going quiet for up to ${formatDuration(entry.maxIdleMs)} at a time, and the server has nothing to answer yet. ` +
        'A client that sends a request a byte at a time (slowloris) or never finishes it keeps a worker, a file descriptor and a slot of the connection limit busy.',
      advice:
        'Give the server read and header timeouts (a whole request within a few seconds, not just a byte at a time), cap connections per client address, ' +
        'and put a proxy that buffers whole requests in front of it. A long-poll server that holds requests open on purpose looks the same: raise the count threshold for it.',
      evidence: {
        numbers: {
          slowConnections: count,
          peers: peerCount,
          oldestSeconds: Math.round((now - entry.oldestSince) / 1000),
          longestQuietSeconds: Math.round(entry.maxIdleMs / 1000),
          mostBytesReceived: entry.maxBytes,
          minimumAgeSeconds: settings.slowClientMinimumAgeSeconds
        },
        series: null,
        groups
      }
    })
  }
  return candidates
}
