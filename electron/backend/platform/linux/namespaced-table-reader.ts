/**
 * The socket tables of every network namespace in use, not just sockscope's own: containers and
 * `ip netns exec` processes have tables of their own, invisible from the host's.
 *
 * The host's namespace is read by the host reader (netlink or /proc/net). Every other namespace
 * is found through its processes (/proc/PID/ns/net) and read one of two ways:
 * - netlink, where sockscope may enter the namespace (root): a sock_diag socket opened inside it
 *   keeps answering for it, so one is kept per namespace and closed when the namespace's last
 *   process is gone (an open socket would keep the namespace alive);
 * - else /proc/PID/net/{tcp,tcp6,udp,udp6,raw,raw6,unix} of one of its processes, which show the
 *   tables of that process's namespace.
 */
import type { SocketEntry, SocketNamespace, TableIssue } from '../../../../shared/model/socket'
import { errorMessage } from '../../../../shared/error-message'
import type { SocketTableRead, SocketTableReader, TableReadOptions } from '../platform'
import { DiagRowCache } from './diag-row-cache'
import { readNetlinkTables } from './netlink-table-reader'
import { SocketDiagnostics } from './netlink/socket-diagnostics'
import { NetworkNamespaceScanner, type NetworkNamespace } from './network-namespaces'
import { ProcNetTableReader } from './proc-net-tables'

/** How the other namespaces are read. */
export type NamespaceAccess = 'netlink' | 'proc'

/** Settings for a {@link NamespacedTableReader}. */
export interface NamespacedTableReaderOptions {
  /** Where procfs is mounted. */
  readonly procRoot: string
  /** `netlink` tries to enter each namespace and falls back to /proc for good once that is refused; `proc` never tries. */
  readonly access: NamespaceAccess
  /** Opens a sock_diag socket inside the namespace at a path; replaceable so tests can refuse it. */
  readonly openInside?: (namespacePath: string) => SocketDiagnostics
}

/** Reads the host's tables with `host`, then every other namespace's. */
export class NamespacedTableReader implements SocketTableReader {
  readonly kind: string
  readonly homeNamespace: number | null
  private readonly scanner: NetworkNamespaceScanner
  private readonly sockets = new Map<number, SocketDiagnostics>()
  /** The rows last read through each of those sockets, by namespace inode. */
  private readonly rowCaches = new Map<number, DiagRowCache>()
  /** The rows of each namespace at the last read, and those rows joined. */
  private lastParts: readonly (readonly SocketEntry[])[] = []
  private lastRows: readonly SocketEntry[] = []
  private readonly openInside: (namespacePath: string) => SocketDiagnostics
  /** Why namespaces are read from /proc rather than entered; null while netlink is still tried. */
  private netlinkRefused: string | null

  constructor(
    private readonly host: SocketTableReader,
    private readonly options: NamespacedTableReaderOptions
  ) {
    this.kind = host.kind
    this.scanner = new NetworkNamespaceScanner(options.procRoot)
    this.homeNamespace = this.scanner.ownNamespace()
    this.openInside = options.openInside ?? ((networkNamespacePath) => SocketDiagnostics.open({ networkNamespacePath }))
    this.netlinkRefused = options.access === 'proc' ? 'the /proc/net reader was chosen' : null
  }

  /** The namespace rows of the host reader belong to: sockscope's own, with no container. */
  static hostNamespace(procRoot: string): SocketNamespace {
    return { netns: new NetworkNamespaceScanner(procRoot).ownNamespace(), container: null }
  }

  /** How other namespaces are read now, and why not through netlink when they are not. */
  namespaceAccess(): { readonly access: NamespaceAccess; readonly reason: string | null } {
    return this.netlinkRefused === null ? { access: 'netlink', reason: null } : { access: 'proc', reason: this.netlinkRefused }
  }

  /** The namespaces a sock_diag socket is kept open inside, by inode. */
  enteredNamespaces(): number[] {
    return [...this.sockets.keys()]
  }

  async read(options: TableReadOptions = {}): Promise<SocketTableRead> {
    const host = await this.host.read(options)
    // Without its own namespace's inode, the host's namespace cannot be told from the others.
    if (this.homeNamespace === null) return host
    const namespaces = this.scanner.scan().filter((namespace) => namespace.inode !== this.homeNamespace)
    this.forgetNamespacesOtherThan(namespaces)
    if (namespaces.length === 0) return host
    const parts: (readonly SocketEntry[])[] = [host.rows]
    const issues: TableIssue[] = host.issues.slice()
    for (const namespace of namespaces) {
      const read = await this.readNamespace(namespace, options)
      if (read === null) continue
      parts.push(read.rows)
      for (const issue of read.issues) issues.push(issue)
    }
    return { rows: this.joinParts(parts), issues }
  }

  /** The rows of every namespace in one array; last read's array when every part is last read's (each reader hands back its own then). */
  private joinParts(parts: readonly (readonly SocketEntry[])[]): readonly SocketEntry[] {
    const last = this.lastParts
    if (last.length === parts.length && parts.every((part, index) => part === last[index])) return this.lastRows
    const rows: SocketEntry[] = []
    for (const part of parts) for (const row of part) rows.push(row)
    this.lastParts = parts
    this.lastRows = rows
    return rows
  }

  dispose(): void {
    for (const socket of this.sockets.values()) socket.close()
    this.sockets.clear()
    this.rowCaches.clear()
    this.host.dispose?.()
  }

  /** One namespace's tables; null when every process of it exited before it could be read. */
  private async readNamespace(namespace: NetworkNamespace, options: TableReadOptions): Promise<SocketTableRead | null> {
    const scope: SocketNamespace = { netns: namespace.inode, container: namespace.container }
    const diagnostics = this.socketInside(namespace)
    for (const pid of namespace.pids) {
      const procTables = new ProcNetTableReader(`${this.options.procRoot}/${pid}`, scope)
      try {
        const read = diagnostics === null ? await procTables.read() : await readNetlinkTables(diagnostics, procTables, scope, options, this.rowCache(namespace.inode))
        // A process that exited or moved while its tables were read may have shown nothing, or another namespace's.
        if (this.scanner.isInside(pid, namespace.inode)) return read
      } catch (error) {
        if (diagnostics !== null) {
          const source = `network namespace ${namespace.inode}`
          return { rows: [], issues: [{ source, line: 0, message: `could not be read: ${errorMessage(error)}`, text: '' }] }
        }
      }
    }
    return null
  }

  private rowCache(inode: number): DiagRowCache {
    let cache = this.rowCaches.get(inode)
    if (cache === undefined) {
      cache = new DiagRowCache()
      this.rowCaches.set(inode, cache)
    }
    return cache
  }

  /** The sock_diag socket inside a namespace, opened on first use; null when namespaces are read from /proc. */
  private socketInside(namespace: NetworkNamespace): SocketDiagnostics | null {
    if (this.netlinkRefused !== null) return null
    const known = this.sockets.get(namespace.inode)
    if (known !== undefined) return known
    for (const pid of namespace.pids) {
      const path = `${this.options.procRoot}/${pid}/ns/net`
      let socket: SocketDiagnostics
      try {
        socket = this.openInside(path)
      } catch (error) {
        // A process that exited is tried past; anything else (no CAP_SYS_ADMIN) holds for every namespace.
        if (!this.scanner.isInside(pid, namespace.inode)) continue
        this.netlinkRefused = errorMessage(error)
        return null
      }
      if (this.scanner.isInside(pid, namespace.inode)) {
        this.sockets.set(namespace.inode, socket)
        return socket
      }
      // The process left before the socket was made: the socket may be in some other namespace.
      socket.close()
    }
    return null
  }

  /** Closes the sockets of namespaces no process is in any more, so the kernel can free them. */
  private forgetNamespacesOtherThan(namespaces: readonly NetworkNamespace[]): void {
    if (this.sockets.size === 0) return
    const inUse = new Set(namespaces.map((namespace) => namespace.inode))
    for (const [inode, socket] of this.sockets) {
      if (inUse.has(inode)) continue
      socket.close()
      this.sockets.delete(inode)
      this.rowCaches.delete(inode)
    }
  }
}
