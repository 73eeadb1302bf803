/**
 * The network namespaces of the running processes: every process's /proc/PID/ns/net names its
 * namespace by an inode, so grouping processes by that inode lists the namespaces in use
 * (containers, `ip netns exec`, sandboxes) and, for each, processes through which to read it.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { containerLabelFromCgroup } from './container-label'

/** One network namespace in use. */
export interface NetworkNamespace {
  /** The inode that names it. */
  readonly inode: number
  /** Processes inside it, lowest pid first. */
  readonly pids: readonly number[]
  /** The container it belongs to, from its processes' cgroups; null when none names one. */
  readonly container: string | null
}

/** How many processes of a namespace have their cgroup read before it is taken to be no container's. */
const CGROUP_READS_PER_NAMESPACE = 4

/** The inode in a namespace link's text (`net:[4026531840]`), or null when it is not one. */
export function networkNamespaceInode(link: string): number | null {
  const match = /^net:\[(\d+)\]$/.exec(link)
  return match === null ? null : Number(match[1])
}

/** How often every process's namespace link is read again, in milliseconds, rather than only new processes'. */
const DEFAULT_FULL_SCAN_INTERVAL_MS = 10_000

/** Settings for a {@link NetworkNamespaceScanner}. */
export interface NetworkNamespaceScannerOptions {
  /**
   * How often every process's namespace is read again, in milliseconds. In between only new
   * processes are read, each on the first two scans that see it (`ip netns exec` and container
   * runtimes enter the namespace just after the process starts). A process that enters another
   * namespace later in its life (setns, unshare) without a new pid shows in it from the next full
   * scan on.
   */
  readonly fullScanIntervalMs?: number
  /** Monotonic milliseconds; replaceable so tests can force or skip full scans. */
  readonly clock?: () => number
}

/** What the last scan cost, to check that the cache works. */
export interface NamespaceScanStatistics {
  /** Namespace links read (readlink calls). */
  readonly linkCount: number
  /** True when every process's link was read again. */
  readonly fullScan: boolean
}

/**
 * Finds the network namespaces in use under a procfs. Each process's namespace is remembered by
 * pid, so a scan reads the links of new processes only (a few hundred readlinks a tick otherwise)
 * and every link again once per full-scan interval. Container labels are worked out once per
 * namespace and forgotten when it is gone.
 */
export class NetworkNamespaceScanner {
  private readonly containers = new Map<number, string | null>()
  /** Namespace by pid; `settled` once read on two scans in a row. */
  private readonly namespaceByPid = new Map<number, { readonly inode: number; readonly settled: boolean }>()
  private readonly fullScanIntervalMs: number
  private readonly clock: () => number
  private lastFullScanAt = Number.NEGATIVE_INFINITY
  private statistics: NamespaceScanStatistics = { linkCount: 0, fullScan: false }

  /** `procRoot`: where procfs is mounted. */
  constructor(
    private readonly procRoot: string,
    options: NetworkNamespaceScannerOptions = {}
  ) {
    this.fullScanIntervalMs = options.fullScanIntervalMs ?? DEFAULT_FULL_SCAN_INTERVAL_MS
    this.clock = options.clock ?? (() => performance.now())
  }

  /** Cost of the last scan. */
  get lastScan(): NamespaceScanStatistics {
    return this.statistics
  }

  /** The namespace this process is in, or null when procfs does not say (a made-up procfs). */
  ownNamespace(): number | null {
    try {
      return networkNamespaceInode(readlinkSync(`${this.procRoot}/self/ns/net`))
    } catch {
      return null
    }
  }

  /**
   * Every namespace some visible process is in. Processes whose namespace link cannot be read
   * (another user's, while not root, or one that just exited) are left out.
   */
  scan(): NetworkNamespace[] {
    const pidsByInode = new Map<number, number[]>()
    let entries: string[]
    try {
      entries = readdirSync(this.procRoot)
    } catch {
      return []
    }
    const now = this.clock()
    const fullScan = now - this.lastFullScanAt >= this.fullScanIntervalMs
    if (fullScan) {
      this.namespaceByPid.clear()
      this.lastFullScanAt = now
    }
    const alive = new Set<number>()
    let linkCount = 0
    for (const entry of entries) {
      const first = entry.charCodeAt(0)
      if (first < 0x30 || first > 0x39) continue
      const pid = Number(entry)
      alive.add(pid)
      const known = this.namespaceByPid.get(pid)
      let inode: number
      if (known?.settled === true) inode = known.inode
      else {
        linkCount++
        const read = this.readNamespace(pid)
        if (read === null) continue
        inode = read
        this.namespaceByPid.set(pid, { inode, settled: known?.inode === inode })
      }
      const pids = pidsByInode.get(inode)
      if (pids === undefined) pidsByInode.set(inode, [pid])
      else pids.push(pid)
    }
    // A pid that is gone is forgotten, so a new process given the same pid is read afresh.
    for (const pid of this.namespaceByPid.keys()) if (!alive.has(pid)) this.namespaceByPid.delete(pid)
    this.statistics = { linkCount, fullScan }
    for (const inode of this.containers.keys()) if (!pidsByInode.has(inode)) this.containers.delete(inode)
    const namespaces: NetworkNamespace[] = []
    for (const [inode, pids] of pidsByInode) {
      pids.sort((a, b) => a - b)
      namespaces.push({ inode, pids, container: this.containerOf(inode, pids) })
    }
    return namespaces
  }

  /** Whether `pid` is still inside the namespace `inode` (it may have exited, or moved). */
  isInside(pid: number, inode: number): boolean {
    const now = this.readNamespace(pid)
    // What is read here is newer than the cache: a process found to have moved is read again next scan.
    if (now !== inode) this.namespaceByPid.delete(pid)
    return now === inode
  }

  /** The namespace inode of a process, or null when its link cannot be read. */
  private readNamespace(pid: number): number | null {
    try {
      return networkNamespaceInode(readlinkSync(`${this.procRoot}/${pid}/ns/net`))
    } catch {
      return null
    }
  }

  private containerOf(inode: number, pids: readonly number[]): string | null {
    const known = this.containers.get(inode)
    if (known !== undefined) return known
    let label: string | null = null
    for (const pid of pids.slice(0, CGROUP_READS_PER_NAMESPACE)) {
      try {
        label = containerLabelFromCgroup(readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8'))
      } catch {
        continue
      }
      if (label !== null) break
    }
    this.containers.set(inode, label)
    return label
  }
}
