/**
 * Which processes hold which sockets, found by walking /proc/PID/fd.
 *
 * The walk costs one readlink per open file of every process, which dwarfs parsing the socket
 * tables, so the result is cached per pid and refreshed only where it can be stale.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises'
import type { SocketOwner } from '../../../../shared/model/socket'
import type { OwnerLookup, SocketOwnerLookup } from '../platform'

/** Settings for a process table; the defaults suit a real Linux host. */
export interface ProcessTableOptions {
  /** Where procfs is mounted. */
  readonly procRoot?: string
  /** The user database used to name uids. */
  readonly passwdPath?: string
  /**
   * How often everything is walked again even when nothing seems to need it, in milliseconds.
   * Between full walks, owners can lag behind for sockets passed to an existing process
   * (SCM_RIGHTS), fds closed after a fork, or a process renamed by exec.
   */
  readonly fullWalkIntervalMs?: number
  /** How many processes are walked at once. */
  readonly concurrency?: number
  /** Monotonic milliseconds; replaceable so tests can force or skip full walks. */
  readonly clock?: () => number
}

/** What the last lookup cost, to check that the cache works. */
export interface WalkStatistics {
  /** Processes alive at the lookup. */
  readonly processCount: number
  /** Processes whose fd directory was listed. */
  readonly walkedCount: number
  /** fd links read (readlink calls), the bulk of the cost. */
  readonly linkCount: number
  /** True when the cache was dropped and every process walked. */
  readonly fullWalk: boolean
}

interface ProcessRecord {
  /** What each fd pointed to when last read: a socket inode, or 0 for anything else. */
  readonly fds: ReadonlyMap<string, number>
  /** Socket inodes this process holds an fd to, each once. */
  readonly inodes: readonly number[]
  /** True when its fd directory could not be read. */
  readonly denied: boolean
  /** Name and command; undefined until needed, null when the process vanished before it was read. */
  owner?: SocketOwner | null
}

/** Counters filled in while walking. */
interface WalkProgress {
  walkedCount: number
  linkCount: number
}

const DEFAULT_FULL_WALK_INTERVAL_MS = 15_000
const DEFAULT_CONCURRENCY = 16
/**
 * Processes re-read at once while searching for unknown inodes: few, so the search can stop
 * soon after the process holding them is read.
 */
const SEARCH_CONCURRENCY = 4
const SOCKET_LINK_PREFIX = 'socket:['

/** Errors that mean "the process or fd went away", which is normal mid-walk. */
const VANISHED_CODES = new Set(['ENOENT', 'ESRCH', 'ENOTDIR'])
/** Errors that mean "not allowed to look". */
const DENIED_CODES = new Set(['EACCES', 'EPERM'])

/**
 * Parse /etc/passwd into uid → user name; malformed lines are skipped, the first name for a uid wins.
 */
export function parsePasswd(text: string): ReadonlyMap<number, string> {
  const users = new Map<number, string>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(':')
    if (fields.length < 3 || fields[0] === '' || !/^\d+$/.test(fields[2])) continue
    const uid = Number(fields[2])
    if (!users.has(uid)) users.set(uid, fields[0])
  }
  return users
}

/**
 * Turn a /proc/PID/cmdline buffer into a command line: arguments are NUL-separated, and
 * processes that rewrite their title may leave trailing NULs.
 */
export function formatCommandLine(raw: Buffer): string {
  return raw.toString('utf8').replace(/\0+$/, '').replaceAll('\0', ' ').trimEnd()
}

/**
 * Maps socket inodes to the processes holding them, with a per-pid cache.
 *
 * Each lookup lists /proc, forgets processes that exited, and reads:
 * 1. processes it has not seen before, completely (they may hold anything, inherited sockets too);
 * 2. when some wanted inode is still unknown, the other processes again, those holding the most
 *    sockets first, stopping as soon as every unknown inode is found. This re-read lists the fd
 *    directory but reads a link again only when the fd is new, or did not point to a socket that
 *    is still in the table and was held through that one fd alone. Such a socket still having
 *    its file proves the fd was not closed, so it cannot have been reused. A server with
 *    thousands of connections thus costs one directory listing plus a readlink per new one.
 * An inode still unknown after two lookups in a row (kernel-held, another user's, or passed over
 * SCM_RIGHTS) is remembered so it does not cost a search on every lookup; one miss is not
 * enough, since accept() gives a socket its inode a moment before the fd appears. Every
 * `fullWalkIntervalMs` the cache is dropped and everything is read again, which also catches
 * anything the shortcuts above missed, such as a process renamed by exec.
 */
export class ProcessTable implements SocketOwnerLookup {
  private readonly procRoot: string
  private readonly passwdPath: string
  private readonly fullWalkIntervalMs: number
  private readonly concurrency: number
  private readonly clock: () => number
  private readonly records = new Map<number, ProcessRecord>()
  private unfindable = new Set<number>()
  private missedOnce = new Set<number>()
  private lastFullWalkAt = Number.NEGATIVE_INFINITY
  private users: Promise<ReadonlyMap<number, string>> | null = null
  private statistics: WalkStatistics = { processCount: 0, walkedCount: 0, linkCount: 0, fullWalk: false }
  private running: Promise<unknown> = Promise.resolve()

  constructor(options: ProcessTableOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc'
    this.passwdPath = options.passwdPath ?? '/etc/passwd'
    this.fullWalkIntervalMs = options.fullWalkIntervalMs ?? DEFAULT_FULL_WALK_INTERVAL_MS
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY)
    this.clock = options.clock ?? (() => performance.now())
  }

  /** Cost of the last lookup. */
  get lastWalk(): WalkStatistics {
    return this.statistics
  }

  /**
   * Find the owners of the given socket inodes (0 is ignored: such sockets have no file).
   * Overlapping calls run one after the other, since they share the cache.
   */
  findOwners(inodes: Iterable<number>): Promise<OwnerLookup> {
    const lookup = this.running.then(() => this.lookUp(inodes))
    this.running = lookup.catch(() => undefined)
    return lookup
  }

  private async lookUp(inodes: Iterable<number>): Promise<OwnerLookup> {
    const wanted = new Set<number>()
    for (const inode of inodes) if (inode !== 0) wanted.add(inode)

    const pids = await this.listPids()
    const alive = new Set(pids)
    for (const pid of this.records.keys()) if (!alive.has(pid)) this.records.delete(pid)

    const now = this.clock()
    const fullWalk = now - this.lastFullWalkAt >= this.fullWalkIntervalMs
    if (fullWalk) {
      this.records.clear()
      this.unfindable.clear()
      this.missedOnce.clear()
      this.lastFullWalkAt = now
    }
    const walk: WalkProgress = { walkedCount: 0, linkCount: 0 }
    const newPids = pids.filter((pid) => !this.records.has(pid))
    await this.walk(newPids, null, null, walk)

    const index = this.indexInodes()
    let pidsByInode = index.pidsByInode
    this.unfindable = new Set([...this.unfindable].filter((inode) => wanted.has(inode) && !pidsByInode.has(inode)))
    const missing = new Set<number>()
    for (const inode of wanted) if (!pidsByInode.has(inode) && !this.unfindable.has(inode)) missing.add(inode)

    if (missing.size > 0) {
      const seen = new Set(newPids)
      const candidates = pids.filter((pid) => !seen.has(pid) && this.records.get(pid)?.denied !== true)
      // Processes that already hold sockets are the likeliest to have opened new ones.
      const socketCount = (pid: number): number => this.records.get(pid)?.inodes.length ?? 0
      candidates.sort((left, right) => socketCount(right) - socketCount(left))
      const trusted = new Set<number>()
      for (const inode of wanted) if (index.fdCounts.get(inode) === 1) trusted.add(inode)
      await this.walk(candidates, missing, trusted, walk)
      pidsByInode = this.indexInodes().pidsByInode
    }
    const missedNow = new Set<number>()
    for (const inode of missing) {
      if (this.missedOnce.has(inode)) this.unfindable.add(inode)
      else missedNow.add(inode)
    }
    this.missedOnce = missedNow

    await this.loadOwners(pidsByInode, wanted)
    this.statistics = { processCount: pids.length, ...walk, fullWalk }

    const ownersByInode = new Map<number, SocketOwner[]>()
    for (const inode of wanted) {
      const holders = pidsByInode.get(inode)
      if (holders === undefined) continue
      const owners: SocketOwner[] = []
      for (const pid of holders) {
        const owner = this.records.get(pid)?.owner
        if (owner) owners.push(owner)
      }
      if (owners.length > 0) ownersByInode.set(inode, owners)
    }
    const isRoot = process.getuid?.() === 0
    let denied = false
    for (const record of this.records.values()) if (record.denied) denied = true
    return { ownersByInode, restricted: !isRoot || denied }
  }

  /** The user database, read once. An unreadable file gives an empty map, not an error. */
  userNames(): Promise<ReadonlyMap<number, string>> {
    this.users ??= readFile(this.passwdPath, 'utf8').then(parsePasswd, () => new Map<number, string>())
    return this.users
  }

  /** Forget everything; the next lookup walks every process. */
  clear(): void {
    this.records.clear()
    this.unfindable.clear()
    this.missedOnce.clear()
    this.lastFullWalkAt = Number.NEGATIVE_INFINITY
  }

  private async listPids(): Promise<number[]> {
    const names = await readdir(this.procRoot)
    const pids: number[] = []
    for (const name of names) {
      const code = name.charCodeAt(0)
      if (code >= 0x30 && code <= 0x39 && /^\d+$/.test(name)) pids.push(Number(name))
    }
    pids.sort((left, right) => left - right)
    return pids
  }

  /**
   * Read the fd directories of `pids`, several at a time. With `missing`, stop starting new
   * ones once every inode in it was found (found ones are removed from it). With
   * `trustedInodes`, keep what a process's earlier record says about fds holding those sockets.
   */
  private async walk(
    pids: readonly number[],
    missing: Set<number> | null,
    trustedInodes: ReadonlySet<number> | null,
    progress: WalkProgress
  ): Promise<void> {
    const concurrency = missing === null ? this.concurrency : Math.min(this.concurrency, SEARCH_CONCURRENCY)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < pids.length && (missing === null || missing.size > 0)) {
        const pid = pids[next++]
        progress.walkedCount++
        const previous = trustedInodes === null ? undefined : this.records.get(pid)
        const record = await this.readProcess(pid, previous, trustedInodes, progress)
        if (record === null) {
          this.records.delete(pid)
          continue
        }
        this.records.set(pid, record)
        if (missing !== null) for (const inode of record.inodes) missing.delete(inode)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, pids.length) }, worker))
  }

  /** The sockets one process holds; null when it exited. */
  private async readProcess(
    pid: number,
    previous: ProcessRecord | undefined,
    trustedInodes: ReadonlySet<number> | null,
    progress: WalkProgress
  ): Promise<ProcessRecord | null> {
    const directory = `${this.procRoot}/${pid}/fd`
    let names: string[]
    try {
      names = await readdir(directory)
    } catch (error) {
      if (DENIED_CODES.has(errorCode(error))) return { fds: new Map(), inodes: [], denied: true }
      if (VANISHED_CODES.has(errorCode(error))) return null
      throw error
    }
    const fds = new Map<string, number>()
    const unread: string[] = []
    for (const name of names) {
      const known = previous?.fds.get(name)
      if (known !== undefined && known !== 0 && trustedInodes?.has(known)) fds.set(name, known)
      else unread.push(name)
    }
    progress.linkCount += unread.length
    const links = await Promise.all(unread.map((name) => readlink(`${directory}/${name}`).catch(() => null)))
    unread.forEach((name, index) => {
      const link = links[index]
      // null: the fd was closed in the meantime.
      if (link === null) return
      const inode = link.startsWith(SOCKET_LINK_PREFIX) ? Number(link.slice(SOCKET_LINK_PREFIX.length, -1)) : 0
      fds.set(name, Number.isSafeInteger(inode) && inode > 0 ? inode : 0)
    })
    const inodes = new Set<number>()
    for (const inode of fds.values()) if (inode !== 0) inodes.add(inode)
    // The same process after an incremental re-read: its name and command are still good.
    return { fds, inodes: [...inodes], denied: false, owner: previous?.owner }
  }

  /** pids by socket inode (lowest pid first) and fds by socket inode, over every cached process. */
  private indexInodes(): { pidsByInode: Map<number, number[]>; fdCounts: Map<number, number> } {
    const pidsByInode = new Map<number, number[]>()
    const fdCounts = new Map<number, number>()
    const pids = [...this.records.keys()].sort((left, right) => left - right)
    for (const pid of pids) {
      const record = this.records.get(pid)!
      for (const inode of record.inodes) {
        const holders = pidsByInode.get(inode)
        if (holders === undefined) pidsByInode.set(inode, [pid])
        else holders.push(pid)
      }
      for (const inode of record.fds.values()) if (inode !== 0) fdCounts.set(inode, (fdCounts.get(inode) ?? 0) + 1)
    }
    return { pidsByInode, fdCounts }
  }

  /** Read name, command line and user of the processes holding wanted sockets, once per process. */
  private async loadOwners(pidsByInode: ReadonlyMap<number, readonly number[]>, wanted: ReadonlySet<number>): Promise<void> {
    const pending = new Set<number>()
    for (const inode of wanted) {
      for (const pid of pidsByInode.get(inode) ?? []) {
        if (this.records.get(pid)?.owner === undefined) pending.add(pid)
      }
    }
    if (pending.size === 0) return
    const users = await this.userNames()
    const queue = [...pending]
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        const pid = queue[next++]
        const owner = await this.readOwner(pid, users)
        const record = this.records.get(pid)
        if (record !== undefined) record.owner = owner
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker))
  }

  private async readOwner(pid: number, users: ReadonlyMap<number, string>): Promise<SocketOwner | null> {
    const base = `${this.procRoot}/${pid}`
    try {
      const [name, commandLine, info] = await Promise.all([
        readFile(`${base}/comm`, 'utf8'),
        readFile(`${base}/cmdline`),
        stat(base)
      ])
      const processName = name.replace(/\n$/, '')
      const command = formatCommandLine(commandLine)
      return {
        pid,
        process: processName,
        command: command === '' ? `[${processName}]` : command,
        user: users.get(info.uid) ?? null
      }
    } catch (error) {
      if (VANISHED_CODES.has(errorCode(error)) || DENIED_CODES.has(errorCode(error))) return null
      throw error
    }
  }
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
}
