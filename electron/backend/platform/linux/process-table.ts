/**
 * Which processes hold which sockets, found by walking /proc/PID/fd.
 *
 * The walk costs one readlink per open file of every process, which dwarfs parsing the socket
 * tables. So the answer is cached per pid and only what can have changed is read again; the
 * reads are synchronous calls in a tight loop, since a promise per fd costs more than the
 * readlink itself; and the search for a socket no known process holds is bounded in how often
 * and how much of the time it may run.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { setImmediate as nextTurn } from 'node:timers/promises'
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
   * Between full walks, an owner can lag behind when a process changes without its number of
   * open files changing: renamed by exec, or one fd closed and another opened.
   */
  readonly fullWalkIntervalMs?: number
  /** How often the search for unknown sockets may run. */
  readonly searchBudget?: SearchBudgetOptions
  /** Monotonic milliseconds; replaceable so tests can force or skip full walks and searches. */
  readonly clock?: () => number
}

/** What the last lookup cost, to check that the cache works. */
export interface WalkStatistics {
  /** Processes alive at the lookup. */
  readonly processCount: number
  /** Processes whose fd directory was listed. */
  readonly walkedCount: number
  /** Known processes listed again because their number of open files changed. */
  readonly changedCount: number
  /** fd links read (readlink calls), the bulk of the cost. */
  readonly linkCount: number
  /** True when the cache was dropped and every process walked. */
  readonly fullWalk: boolean
  /** True when some sockets were unknown and the known processes were searched for them. */
  readonly searched: boolean
  /** True when some sockets were unknown but the search budget said to wait. */
  readonly searchDeferred: boolean
}

/** Bounds for the search run when a socket's owner is unknown. */
export interface SearchBudgetOptions {
  /** The shortest time from the start of one search to the start of the next, in milliseconds. */
  readonly minIntervalMs?: number
  /** The largest share of the time searches may take, above 0 and at most 1. */
  readonly maxShare?: number
}

const DEFAULT_SEARCH_INTERVAL_MS = 250
const DEFAULT_SEARCH_SHARE = 0.1

/**
 * When the next search for unknown sockets may start. A miss triggers a search at most every
 * `minIntervalMs`, and after a search that took d milliseconds the next waits d·(1−s)/s more, so
 * searches take at most the share s of the time however slow each one is.
 */
export class SearchBudget {
  private readonly minIntervalMs: number
  private readonly maxShare: number
  private nextAllowedAt = Number.NEGATIVE_INFINITY

  constructor(options: SearchBudgetOptions = {}) {
    this.minIntervalMs = Math.max(0, options.minIntervalMs ?? DEFAULT_SEARCH_INTERVAL_MS)
    this.maxShare = Math.min(1, Math.max(Number.EPSILON, options.maxShare ?? DEFAULT_SEARCH_SHARE))
  }

  /** True when a search may start at `now`. */
  allows(now: number): boolean {
    return now >= this.nextAllowedAt
  }

  /** Charges a walk that ran from `startedAt` to `endedAt` to the budget. */
  spend(startedAt: number, endedAt: number): void {
    const duration = Math.max(0, endedAt - startedAt)
    const rest = (duration * (1 - this.maxShare)) / this.maxShare
    this.nextAllowedAt = Math.max(startedAt + this.minIntervalMs, endedAt + rest)
  }

  /** Lets the next search start at once. */
  reset(): void {
    this.nextAllowedAt = Number.NEGATIVE_INFINITY
  }
}

interface ProcessRecord {
  /** What each fd pointed to when last read: a socket inode, or 0 for anything else. */
  readonly fds: ReadonlyMap<string, number>
  /** Socket inodes this process holds an fd to, each once. */
  readonly inodes: readonly number[]
  /** True when its fd directory could not be read. */
  readonly denied: boolean
  /** Open files the kernel reported just before the fd directory was listed; -1 when unknown. */
  readonly fdCount: number
  /** Name and command; undefined until needed, null when the process vanished before it was read. */
  owner?: SocketOwner | null
}

/** Counters filled in while walking. */
interface WalkProgress {
  walkedCount: number
  linkCount: number
}

const DEFAULT_FULL_WALK_INTERVAL_MS = 15_000
/** Synchronous work between two yields to the event loop, so a long walk does not stall it. */
const SLICE_MS = 10
const SOCKET_LINK_PREFIX = 'socket:['
const NO_FDS: ReadonlyMap<string, number> = new Map()

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
    const [name, , uidText] = line.split(':')
    if (!name || uidText === undefined || !/^\d+$/.test(uidText)) continue
    const uid = Number(uidText)
    if (!users.has(uid)) users.set(uid, name)
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
 * 2. known processes whose number of open files changed (the kernel gives it as the size of
 *    /proc/PID/fd, one stat per process), re-read as described below. This catches a new socket in a running process, and a socket handed to another
 *    process (SCM_RIGHTS, or a child given it) once the sender closes its copy;
 * 3. when some wanted inode is still unknown, the known processes again (the changed ones and
 *    those holding the most sockets first), stopping as soon as every unknown inode is found.
 *    This search runs at most as often as its {@link SearchBudget} allows; a socket missed
 *    meanwhile shows without an owner until the next search or its process's next change.
 *    A re-read reads a link again only when the fd is new, or did not point to a socket that is
 *    still in the table and was held through that one fd alone. Such a socket still having its
 *    file proves the fd was not closed, so it cannot have been reused. A server with thousands
 *    of connections thus costs one directory listing plus a readlink per new one.
 * An inode still unknown after two searches in a row (kernel-held, another user's) is remembered
 * so it does not cost a search on every lookup; one miss is not enough, since accept() gives a
 * socket its inode a moment before the fd appears. Every `fullWalkIntervalMs` the cache is
 * dropped and everything is read again, which also catches what the shortcuts above miss, such
 * as a process renamed by exec or a pid reused between two lookups.
 */
export class ProcessTable implements SocketOwnerLookup {
  private readonly procRoot: string
  private readonly passwdPath: string
  private readonly fullWalkIntervalMs: number
  private readonly clock: () => number
  private readonly searchBudget: SearchBudget
  private readonly records = new Map<number, ProcessRecord>()
  private unfindable = new Set<number>()
  private missedOnce = new Set<number>()
  private lastFullWalkAt = Number.NEGATIVE_INFINITY
  private users: ReadonlyMap<number, string> | null = null
  private statistics: WalkStatistics = {
    processCount: 0,
    walkedCount: 0,
    changedCount: 0,
    linkCount: 0,
    fullWalk: false,
    searched: false,
    searchDeferred: false
  }
  private running: Promise<unknown> = Promise.resolve()
  /** Grows whenever a record is added, changed or dropped, so what is worked out from the records can be kept until then. */
  private recordsVersion = 0
  /**
   * pids by socket inode (lowest pid first) and fds by socket inode, over every cached process,
   * kept up to date record by record: worked out again from every record after each change, they
   * cost a pass over every socket of every process whenever one busy process opened a socket.
   */
  private readonly index = { pidsByInode: new Map<number, number[]>(), fdCounts: new Map<number, number>() }
  /**
   * Owners by inode as last handed out; an inode's entry goes when a process holding it (before
   * or after) is read again or exits, so other processes' changes leave it as it was.
   */
  private readonly ownersCache = new Map<number, readonly SocketOwner[]>()
  /** The last answer and its question, to hand back the same answer object when nothing in it changed. */
  private lastLookup: { readonly question: Iterable<number>; readonly lookup: OwnerLookup } | null = null
  /**
   * The last answer, when every inode it was asked about was found or given up on: asked the
   * same inodes again (the same iterable) while no record changed, it stands as it was.
   */
  private lastAnswer: { readonly question: Iterable<number>; readonly recordsVersion: number; readonly lookup: OwnerLookup } | null = null

  constructor(options: ProcessTableOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc'
    this.passwdPath = options.passwdPath ?? '/etc/passwd'
    this.fullWalkIntervalMs = options.fullWalkIntervalMs ?? DEFAULT_FULL_WALK_INTERVAL_MS
    this.clock = options.clock ?? (() => performance.now())
    this.searchBudget = new SearchBudget(options.searchBudget)
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
    let wantedSet: Set<number> | null = null
    const wantedInodes = (): Set<number> => {
      if (wantedSet === null) {
        wantedSet = new Set<number>()
        for (const inode of inodes) if (inode !== 0) wantedSet.add(inode)
      }
      return wantedSet
    }

    const startedAt = this.clock()
    const pids = this.listPids()
    const alive = new Set(pids)
    for (const pid of this.records.keys()) if (!alive.has(pid)) this.dropRecord(pid)

    const fullWalk = startedAt - this.lastFullWalkAt >= this.fullWalkIntervalMs
    if (fullWalk) {
      this.clearRecords()
      this.unfindable.clear()
      this.missedOnce.clear()
      this.lastFullWalkAt = startedAt
    }
    const progress: WalkProgress = { walkedCount: 0, linkCount: 0 }
    const known: number[] = []
    const fresh: number[] = []
    for (const pid of pids) (this.records.has(pid) ? known : fresh).push(pid)
    await this.walk(fresh, null, null, progress)
    // A full walk counts as a search: the next one waits as long as after any search.
    if (fullWalk) this.searchBudget.spend(startedAt, this.clock())

    let index = this.indexInodes()
    const changed = known.filter((pid) => this.hasChanged(pid))
    if (changed.length > 0) {
      await this.walk(changed, trustedInodes(wantedInodes(), index.fdCounts), null, progress)
      index = this.indexInodes()
    }
    // The same question (the very same inodes) while no process changed has the same answer,
    // unless some inode was left to a search that may yet find it.
    const last = this.lastAnswer
    if (last !== null && last.question === inodes && last.recordsVersion === this.recordsVersion) {
      this.statistics = { processCount: pids.length, ...progress, changedCount: 0, fullWalk: false, searched: false, searchDeferred: false }
      return last.lookup
    }
    const wanted = wantedInodes()

    this.unfindable = new Set([...this.unfindable].filter((inode) => wanted.has(inode) && !index.pidsByInode.has(inode)))
    const missing = new Set<number>()
    for (const inode of wanted) if (!index.pidsByInode.has(inode) && !this.unfindable.has(inode)) missing.add(inode)

    let searched = false
    let searchDeferred = false
    if (missing.size > 0 && fullWalk) {
      // Every process was just read: these are misses already.
      this.rememberMisses(missing)
    } else if (missing.size > 0) {
      const searchStartedAt = this.clock()
      if (this.searchBudget.allows(searchStartedAt)) {
        const stillMissing = new Set(missing)
        await this.walk(this.searchOrder(known, changed), trustedInodes(wanted, index.fdCounts), stillMissing, progress)
        this.searchBudget.spend(searchStartedAt, this.clock())
        index = this.indexInodes()
        this.rememberMisses(stillMissing)
        searched = true
      } else {
        searchDeferred = true
      }
    }

    this.loadOwners(index.pidsByInode, wanted)
    this.statistics = { processCount: pids.length, ...progress, changedCount: changed.length, fullWalk, searched, searchDeferred }

    // While none of its processes changed, a socket's owners are the very array handed out last
    // time, which lets the owner join see at a glance that they did not change.
    const ownersByInode = new Map<number, readonly SocketOwner[]>()
    for (const inode of wanted) {
      let owners = this.ownersCache.get(inode)
      if (owners === undefined) {
        const holders = index.pidsByInode.get(inode)
        if (holders === undefined) continue
        const found: SocketOwner[] = []
        for (const pid of holders) {
          const owner = this.records.get(pid)?.owner
          if (owner) found.push(owner)
        }
        if (found.length === 0) continue
        owners = found
        this.ownersCache.set(inode, owners)
      }
      ownersByInode.set(inode, owners)
    }
    const isRoot = process.getuid?.() === 0
    let denied = false
    for (const record of this.records.values()) if (record.denied) denied = true
    let lookup: OwnerLookup = { ownersByInode, restricted: !isRoot || denied }
    // The same question answered with the same owners (other processes changed) is the same answer.
    const previous = this.lastLookup
    if (previous !== null && previous.question === inodes && sameAnswer(previous.lookup, lookup)) lookup = previous.lookup
    this.lastLookup = { question: inodes, lookup }
    let settled = true
    for (const inode of wanted) if (!index.pidsByInode.has(inode) && !this.unfindable.has(inode)) settled = false
    this.lastAnswer = settled ? { question: inodes, recordsVersion: this.recordsVersion, lookup } : null
    return lookup
  }

  /** The user database, read once. An unreadable file gives an empty map, not an error. */
  userNames(): Promise<ReadonlyMap<number, string>> {
    return Promise.resolve(this.readUsers())
  }

  /** Forget everything; the next lookup walks every process. */
  clear(): void {
    this.lastAnswer = null
    this.lastLookup = null
    this.clearRecords()
    this.unfindable.clear()
    this.missedOnce.clear()
    this.lastFullWalkAt = Number.NEGATIVE_INFINITY
    this.searchBudget.reset()
  }

  private readUsers(): ReadonlyMap<number, string> {
    if (this.users === null) {
      try {
        this.users = parsePasswd(readFileSync(this.passwdPath, 'utf8'))
      } catch {
        this.users = new Map()
      }
    }
    return this.users
  }

  private listPids(): number[] {
    const pids: number[] = []
    for (const name of readdirSync(this.procRoot)) {
      const code = name.charCodeAt(0)
      if (code >= 0x30 && code <= 0x39 && /^\d+$/.test(name)) pids.push(Number(name))
    }
    pids.sort((left, right) => left - right)
    return pids
  }

  /** Open files the kernel reports for a process (the size of its fd directory); -1 when unknown. */
  private fdCount(directory: string): number {
    try {
      return statSync(directory, { throwIfNoEntry: false })?.size ?? -1
    } catch {
      return -1
    }
  }

  /**
   * True when a known process's number of open files is not what it was when last read. Kernels
   * before 6.2 report 0 for every process, so nothing looks changed there and new sockets of
   * running processes are left to the search.
   */
  private hasChanged(pid: number): boolean {
    const record = this.records.get(pid)
    if (record === undefined || record.denied) return false
    return this.fdCount(`${this.procRoot}/${pid}/fd`) !== record.fdCount
  }

  /** The processes to search: those that just changed, then those holding the most sockets. */
  private searchOrder(known: readonly number[], changed: readonly number[]): number[] {
    const first = new Set(changed)
    const rest = known.filter((pid) => !first.has(pid) && this.records.get(pid)?.denied !== true)
    // Processes that already hold sockets are the likeliest to have opened new ones.
    const socketCount = (pid: number): number => this.records.get(pid)?.inodes.length ?? 0
    rest.sort((left, right) => socketCount(right) - socketCount(left))
    return [...changed, ...rest]
  }

  /** An inode a search missed twice in a row is not searched for again until a full walk. */
  private rememberMisses(missed: ReadonlySet<number>): void {
    const missedNow = new Set<number>()
    for (const inode of missed) {
      if (this.missedOnce.has(inode)) this.unfindable.add(inode)
      else missedNow.add(inode)
    }
    this.missedOnce = missedNow
  }

  /**
   * Read the fd directories of `pids`, one after the other, yielding to the event loop every
   * SLICE_MS. With `missing`, stop once every inode in it was found (found ones are removed
   * from it). With `trusted`, processes read before keep what their earlier record says about
   * fds holding those sockets; without, each process is read completely.
   */
  private async walk(pids: readonly number[], trusted: ReadonlySet<number> | null, missing: Set<number> | null, progress: WalkProgress): Promise<void> {
    let sliceStartedAt = performance.now()
    for (const pid of pids) {
      if (missing !== null && missing.size === 0) return
      progress.walkedCount++
      const previous = trusted === null ? undefined : this.records.get(pid)
      const record = this.readProcess(pid, previous, trusted, progress)
      if (record === null) this.dropRecord(pid)
      else {
        this.setRecord(pid, record)
        if (missing !== null) for (const inode of record.inodes) missing.delete(inode)
      }
      if (performance.now() - sliceStartedAt >= SLICE_MS) {
        await nextTurn()
        sliceStartedAt = performance.now()
      }
    }
  }

  /** The sockets one process holds; null when it exited. */
  private readProcess(pid: number, previous: ProcessRecord | undefined, trusted: ReadonlySet<number> | null, progress: WalkProgress): ProcessRecord | null {
    const directory = `${this.procRoot}/${pid}/fd`
    // Counted before listing: an fd opened in between makes the next count differ, never the same.
    const fdCount = this.fdCount(directory)
    let names: string[]
    try {
      names = readdirSync(directory)
    } catch (error) {
      if (DENIED_CODES.has(errorCode(error))) return { fds: NO_FDS, inodes: [], denied: true, fdCount: -1 }
      if (VANISHED_CODES.has(errorCode(error))) return null
      throw error
    }
    const fds = new Map<string, number>()
    const inodes = new Set<number>()
    for (const name of names) {
      let inode = previous?.fds.get(name)
      if (inode === undefined || inode === 0 || trusted?.has(inode) !== true) {
        progress.linkCount++
        const read = readSocketInode(`${directory}/${name}`)
        // null: the fd was closed in the meantime.
        if (read === null) continue
        inode = read
      }
      fds.set(name, inode)
      if (inode !== 0) inodes.add(inode)
    }
    // The same sockets after an incremental re-read: its name and command are still good. New
    // sockets read them again, since a process may have renamed itself (process.title, prctl) since.
    const sameSockets = previous !== undefined && previous.inodes.length === inodes.size && previous.inodes.every((inode) => inodes.has(inode))
    return { fds, inodes: [...inodes], denied: false, fdCount, owner: sameSockets ? previous.owner : undefined }
  }

  private setRecord(pid: number, record: ProcessRecord): void {
    const old = this.records.get(pid)
    if (old !== undefined) this.unindex(pid, old)
    for (const inode of record.inodes) this.ownersCache.delete(inode)
    this.records.set(pid, record)
    this.addToIndex(pid, record)
    this.recordsVersion++
  }

  private dropRecord(pid: number): void {
    const old = this.records.get(pid)
    if (old === undefined) return
    this.unindex(pid, old)
    this.records.delete(pid)
    this.recordsVersion++
  }

  private clearRecords(): void {
    this.records.clear()
    this.ownersCache.clear()
    this.index.pidsByInode.clear()
    this.index.fdCounts.clear()
    this.recordsVersion++
  }

  private addToIndex(pid: number, record: ProcessRecord): void {
    const { pidsByInode, fdCounts } = this.index
    for (const inode of record.inodes) {
      const holders = pidsByInode.get(inode)
      if (holders === undefined) pidsByInode.set(inode, [pid])
      else {
        // Few processes share a socket: a sorted insert keeps the lowest pid first.
        let at = holders.length
        while (at > 0 && (holders[at - 1] ?? 0) > pid) at--
        holders.splice(at, 0, pid)
      }
    }
    for (const inode of record.fds.values()) if (inode !== 0) fdCounts.set(inode, (fdCounts.get(inode) ?? 0) + 1)
  }

  private unindex(pid: number, record: ProcessRecord): void {
    const { pidsByInode, fdCounts } = this.index
    for (const inode of record.inodes) {
      this.ownersCache.delete(inode)
      const holders = pidsByInode.get(inode)
      if (holders === undefined) continue
      const at = holders.indexOf(pid)
      if (at >= 0) holders.splice(at, 1)
      if (holders.length === 0) pidsByInode.delete(inode)
    }
    for (const inode of record.fds.values()) {
      if (inode === 0) continue
      const count = (fdCounts.get(inode) ?? 0) - 1
      if (count > 0) fdCounts.set(inode, count)
      else fdCounts.delete(inode)
    }
  }

  /** pids by socket inode (lowest pid first) and fds by socket inode, over every cached process. */
  private indexInodes(): { readonly pidsByInode: ReadonlyMap<number, readonly number[]>; readonly fdCounts: ReadonlyMap<number, number> } {
    return this.index
  }

  /** Read name, command line and user of the processes holding wanted sockets, once per process. */
  private loadOwners(pidsByInode: ReadonlyMap<number, readonly number[]>, wanted: ReadonlySet<number>): void {
    let users: ReadonlyMap<number, string> | null = null
    for (const inode of wanted) {
      for (const pid of pidsByInode.get(inode) ?? []) {
        const record = this.records.get(pid)
        if (record === undefined || record.owner !== undefined) continue
        users ??= this.readUsers()
        record.owner = this.readOwner(pid, users)
      }
    }
  }

  private readOwner(pid: number, users: ReadonlyMap<number, string>): SocketOwner | null {
    const base = `${this.procRoot}/${pid}`
    try {
      const processName = readFileSync(`${base}/comm`, 'utf8').replace(/\n$/, '')
      const command = formatCommandLine(readFileSync(`${base}/cmdline`))
      const uid = statSync(base).uid
      return { pid, process: processName, command: command === '' ? `[${processName}]` : command, user: users.get(uid) ?? null }
    } catch (error) {
      if (VANISHED_CODES.has(errorCode(error)) || DENIED_CODES.has(errorCode(error))) return null
      throw error
    }
  }
}

/** The same restriction and, for every inode, the very same owners array. */
function sameAnswer(before: OwnerLookup, after: OwnerLookup): boolean {
  if (before.restricted !== after.restricted || before.ownersByInode.size !== after.ownersByInode.size) return false
  for (const [inode, owners] of after.ownersByInode) if (before.ownersByInode.get(inode) !== owners) return false
  return true
}

/** Sockets held through exactly one fd: if that fd is still open, it still points to the same socket. */
function trustedInodes(wanted: ReadonlySet<number>, fdCounts: ReadonlyMap<number, number>): Set<number> {
  const trusted = new Set<number>()
  for (const inode of wanted) if (fdCounts.get(inode) === 1) trusted.add(inode)
  return trusted
}

/** The socket inode an fd link points to, 0 for anything else, null when the fd is gone. */
function readSocketInode(path: string): number | null {
  let link: string
  try {
    link = readlinkSync(path)
  } catch {
    return null
  }
  if (!link.startsWith(SOCKET_LINK_PREFIX)) return 0
  const inode = Number(link.slice(SOCKET_LINK_PREFIX.length, -1))
  return Number.isSafeInteger(inode) && inode > 0 ? inode : 0
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
}
