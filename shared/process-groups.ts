/**
 * Sockets grouped by owning process: the "who holds what" view and the CLI's per-process summary;
 * and those groups gathered by network namespace (a container's, or the host's).
 */
import type { SocketEntry } from './model/socket'

/** One process with its ports and connection counts. */
export interface ProcessGroup {
  /** pid as text, or `none` for sockets without a visible owner; then the namespace's inode when grouped by namespace. */
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
  /** Sockets per state (`ESTABLISHED`, `CLOSE_WAIT`, `LISTEN`…), every protocol together. */
  readonly states: Readonly<Record<string, number>>
  /** Bytes per second over the group's TCP connections, or null when none has a rate (no netlink, or no second read yet). */
  readonly sendBytesPerSecond: number | null
  readonly receiveBytesPerSecond: number | null
  /** The network namespace of the group's sockets (of its first one, unless grouped by namespace). */
  readonly netns: number | null
  /** That namespace's container, or null. */
  readonly container: string | null
}

/** How to group sockets. */
export interface ProcessGroupOptions {
  /**
   * One group per process and network namespace: a process in a container may also hold sockets
   * made in another namespace (a pipe to the host, sockets it had before it moved), which then
   * show under that namespace. Ownerless sockets form one group per namespace.
   */
  readonly byNamespace?: boolean
}

/** The user running the socket's process: the owner's (read from the process itself), else the socket's. */
function ownerUser(socket: SocketEntry): string | null {
  const owner = socket.owners.find((each) => each.pid === socket.pid)
  return owner?.user ?? socket.user
}

/** Groups sockets by owner; ownerless sockets form one group. Sorted by total, largest first. */
export function groupSocketsByProcess(sockets: readonly SocketEntry[], options: ProcessGroupOptions = {}): ProcessGroup[] {
  interface Accumulator {
    pid: number | null
    process: string
    command: string | null
    user: string | null
    listening: Set<string>
    established: number
    other: number
    total: number
    states: Record<string, number>
    sendBytesPerSecond: number | null
    receiveBytesPerSecond: number | null
    netns: number | null
    container: string | null
  }
  const groups = new Map<string, Accumulator>()
  for (const socket of sockets) {
    const owner = socket.pid === null ? 'none' : String(socket.pid)
    const key = options.byNamespace && socket.netns !== null ? `${owner} ${socket.netns}` : owner
    let group = groups.get(key)
    if (!group) {
      group = {
        pid: socket.pid,
        process: socket.process ?? (socket.ownerVisibility === 'hidden' ? '(hidden owners)' : '(no owner)'),
        command: socket.command,
        user: ownerUser(socket),
        listening: new Set(),
        established: 0,
        other: 0,
        total: 0,
        states: {},
        sendBytesPerSecond: null,
        receiveBytesPerSecond: null,
        netns: socket.netns,
        container: socket.container
      }
      groups.set(key, group)
    }
    group.total++
    // A UNIX socket has no uid of its own: the first socket that names a user does.
    group.user ??= ownerUser(socket)
    group.states[socket.state] = (group.states[socket.state] ?? 0) + 1
    if (socket.throughput !== null) {
      group.sendBytesPerSecond = (group.sendBytesPerSecond ?? 0) + socket.throughput.sendBytesPerSecond
      group.receiveBytesPerSecond = (group.receiveBytesPerSecond ?? 0) + socket.throughput.receiveBytesPerSecond
    }
    const listens = socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.state === 'UNCONN')
    if (listens) group.listening.add(socket.family === null ? `unix ${socket.localAddress || '*'}` : `${socket.protocol} ${socket.localPort}`)
    else if (socket.state === 'ESTABLISHED') group.established++
    else group.other++
  }
  return [...groups.entries()]
    .map(([key, group]) => ({ key, ...group, listening: [...group.listening].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) }))
    .sort((a, b) => b.total - a.total || a.process.localeCompare(b.process))
}

/** The process groups of one network namespace. */
export interface NamespaceSection {
  /** The namespace's inode as text, or `unknown`. */
  readonly key: string
  readonly netns: number | null
  readonly container: string | null
  /** True for the namespace sockscope runs in: the host's, unless sockscope itself runs in a container. */
  readonly home: boolean
  /** What to call it: `Host`, the container label, or the namespace's number. */
  readonly title: string
  readonly groups: readonly ProcessGroup[]
  readonly total: number
}

/**
 * Process groups gathered by network namespace: sockscope's own first, then the others by
 * total, largest first (then by title). Groups keep their order inside a section.
 */
export function sectionProcessGroupsByNamespace(groups: readonly ProcessGroup[], homeNetns: number | null): NamespaceSection[] {
  const sections = new Map<string, { netns: number | null; container: string | null; groups: ProcessGroup[]; total: number }>()
  for (const group of groups) {
    const key = group.netns === null ? 'unknown' : String(group.netns)
    let section = sections.get(key)
    if (section === undefined) {
      section = { netns: group.netns, container: group.container, groups: [], total: 0 }
      sections.set(key, section)
    }
    section.container ??= group.container
    section.groups.push(group)
    section.total += group.total
  }
  return [...sections.entries()]
    .map(([key, section]) => {
      const home = section.netns !== null && section.netns === homeNetns
      const title = home ? 'Host' : (section.container ?? (section.netns === null ? 'Namespace not known' : `Network namespace ${section.netns}`))
      return { key, ...section, home, title }
    })
    .sort((a, b) => Number(b.home) - Number(a.home) || b.total - a.total || a.title.localeCompare(b.title))
}
