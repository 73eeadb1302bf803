/**
 * The socket model shared by every layer: providers produce it, the contract carries it,
 * the CLI prints it and the renderer shows it.
 */
import type { TcpInfo } from './tcp-info'

/** Transport-level protocol of a socket, as the OS tables group them. */
export type SocketProtocol = 'tcp' | 'udp' | 'unix' | 'raw'

/** IP family: 4 or 6, or null for UNIX sockets. */
export type AddressFamily = 4 | 6 | null

/** Every TCP state name the Linux kernel uses, in the kernel's numeric order (1..12). */
export const TCP_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV'
] as const

/**
 * Every socket state name: the TCP states; BOUND_INACTIVE (state 13, which newer kernels report
 * over netlink for a bound socket that neither listens nor connects); UNCONN (UDP and raw sockets
 * use UNCONN or ESTABLISHED, the way `ss` does); and the UNIX CONNECTING and DISCONNECTING (UNIX
 * sockets also use LISTEN, ESTABLISHED and UNCONN).
 */
export const SOCKET_STATES = [...TCP_STATES, 'BOUND_INACTIVE', 'UNCONN', 'CONNECTING', 'DISCONNECTING'] as const

/** A state number that has no name yet (from a newer kernel), kept visible rather than dropped. */
export type UnknownSocketState = `UNKNOWN_${number}`

/** Socket state, upper case with underscores as the kernel names it. */
export type SocketState = (typeof SOCKET_STATES)[number] | UnknownSocketState

/**
 * Why a socket has no pid:
 * - `known`: the owner was found;
 * - `hidden`: an owner probably exists but this user may not read its /proc/PID/fd
 *   (another user's process while not root);
 * - `none`: the kernel holds the socket with no file descriptor (TIME_WAIT, orphaned FIN_WAIT,
 *   or a socket whose owner closed it between two reads).
 */
export type OwnerVisibility = 'known' | 'hidden' | 'none'

/** A process that holds a file descriptor to a socket. */
export interface SocketOwner {
  readonly pid: number
  readonly process: string
  readonly command: string
  readonly user: string | null
}

/** The kernel's TCP timer for a socket, from the `tm->when` column of /proc/net/tcp. */
export interface TcpTimer {
  /** off, retransmit (also covers probe), keepalive, time-wait or zero-window-probe. */
  readonly kind: 'off' | 'retransmit' | 'keepalive' | 'time-wait' | 'zero-window-probe'
  /** Milliseconds until it fires (converted from jiffies using USER_HZ=100). */
  readonly expiresInMs: number
}

/** One socket as sockscope knows it. */
export interface SocketEntry {
  /** Stable key across ticks: protocol, family, endpoints and inode. */
  readonly id: string
  readonly protocol: SocketProtocol
  readonly family: AddressFamily
  /** IPv4 dotted or IPv6 compressed as `ss` prints them; the path (or '') for UNIX sockets. */
  readonly localAddress: string
  readonly localPort: number | null
  readonly remoteAddress: string
  readonly remotePort: number | null
  readonly state: SocketState
  readonly recvQueue: number
  readonly sendQueue: number
  /** 0 for sockets without a file (TIME_WAIT). */
  readonly inode: number
  readonly uid: number | null
  /** The user name for `uid`, from /etc/passwd where it is known. */
  readonly user: string | null
  /** The first owner's pid, or null when unknown. */
  readonly pid: number | null
  readonly process: string | null
  readonly command: string | null
  /** Every process holding the socket (a forked server shares its listener with children). */
  readonly owners: readonly SocketOwner[]
  readonly ownerVisibility: OwnerVisibility
  /** TCP only; null elsewhere or where the table does not report it. */
  readonly timer: TcpTimer | null
  /** TCP only: unrecovered retransmits (the `retrnsmt` column). */
  readonly retransmits: number | null
  /** UNIX only: stream, dgram or seqpacket. */
  readonly unixType: 'stream' | 'dgram' | 'seqpacket' | null
  /** Raw sockets only: the IP protocol number (reported by the kernel as the local "port"). */
  readonly rawProtocol: number | null
  /** UNIX only: the inode of the socket at the other end of the connection, where the reader gets it (netlink); null otherwise. */
  readonly peerInode: number | null
  /** TCP only: the kernel's internals (rtt, cwnd, byte counters…) where the reader gets them (netlink); null otherwise. */
  readonly tcpInfo: TcpInfo | null
  /**
   * TCP only: bytes per second since the previous read of the live table, from tcp_info's byte
   * counters; null on a first read, a one-off read, or without tcp_info.
   */
  readonly throughput: SocketThroughput | null
  /**
   * The network namespace the socket lives in, as the inode that names it (`ls -l /proc/PID/ns/net`);
   * null where the reader does not know it. The same address and port can be in use in two namespaces.
   */
  readonly netns: number | null
  /** The container that namespace belongs to (`docker:3f2a…`, `podman:…`, `kubernetes:…`); null for the host and for a namespace no container names. */
  readonly container: string | null
}

/** Where a socket lives: its network namespace and that namespace's container, as rows carry them. */
export type SocketNamespace = Pick<SocketEntry, 'netns' | 'container'>

/** The namespace of a row whose reader does not know it. */
export const UNKNOWN_NAMESPACE: SocketNamespace = Object.freeze({ netns: null, container: null })

/** How fast a connection moved data between two reads. */
export interface SocketThroughput {
  /** Bytes the peer acknowledged per second (what reached it, retransmissions not counted twice). */
  readonly sendBytesPerSecond: number
  /** Bytes received per second. */
  readonly receiveBytesPerSecond: number
}

/** A line of an OS table that could not be read; the rest of the table still is. */
export interface TableIssue {
  /** Where the line came from, e.g. /proc/net/tcp6. */
  readonly source: string
  /** 1-based line number within the source. */
  readonly line: number
  readonly message: string
  readonly text: string
}

/** A full read of the socket tables. */
export interface SocketSnapshot {
  /** Monotonic tick number; 0 for a one-off read. */
  readonly tick: number
  /** Wall-clock time of the read, epoch milliseconds. */
  readonly takenAt: number
  /** How long the read took, milliseconds. */
  readonly refreshMs: number
  readonly sockets: readonly SocketEntry[]
  readonly issues: readonly TableIssue[]
  /** True when the reader could not see other users' processes (not root). */
  readonly partialOwnership: boolean
}

/** What changed between two snapshots. */
export interface SocketDiff {
  readonly tick: number
  readonly previousTick: number
  readonly takenAt: number
  readonly refreshMs: number
  readonly added: readonly SocketEntry[]
  /** Ids of sockets that were in the previous snapshot and are gone. */
  readonly removed: readonly string[]
  /** Sockets whose slow-changing fields changed (not per-tick counters; see the socket field table). */
  readonly changed: readonly SocketEntry[]
  /**
   * The per-tick values (timer countdowns, tcp_info counters) of sockets that are neither added
   * nor changed but whose per-tick values moved: applied quietly, without marking a row changed.
   */
  readonly counters: readonly SocketCounters[]
  readonly issues: readonly TableIssue[]
  readonly partialOwnership: boolean
}

/**
 * The per-tick part of a socket: the properties that hold every field the socket field table
 * says changes every tick (its test checks the two agree).
 */
export type SocketCounters = Pick<SocketEntry, 'id' | 'timer' | 'tcpInfo' | 'throughput'>

/** A socket row while a provider fills it in: the same fields, writable. */
export type SocketEntryDraft = { -readonly [Key in keyof SocketEntry]: SocketEntry[Key] }

/** Owners of a row nobody joined owners to yet; shared, since it is never changed. */
const NO_OWNERS: readonly SocketOwner[] = Object.freeze([])

/**
 * A socket row with every field at its "not known" value, for a provider to fill in.
 *
 * Every provider starts its rows here, so a new field needs its default in one place. The row
 * is one object literal (one shape for every row, which keeps large tables fast); `id` is ''
 * until the provider sets it from the filled-in fields.
 */
export function emptySocketEntry(protocol: SocketProtocol, family: AddressFamily, namespace: SocketNamespace = UNKNOWN_NAMESPACE): SocketEntryDraft {
  return {
    id: '',
    protocol,
    family,
    localAddress: '',
    localPort: null,
    remoteAddress: '',
    remotePort: null,
    state: 'UNCONN',
    recvQueue: 0,
    sendQueue: 0,
    inode: 0,
    uid: null,
    user: null,
    pid: null,
    process: null,
    command: null,
    owners: NO_OWNERS,
    ownerVisibility: 'none',
    timer: null,
    retransmits: null,
    unixType: null,
    rawProtocol: null,
    peerInode: null,
    tcpInfo: null,
    throughput: null,
    netns: namespace.netns,
    container: namespace.container
  }
}

/** Which socket table reader is in use, for the status bar, `list --verbose` and `sockets/status`. */
export interface SocketReaderInfo {
  /** `netlink` or `proc` on Linux; `none` where the OS has no reader. */
  readonly kind: string
  /** Why this reader: chosen by the environment, or the one before it could not be used; null for the usual choice. */
  readonly note: string | null
  /** The network namespace sockscope runs in (the host's, unless it runs in a container itself); null where not known. */
  readonly homeNetns: number | null
}

/** Whether the live monitor is running, how often it polls, and what it reads through. */
export interface MonitorStatus {
  readonly paused: boolean
  readonly intervalMs: number
  readonly tick: number
  readonly platform: string
  readonly reader: SocketReaderInfo
}
