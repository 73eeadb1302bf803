/** Per-connection throughput: byte-counter deltas of tcp_info between two reads of the live table. */
import type { SocketEntry, SocketSnapshot } from '../../../shared/model/socket'

/**
 * The sockets of `next`, each TCP socket with tcp_info in both reads given its bytes per second
 * since `previous`; the others keep `throughput: null`. A counter that went backwards (never
 * expected; a reused id would do it) gives null rather than a negative rate.
 */
export function withThroughput(previous: SocketSnapshot, next: SocketSnapshot): SocketEntry[] {
  const elapsedMs = next.takenAt - previous.takenAt
  const sockets = next.sockets as SocketEntry[]
  // The same array as last read holds the same rows, which carry their throughput already.
  if (!(elapsedMs > 0) || previous.sockets.length === 0 || next.sockets === previous.sockets) return sockets
  const before = new Map<string, SocketEntry>()
  for (const socket of previous.sockets) if (socket.tcpInfo !== null) before.set(socket.id, socket)
  if (before.size === 0) return sockets
  return sockets.map((socket) => {
    const old = socket.tcpInfo === null ? undefined : before.get(socket.id)
    return old === undefined ? socket : { ...socket, throughput: rates(old, socket, elapsedMs) }
  })
}

function rates(before: SocketEntry, after: SocketEntry, elapsedMs: number): SocketEntry['throughput'] {
  const sent = delta(before.tcpInfo?.bytesAcked, after.tcpInfo?.bytesAcked)
  const received = delta(before.tcpInfo?.bytesReceived, after.tcpInfo?.bytesReceived)
  if (sent === null || received === null) return null
  return { sendBytesPerSecond: (sent * 1000) / elapsedMs, receiveBytesPerSecond: (received * 1000) / elapsedMs }
}

function delta(from: number | null | undefined, to: number | null | undefined): number | null {
  if (from === null || from === undefined || to === null || to === undefined || to < from) return null
  return to - from
}
