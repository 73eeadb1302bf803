/**
 * The parts of a process focus that are worked out from the socket table alone: which sockets a
 * process holds, each with its age and idle times, and its ephemeral ports per destination.
 */
import type { SocketEntry } from '../../../shared/model/socket'
import type { FocusEphemeralUse, FocusSocket } from '../../../shared/model/focus'
import { FOCUS_SOCKET_LIMIT } from '../../../shared/model/focus'
import { destinationLabel, portRangeSize, type PortRange } from '../../../shared/model/history'
import { formatEndpoint } from '../../../shared/format/socket-text'
import type { FirstSeen } from '../sockets/socket-first-seen'
import { summarizeSockets } from '../history/socket-summary'

/** Whether `pid` holds the socket (a socket shared by a forked server counts for each holder). */
export function isHeldBy(socket: SocketEntry, pid: number): boolean {
  return socket.pid === pid || socket.owners.some((owner) => owner.pid === pid)
}

/** The sockets of the table that `pid` holds. */
export function socketsOf(sockets: readonly SocketEntry[], pid: number): SocketEntry[] {
  return sockets.filter((socket) => isHeldBy(socket, pid))
}

/**
 * The focus view's rows: longest open first, at most {@link FOCUS_SOCKET_LIMIT}. A socket no tick
 * has listed yet counts as first seen at `now`.
 */
export function focusSockets(sockets: readonly SocketEntry[], firstSeen: (id: string) => FirstSeen | undefined, now: number): FocusSocket[] {
  const rows = sockets.map((socket): FocusSocket => {
    const seen = firstSeen(socket.id)
    return {
      id: socket.id,
      protocol: socket.protocol,
      state: socket.state,
      local: formatEndpoint(socket.localAddress, socket.localPort, socket.family),
      remote: formatEndpoint(socket.remoteAddress, socket.remotePort, socket.family),
      firstSeenAt: seen?.at ?? now,
      openBeforeStart: seen?.openBeforeStart ?? false,
      // A listener sends and receives nothing itself: tcp_info's idle times say nothing about it.
      idleSendMs: socket.state === 'LISTEN' ? null : (socket.tcpInfo?.lastSendMs ?? null),
      idleReceiveMs: socket.state === 'LISTEN' ? null : (socket.tcpInfo?.lastReceiveMs ?? null)
    }
  })
  rows.sort((a, b) => a.firstSeenAt - b.firstSeenAt || a.local.localeCompare(b.local) || a.remote.localeCompare(b.remote))
  return rows.slice(0, FOCUS_SOCKET_LIMIT)
}

/** Socket counts by state. */
export function countStates(sockets: readonly SocketEntry[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const socket of sockets) counts[socket.state] = (counts[socket.state] ?? 0) + 1
  return counts
}

/**
 * Ephemeral ports the process's sockets hold per destination, against the range. The table's
 * listeners (any process's) go in with them, so a connection accepted on a listening port is not
 * taken for one that drew an ephemeral port.
 */
export function focusEphemeral(table: readonly SocketEntry[], own: readonly SocketEntry[], portRange: PortRange | null): FocusEphemeralUse[] {
  if (portRange === null) return []
  const listeners = table.filter((socket) => socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.state === 'UNCONN'))
  const size = portRangeSize(portRange)
  return summarizeSockets([...listeners, ...own], portRange).ephemeral.map((use) => ({
    destination: destinationLabel(use),
    count: use.count,
    percentOfRange: size > 0 ? Math.round((use.count / size) * 1000) / 10 : null
  }))
}
