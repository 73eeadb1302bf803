/** Sockets grouped by owning process: the "who holds what" view and the CLI's per-process summary. */
import type { SocketEntry } from './model/socket'

/** One process with its ports and connection counts. */
export interface ProcessGroup {
  /** pid as text, or `none` for sockets without a visible owner. */
  readonly key: string
  readonly pid: number | null
  readonly process: string
  readonly command: string | null
  readonly user: string | null
  /** Listening endpoints, e.g. `tcp 8080`, `udp 53`, `unix /run/x.sock`. */
  readonly listening: readonly string[]
  readonly established: number
  readonly other: number
  readonly total: number
}

/** Groups sockets by owner; ownerless sockets form one group. Sorted by total, largest first. */
export function groupSocketsByProcess(sockets: readonly SocketEntry[]): ProcessGroup[] {
  interface Accumulator {
    pid: number | null
    process: string
    command: string | null
    user: string | null
    listening: Set<string>
    established: number
    other: number
    total: number
  }
  const groups = new Map<string, Accumulator>()
  for (const socket of sockets) {
    const key = socket.pid === null ? 'none' : String(socket.pid)
    let group = groups.get(key)
    if (!group) {
      group = {
        pid: socket.pid,
        process: socket.process ?? (socket.ownerVisibility === 'hidden' ? '(hidden owners)' : '(no owner)'),
        command: socket.command,
        user: socket.user,
        listening: new Set(),
        established: 0,
        other: 0,
        total: 0
      }
      groups.set(key, group)
    }
    group.total++
    const listens = socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.state === 'UNCONN')
    if (listens) group.listening.add(socket.family === null ? `unix ${socket.localAddress || '*'}` : `${socket.protocol} ${socket.localPort}`)
    else if (socket.state === 'ESTABLISHED') group.established++
    else group.other++
  }
  return [...groups.entries()]
    .map(([key, group]) => ({ key, ...group, listening: [...group.listening].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) }))
    .sort((a, b) => b.total - a.total || a.process.localeCompare(b.process))
}
