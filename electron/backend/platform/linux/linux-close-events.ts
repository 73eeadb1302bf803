/**
 * Linux close events: the sock_diag destroy groups (what `ss -E` listens to), one message per
 * freed TCP socket with its final tcp_info. Listening needs no privilege.
 *
 * The groups speak for the network namespace their socket was opened in, so the feed keeps one
 * subscription in sockscope's own namespace and, where it may enter namespaces (root), one inside
 * every other namespace some process is in (containers, `ip netns exec`), found by a scan every
 * few seconds. A namespace's subscription is closed once no process is left in it, since an open
 * socket would keep the namespace alive: one process of each watched namespace is watched for its
 * exit (a pidfd on the event loop), which scans again at once, so a namespace whose last process
 * ends is let go within the same turn of the event loop rather than at the next scan.
 */
import type { KernelClosedSocket } from '../../../../shared/model/closed-connection'
import { errorMessage } from '../../../../shared/error-message'
import type { CloseEventSource, CloseFeed, CloseFeedListener, CloseFeedOptions } from '../platform'
import { CloseEventSubscription } from './netlink/close-events'
import { watchProcessExit, type ReadableWatch } from './netlink/netlink-socket'
import type { InetDiagSocket } from './netlink/inet-diag'
import { currentNetworkNamespaceInode } from './netlink/network-namespace'
import { NetworkNamespaceScanner } from './network-namespaces'

/** How often other namespaces are looked for, in milliseconds. */
const DEFAULT_NAMESPACE_SCAN_MS = 2000

function ownNetworkNamespace(): number | null {
  try {
    return currentNetworkNamespaceInode()
  } catch {
    return null
  }
}

/** The platform's view of one kernel close message, heard in the namespace `netns`. */
function closedSocketOf(socket: InetDiagSocket, netns: number | null): KernelClosedSocket {
  return {
    family: socket.family,
    state: socket.state,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    cookie: socket.cookie,
    tcpInfo: socket.tcpInfo,
    netns
  }
}

/** Settings for the Linux close-event source; the defaults watch the real host. */
export interface LinuxCloseEventOptions {
  /** Where procfs is mounted. */
  readonly procRoot?: string
  /** How often other namespaces are looked for, in milliseconds; 0 watches sockscope's own only. */
  readonly namespaceScanMs?: number
}

/** Close events from the kernel's sock_diag destroy groups, in every network namespace sockscope may enter. */
export class LinuxCloseEventSource implements CloseEventSource {
  constructor(private readonly options: LinuxCloseEventOptions = {}) {}

  start(listener: CloseFeedListener, options: CloseFeedOptions = {}): CloseFeed {
    const subscribe = (networkNamespacePath?: string): CloseEventSubscription =>
      CloseEventSubscription.start({ protocols: ['tcp'], receiveBufferBytes: options.receiveBufferBytes, networkNamespacePath })
    let home: CloseEventSubscription
    try {
      home = subscribe()
    } catch (error) {
      throw new Error(`cannot listen for closed TCP connections (sock_diag destroy groups over netlink): ${errorMessage(error)}`, { cause: error })
    }
    const feed = new NamespacedCloseFeed(listener, home, ownNetworkNamespace(), subscribe, this.options)
    feed.scan()
    return feed
  }
}

/** The home subscription and one per other namespace, reported as one feed. */
class NamespacedCloseFeed implements CloseFeed {
  private readonly others = new Map<number, CloseEventSubscription>()
  /** For each namespace in `others`, the watch on one of its processes' exit. */
  private readonly lifetimes = new Map<number, ReadableWatch>()
  private readonly scanner: NetworkNamespaceScanner
  private readonly procRoot: string
  private readonly timer: NodeJS.Timeout | null
  /** Set once entering a namespace was refused: without the privilege no later scan can do better. */
  private refused = false
  /** Losses of subscriptions already closed, so the total never goes back. */
  private closedLosses = 0
  private closed = false
  private referenced = true

  constructor(
    private readonly listener: CloseFeedListener,
    private readonly home: CloseEventSubscription,
    private readonly homeNamespace: number | null,
    private readonly subscribe: (networkNamespacePath: string) => CloseEventSubscription,
    options: LinuxCloseEventOptions
  ) {
    this.procRoot = options.procRoot ?? '/proc'
    this.scanner = new NetworkNamespaceScanner(this.procRoot)
    this.follow(home, homeNamespace)
    const every = options.namespaceScanMs ?? DEFAULT_NAMESPACE_SCAN_MS
    // Without its own namespace's inode the others cannot be told from it.
    this.timer = every > 0 && homeNamespace !== null ? setInterval(() => this.scan(), every) : null
    this.timer?.unref()
  }

  /** The namespaces other than sockscope's own that are listened to, by inode. */
  watchedNamespaces(): number[] {
    return [...this.others.keys()]
  }

  /** Opens a subscription in each new namespace and closes those of namespaces no process is in any more. */
  scan(): void {
    if (this.closed || this.refused || this.timer === null) return
    const namespaces = this.scanner.scan().filter((namespace) => namespace.inode !== this.homeNamespace)
    const inUse = new Set(namespaces.map((namespace) => namespace.inode))
    for (const [inode, subscription] of this.others) {
      if (inUse.has(inode)) continue
      this.closedLosses += subscription.stats().lost
      subscription.close()
      this.others.delete(inode)
      this.lifetimes.get(inode)?.close()
      this.lifetimes.delete(inode)
    }
    for (const namespace of namespaces) {
      if (this.others.has(namespace.inode)) {
        if (!this.lifetimes.has(namespace.inode)) this.watchLifetime(namespace.inode, namespace.pids)
        continue
      }
      const subscription = this.openInside(namespace.inode, namespace.pids)
      if (this.refused) return
      if (subscription === null) continue
      this.others.set(namespace.inode, subscription)
      this.follow(subscription, namespace.inode)
      this.watchLifetime(namespace.inode, namespace.pids)
    }
  }

  /**
   * Watches the first of `pids` still inside the namespace for its exit, which scans again at
   * once: it may have been the last process in it. Without pidfds the periodic scan does it.
   */
  private watchLifetime(inode: number, pids: readonly number[]): void {
    for (const pid of pids) {
      const watch = watchProcessExit(pid, () => {
        if (this.lifetimes.get(inode) === watch) this.lifetimes.delete(inode)
        // The exited process may linger as a zombie in /proc; this drops it from the scanner's cache.
        this.scanner.isInside(pid, inode)
        this.scan()
      })
      if (watch === null) continue
      if (this.scanner.isInside(pid, inode)) {
        this.lifetimes.set(inode, watch)
        return
      }
      watch.close()
    }
  }

  counters(): { lost: number; receiveBufferBytes: number } {
    let lost = this.home.stats().lost + this.closedLosses
    for (const subscription of this.others.values()) lost += subscription.stats().lost
    return { lost, receiveBufferBytes: this.home.stats().receiveBufferBytes }
  }

  unref(): void {
    this.referenced = false
    this.home.unref()
    for (const subscription of this.others.values()) subscription.unref()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.timer !== null) clearInterval(this.timer)
    this.home.close()
    for (const subscription of this.others.values()) subscription.close()
    this.others.clear()
    for (const watch of this.lifetimes.values()) watch.close()
    this.lifetimes.clear()
  }

  /** A subscription inside the namespace, entered through one of its processes; null when none of them stayed in it. */
  private openInside(inode: number, pids: readonly number[]): CloseEventSubscription | null {
    for (const pid of pids) {
      let subscription: CloseEventSubscription
      try {
        subscription = this.subscribe(`${this.procRoot}/${pid}/ns/net`)
      } catch {
        // A process that exited is tried past; anything else (no CAP_SYS_ADMIN) holds for every namespace.
        if (this.scanner.isInside(pid, inode)) {
          this.refused = true
          return null
        }
        continue
      }
      if (this.scanner.isInside(pid, inode)) {
        if (!this.referenced) subscription.unref()
        return subscription
      }
      // The process left before the socket was made: the socket may be in some other namespace.
      subscription.close()
    }
    return null
  }

  private follow(subscription: CloseEventSubscription, netns: number | null): void {
    subscription.on('closed', (batch) => {
      // Only TCP is joined; the check keeps a future UDP group from slipping in.
      const sockets = batch.sockets.filter((socket) => socket.protocol === 'tcp').map((socket) => closedSocketOf(socket, netns))
      if (sockets.length > 0) this.listener.closed(sockets, batch.receivedAt)
    })
    subscription.on('lost', (count) => this.listener.lost(count, this.counters().lost))
    subscription.on('error', (error) => {
      // The home feed failing stops the whole feed; another namespace's ends with its namespace.
      if (subscription === this.home) this.listener.failed(error)
      else
        this.others.forEach((other, inode) => {
          if (other !== subscription) return
          this.others.delete(inode)
          this.lifetimes.get(inode)?.close()
          this.lifetimes.delete(inode)
        })
    })
  }
}
