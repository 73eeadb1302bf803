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

/**
 * Finds the network namespaces in use under a procfs. Container labels are worked out once per
 * namespace and forgotten when it is gone.
 */
export class NetworkNamespaceScanner {
  private readonly containers = new Map<number, string | null>()

  /** `procRoot`: where procfs is mounted. */
  constructor(private readonly procRoot: string) {}

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
    for (const entry of entries) {
      const first = entry.charCodeAt(0)
      if (first < 0x30 || first > 0x39) continue
      let link: string
      try {
        link = readlinkSync(`${this.procRoot}/${entry}/ns/net`)
      } catch {
        continue
      }
      const inode = networkNamespaceInode(link)
      if (inode === null) continue
      const pids = pidsByInode.get(inode)
      if (pids === undefined) pidsByInode.set(inode, [Number(entry)])
      else pids.push(Number(entry))
    }
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
    try {
      return networkNamespaceInode(readlinkSync(`${this.procRoot}/${pid}/ns/net`)) === inode
    } catch {
      return false
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
