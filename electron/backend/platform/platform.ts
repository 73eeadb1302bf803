/**
 * The one seam between sockscope and the operating system: everything asked of the OS goes
 * through a {@link Platform}, and every OS gets a folder of its own beside this file (`linux/`).
 * Nothing outside this folder reads /proc, /sys or netlink.
 *
 * The socket table is built from two parts so that providers can share the rest: a
 * {@link SocketTableReader} (rows without owners: /proc/net or netlink on Linux, libproc or
 * iphlpapi elsewhere) and a {@link SocketOwnerLookup} (socket inode → processes), joined by
 * `owner-join.ts` into the {@link SocketProvider} the socket monitor polls.
 */
import type { SocketEntry, SocketOwner, SocketReaderInfo, TableIssue } from '../../../shared/model/socket'
import type { PortRange } from '../../../shared/model/history'
import type { KernelClosedSocket } from '../../../shared/model/closed-connection'

/** What a read should include. */
export interface SnapshotOptions {
  /** Join each socket with the processes that hold it; costs a walk of the process table. */
  readonly withProcesses: boolean
  /**
   * TCP internals (`tcpInfo`: tcp_info, congestion algorithm, socket memory) on TCP rows; true
   * when absent. A reader that is never shown them (`watch`, `check`) leaves them out: the kernel
   * then builds a dump half the size, and nothing is decoded, compared or kept per tick for them.
   */
  readonly tcpInfo?: boolean
}

/** What a table read should include. */
export interface TableReadOptions {
  /** TCP internals on TCP rows, where the reader can get them; true when absent. */
  readonly tcpInfo?: boolean
}

/** One read of the OS socket tables, before it is numbered and timed as a snapshot. */
export interface ProviderRead {
  readonly sockets: readonly SocketEntry[]
  /** Lines or tables that could not be read; the rest still were. */
  readonly issues: readonly TableIssue[]
  /** True when some processes could not be inspected, so some owners are unknown. */
  readonly partialOwnership: boolean
}

/** Reads the socket tables of one OS, each socket joined with its owners. */
export interface SocketProvider {
  /** The `process.platform` value this provider serves. */
  readonly platform: string
  /** Which reader serves the tables, and why that one. */
  readonly reader: SocketReaderInfo
  /** Read every socket table once. Rejects only when nothing at all could be read. */
  read(options: SnapshotOptions): Promise<ProviderRead>
  /** Drop caches and anything held open. */
  dispose?(): void
}

/**
 * The rows of every socket table, without owners: `pid`, `process`, `command` and `user` are
 * null, `owners` is empty and `ownerVisibility` is `none` until the owner join fills them in.
 */
export interface SocketTableRead {
  readonly rows: readonly SocketEntry[]
  /** Lines or tables that could not be read; the rest still were. */
  readonly issues: readonly TableIssue[]
}

/** Reads the socket tables alone, as fast as the OS allows; owners are looked up apart. */
export interface SocketTableReader {
  /** What the tables are read through, e.g. `netlink` or `proc` on Linux. */
  readonly kind: string
  /** The network namespace whose tables are the home ones (sockscope's own); absent or null where not known. */
  readonly homeNamespace?: number | null
  /** Read every table once. Rejects only when nothing at all could be read. */
  read(options?: TableReadOptions): Promise<SocketTableRead>
  /** Let go of anything held open. */
  dispose?(): void
}

/** Owners of the sockets asked for, and whether some owners could not be seen. */
export interface OwnerLookup {
  /** Owners by socket inode, lowest pid first; inodes without a known owner are absent. */
  readonly ownersByInode: ReadonlyMap<number, readonly SocketOwner[]>
  /** True when some process's sockets could not be looked at (another user's, while not root). */
  readonly restricted: boolean
}

/** Finds which processes hold which sockets, and names the users that own sockets. */
export interface SocketOwnerLookup {
  /** The owners of these socket inodes (0 is ignored: such sockets have no file). */
  findOwners(inodes: Iterable<number>): Promise<OwnerLookup>
  /** uid → user name; an unreadable user database gives an empty map, not an error. */
  userNames(): Promise<ReadonlyMap<number, string>>
  /** Forget every cached answer. */
  clear(): void
}

/** Cumulative counters of one network interface since it came up. */
export interface InterfaceCounters {
  readonly name: string
  readonly receiveBytes: number
  readonly receivePackets: number
  readonly transmitBytes: number
  readonly transmitPackets: number
}

/** One process as the OS lists it: enough to follow a process tree as it forks and execs. */
export interface ProcessStatus {
  readonly pid: number
  /** The parent's pid; 0 for the first process. A process whose parent died gets a new one (init or a subreaper). */
  readonly parentPid: number
  /** The session it belongs to; children inherit it unless they start a session of their own. */
  readonly sessionId: number
  /** When it started, in the OS's own units (clock ticks since boot on Linux): with the pid it names one process, even after pid reuse. */
  readonly startTime: number
  /** The short name (comm; on Linux at most 15 bytes). */
  readonly name: string
  /** The state letter: R running, S sleeping, Z zombie (exited, not yet reaped), and so on. */
  readonly state: string
}

/**
 * Processes and system settings, as the history and the CLI ask about them. Every read answers
 * null (or an empty list) for what is gone or not ours to see, and rejects only on the unexpected.
 */
export interface SystemReader {
  /** Counters of every network interface, or null when the OS does not say. */
  readInterfaceCounters(): Promise<readonly InterfaceCounters[] | null>
  /** The ephemeral port range, or null when the OS does not say. */
  readPortRange(): Promise<PortRange | null>
  /** Open file descriptors of a process, or null when it is gone or not ours to look at. */
  countOpenFileDescriptors(pid: number): Promise<number | null>
  /** The soft limit on open files (RLIMIT_NOFILE) of a process, or null when unknown or unlimited. */
  readSoftOpenFilesLimit(pid: number): Promise<number | null>
  /** Every running process id. */
  listProcessIds(): Promise<number[]>
  /** The short name of a process, or null when it is gone. */
  readProcessName(pid: number): Promise<string | null>
  /** Whether a process with this id runs now (also one of another user). */
  processExists(pid: number): Promise<boolean>
  /** Every running process with its parent, session and start time; empty when the OS does not say. */
  listProcesses(): Promise<ProcessStatus[]>
  /**
   * The inode of the socket connected to the UNIX stream socket `inode` (the other end of a
   * connection), or null when it has none or the OS cannot tell.
   */
  findUnixPeer(inode: number): Promise<number | null>
}

/** Counters of a close-event feed since it started. */
export interface CloseFeedCounters {
  /** Close messages the OS dropped because the feed's buffer was full. */
  readonly lost: number
  /** The receive buffer the OS granted, bytes. */
  readonly receiveBufferBytes: number
}

/** What a close-event feed reports to whoever started it. */
export interface CloseFeedListener {
  /** TCP sockets freed since the last batch, and when the batch was read (epoch milliseconds). */
  closed(sockets: readonly KernelClosedSocket[], receivedAt: number): void
  /** The OS dropped `count` close messages (`total` since the start). */
  lost(count: number, total: number): void
  /** The feed failed and has stopped. */
  failed(error: Error): void
}

/** A running close-event feed. */
export interface CloseFeed {
  counters(): CloseFeedCounters
  /** Lets the process exit while this feed is all that is left. */
  unref(): void
  /** Stops the feed; safe to call twice. */
  close(): void
}

/** Options for a close-event feed. */
export interface CloseFeedOptions {
  /** Receive buffer to ask for, bytes; the platform's own choice when absent. */
  readonly receiveBufferBytes?: number
}

/** Tells the caller about every TCP socket the OS frees, as it happens. */
export interface CloseEventSource {
  /** Starts a feed; throws an error that says why when the OS cannot give one. */
  start(listener: CloseFeedListener, options?: CloseFeedOptions): CloseFeed
}

/** A TCP connection as a socket row names it, for closing it. */
export interface TcpConnectionTarget {
  readonly family: 4 | 6
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  /** The socket's inode as the caller saw it; 0 (no file, e.g. TIME_WAIT) matches by endpoints alone. */
  readonly inode: number
  /** The network namespace the socket lives in; sockscope's own when absent or null. */
  readonly netns?: number | null
}

/**
 * Why a close did not happen: CAP_NET_ADMIN or the kernel feature missing, the connection gone,
 * closing unsupported here, or another refusal (named in the message).
 */
export type CloseFailureReason = 'needs-cap-net-admin' | 'kernel-without-destroy' | 'already-gone' | 'unsupported' | 'failed'

/** The outcome of closing a connection. */
export type CloseConnectionOutcome = { readonly closed: true } | { readonly closed: false; readonly reason: CloseFailureReason; readonly message: string }

/** What sending a signal did. */
export type SignalOutcome = 'sent' | 'gone' | 'not-permitted'

/** What closing connections and stopping processes ask of the OS. */
export interface SystemActions {
  /** Why this OS cannot close connections or stop processes yet; null when it can. */
  readonly unsupported: string | null
  /** Closes one TCP connection; never throws, says why it could not instead. */
  closeTcpConnection(target: TcpConnectionTarget): CloseConnectionOutcome
  /** Null when there is no such process. */
  processStatus(pid: number): ProcessStatus | null
  /** True while the process exists and has not exited. */
  isRunning(pid: number): boolean
  /** The parent, its parent and so on up to init, nearest first. */
  ancestorsOf(pid: number): number[]
  /** Every process started by `pid`, by its children, and so on. */
  descendantsOf(pid: number): number[]
  /** Sends `signal` to exactly one process (pid 2 or more; never a group). */
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): SignalOutcome
}

/** Everything sockscope asks of one operating system. */
export interface Platform {
  /** The `process.platform` value this serves. */
  readonly name: string
  /** The socket tables, each socket joined with the processes holding it. */
  readonly sockets: SocketProvider
  /** Processes, their fds and limits, interface counters and the port range. */
  readonly system: SystemReader
  /** Every TCP socket the OS frees, as it happens (short connections no poll sees included). */
  readonly closeEvents: CloseEventSource
  /** Closing connections, and reading and signalling processes. */
  readonly actions: SystemActions
  /** Drop caches and let go of anything held open. */
  dispose(): void
}
