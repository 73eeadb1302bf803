/**
 * A socket provider scoped to one process tree: each read lists the processes, updates the
 * tree, and keeps only the sockets its members hold, plus the kernel-held ends (TIME_WAIT and
 * the like, which have no owner) of TCP connections a member held before.
 */
import type { SocketEntry, SocketReaderInfo } from '../../../shared/model/socket'
import type { ProviderRead, SnapshotOptions, SocketProvider, SystemReader } from '../platform/platform'
import type { ProcessTree } from './process-tree'
import type { FdReading } from './run-statistics'

/** TCP connections remembered after their holder let go, so their TIME_WAIT end is still the tree's. */
const MAX_REMEMBERED_CONNECTIONS = 100_000
/** How long a connection is remembered after the last sample that saw the tree hold it (TIME_WAIT lasts 60 s). */
const REMEMBER_CONNECTION_MS = 120_000
/** How long a process's soft fd limit is trusted before it is read again. */
const LIMIT_REFRESH_MS = 30_000

/** A connection's ends in its network namespace: the same ends in another namespace are another connection. */
function connectionKey(socket: SocketEntry): string {
  return `${socket.family}|${socket.localAddress}|${socket.localPort}|${socket.remoteAddress}|${socket.remotePort}|${socket.netns ?? ''}`
}

/** What the last read saw beside the sockets. */
export interface TreeRead {
  /** When the read started (epoch milliseconds). */
  readonly startedAt: number
  readonly fds: readonly FdReading[]
}

/** Reads the sockets of one process tree. */
export class TreeSocketProvider implements SocketProvider {
  readonly platform: string
  /** The tables are the base provider's, read the same way. */
  readonly reader: SocketReaderInfo
  private readonly connections = new Map<string, number>()
  private readonly limits = new Map<number, { readonly limit: number | null; readonly readAt: number }>()
  private readonly excludedInodes = new Set<number>()
  private latest: TreeRead = { startedAt: 0, fds: [] }

  /**
   * `ownPid`: sockscope's own process. A socket it holds too (its stdin, stdout or stderr when
   * they are sockets, which the command inherits) came from outside the tree and is left out.
   */
  constructor(
    private readonly base: SocketProvider,
    private readonly system: SystemReader,
    readonly tree: ProcessTree,
    private readonly ownPid: number = process.pid
  ) {
    this.platform = base.platform
    this.reader = base.reader
  }

  /** Leaves this socket out of every read from now on (sockscope's own connections into the tree). */
  exclude(inode: number): void {
    this.excludedInodes.add(inode)
  }

  /** What the last read saw beside the sockets. */
  lastRead(): TreeRead {
    return this.latest
  }

  async read(options: SnapshotOptions): Promise<ProviderRead> {
    const startedAt = Date.now()
    // Listed before the read, so a process that exits during a slow read still counts for the
    // sockets it held; and after it, so a process forked meanwhile counts for the ones it opened.
    const before = this.tree.update(await this.system.listProcesses(), startedAt)
    const read = await this.base.read(options)
    const members = new Set([...before, ...this.tree.update(await this.system.listProcesses(), Date.now())])
    const sockets: SocketEntry[] = []
    for (const socket of read.sockets) {
      if (this.excludedInodes.has(socket.inode)) continue
      const scoped = this.scope(socket, members, startedAt)
      if (scoped) sockets.push(scoped)
    }
    this.forgetOldConnections(startedAt)
    this.latest = { startedAt, fds: await this.readFds(startedAt) }
    return { ...read, sockets }
  }

  dispose(): void {
    this.base.dispose?.()
  }

  private scope(socket: SocketEntry, members: ReadonlySet<number>, now: number): SocketEntry | null {
    if (socket.owners.some((owner) => owner.pid === this.ownPid)) return null
    const owners = socket.owners.filter((owner) => members.has(owner.pid))
    const [first] = owners
    if (first !== undefined) {
      if (socket.protocol === 'tcp') this.connections.set(connectionKey(socket), now)
      if (owners.length === socket.owners.length) return socket
      return { ...socket, owners, pid: first.pid, process: first.process, command: first.command }
    }
    if (socket.owners.length === 0 && socket.pid === null && socket.inode === 0 && socket.protocol === 'tcp' && this.connections.has(connectionKey(socket))) {
      return socket
    }
    return null
  }

  private forgetOldConnections(now: number): void {
    if (this.connections.size === 0) return
    for (const [key, seenAt] of this.connections) if (now - seenAt > REMEMBER_CONNECTION_MS) this.connections.delete(key)
    if (this.connections.size > MAX_REMEMBERED_CONNECTIONS) {
      // Oldest first, as a Map keeps insertion order and a refreshed entry is not moved: good enough to bound it.
      let extra = this.connections.size - MAX_REMEMBERED_CONNECTIONS
      for (const key of this.connections.keys()) {
        if (extra-- <= 0) break
        this.connections.delete(key)
      }
    }
  }

  private async readFds(now: number): Promise<FdReading[]> {
    const running = this.tree.running()
    for (const pid of this.limits.keys()) if (!this.tree.has(pid)) this.limits.delete(pid)
    return Promise.all(
      running.map(async (process): Promise<FdReading> => {
        const fds = await this.system.countOpenFileDescriptors(process.pid).catch(() => null)
        let known = this.limits.get(process.pid)
        if (!known || now - known.readAt >= LIMIT_REFRESH_MS) {
          known = { limit: await this.system.readSoftOpenFilesLimit(process.pid).catch(() => null), readAt: now }
          this.limits.set(process.pid, known)
        }
        return { pid: process.pid, name: process.name, fds, softLimit: known.limit }
      })
    )
  }
}
