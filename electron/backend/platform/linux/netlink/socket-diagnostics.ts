/**
 * The socket tables through NETLINK_SOCK_DIAG, the way `ss` reads them: dumps of TCP, UDP and
 * raw sockets (IPv4 and IPv6) and of UNIX sockets, an exact lookup, and SOCK_DESTROY.
 *
 * One netlink socket serves every request of a {@link SocketDiagnostics}, and one receive buffer
 * is reused for every datagram, so a dump of 50k sockets allocates only the decoded rows. Calls
 * are synchronous: the kernel builds each datagram inside the `recv` that asks for it, so there
 * is never anything to wait for, only work to do.
 */
import { decodeDiagReply, DiagReplyCollector, readAcknowledgement } from './diag-reply'
import type { DiagReply, SocketMessageDecoder } from './diag-reply'
import { ALL_INET_DIAG_EXTENSIONS, decodeInetDiagMessage, encodeInetDiagRequest, INET_DIAG_EXTENSIONS } from './inet-diag'
import type { InetDiagSocket, InetProtocol, InetSocketId } from './inet-diag'
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, netlinkFailure } from './netlink-message'
import type { NetlinkFailure } from './netlink-message'
import { EAGAIN, NETLINK_SOCK_DIAG, NetlinkSocket } from './netlink-socket'
import { inNetworkNamespace } from './network-namespace'
import { ALL_STATES, SOCK_DESTROY, SOCK_DIAG_BY_FAMILY } from './sock-diag'
import { decodeUnixDiagMessage, encodeUnixDiagRequest } from './unix-diag'
import type { UnixDiagRequest, UnixDiagSocket } from './unix-diag'

/**
 * Room for one datagram. The kernel builds dump datagrams of up to 32 KiB when the reader offers
 * that much; twice that leaves room for a kernel that grows them.
 */
const RECEIVE_BUFFER_BYTES = 64 * 1024
/** A request the kernel has not answered in this long is given up (it never should happen). */
const REPLY_TIMEOUT_MS = 5000
const ETIMEDOUT = 110

/** Where and how to open the diagnostics socket. */
export interface SocketDiagnosticsOptions {
  /**
   * A network namespace to read, such as `/proc/PID/ns/net` of a container's process; the
   * caller's own namespace when absent. Needs CAP_SYS_ADMIN.
   */
  readonly networkNamespacePath?: string
}

/** One table of an inet dump. */
export interface InetDumpRequest {
  readonly family: 4 | 6
  readonly protocol: InetProtocol
  /** Bits of INET_DIAG_EXTENSIONS; every extension sockscope decodes when absent. */
  readonly extensions?: number
  /** Bitmask of (1 << kernel state number); all states when absent. */
  readonly states?: number
}

/** What to include in {@link SocketDiagnostics.dumpAll}. */
export interface FullDumpOptions {
  /** TCP internals and congestion algorithm for every TCP socket (default true). */
  readonly tcpInfo?: boolean
  /** Memory counters for every socket (default true). */
  readonly memory?: boolean
  /** UNIX sockets (default true). */
  readonly unix?: boolean
}

/** A table the kernel would not dump, named like its /proc/net file so a caller can read that instead. */
export interface UnavailableTable {
  readonly table: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'raw' | 'raw6' | 'unix'
  readonly failure: NetlinkFailure
}

/** Turn each message of a full dump into what the caller keeps (null: could not be decoded). */
export interface TableDecoders<Inet, Unix> {
  readonly inet: (bytes: Uint8Array, start: number, end: number, protocol: InetProtocol) => Inet | null
  readonly unix: SocketMessageDecoder<Unix>
}

const FULL_DECODERS: TableDecoders<InetDiagSocket, UnixDiagSocket> = { inet: decodeInetDiagMessage, unix: decodeUnixDiagMessage }

/** Every socket table of a namespace. */
export interface SocketTableDump<Inet = InetDiagSocket, Unix = UnixDiagSocket> {
  readonly inet: readonly Inet[]
  readonly unix: readonly Unix[]
  /**
   * Tables that could not be dumped. On kernels without CONFIG_INET_RAW_DIAG the raw tables
   * fail with ENOENT; /proc/net/raw still lists them.
   */
  readonly unavailable: readonly UnavailableTable[]
  /** Messages that could not be decoded, over all tables. */
  readonly skipped: number
  /** A table changed while it was dumped; some sockets may be missing or repeated. */
  readonly interrupted: boolean
}

/** Why closing a socket failed, for the user to act on. */
export type DestroyFailureReason =
  /** EPERM: closing another process's socket needs CAP_NET_ADMIN. */
  | 'needs-cap-net-admin'
  /** EOPNOTSUPP: the kernel was built without CONFIG_INET_DIAG_DESTROY. */
  | 'kernel-without-destroy'
  /**
   * ENOENT: no such socket. It closed already, or (when a cookie was given) its endpoints now
   * belong to a newer socket, which the kernel refuses to close in its place.
   */
  | 'already-gone'
  /** Anything else, with its errno name. */
  | 'failed'

/** The outcome of {@link SocketDiagnostics.destroyTcpSocket}. */
export type DestroyResult = { readonly closed: true } | { readonly closed: false; readonly reason: DestroyFailureReason; readonly code: string; readonly message: string }

const INET_TABLES: readonly { readonly table: UnavailableTable['table']; readonly family: 4 | 6; readonly protocol: InetProtocol }[] = [
  { table: 'tcp', family: 4, protocol: 'tcp' },
  { table: 'tcp6', family: 6, protocol: 'tcp' },
  { table: 'udp', family: 4, protocol: 'udp' },
  { table: 'udp6', family: 6, protocol: 'udp' },
  { table: 'raw', family: 4, protocol: 'raw' },
  { table: 'raw6', family: 6, protocol: 'raw' }
]

/** Decoders per protocol, made once. */
const INET_DECODERS: Readonly<Record<InetProtocol, SocketMessageDecoder<InetDiagSocket>>> = {
  tcp: (bytes, start, end) => decodeInetDiagMessage(bytes, start, end, 'tcp'),
  udp: (bytes, start, end) => decodeInetDiagMessage(bytes, start, end, 'udp'),
  raw: (bytes, start, end) => decodeInetDiagMessage(bytes, start, end, 'raw')
}

/**
 * A NETLINK_SOCK_DIAG socket and the requests sockscope makes on it. Opening it needs no
 * privilege (except for another namespace); closing other processes' sockets needs CAP_NET_ADMIN.
 */
export class SocketDiagnostics {
  private socket: NetlinkSocket
  private readonly buffer = Buffer.allocUnsafe(RECEIVE_BUFFER_BYTES)
  private sequence = 0
  /** Set when a reply was abandoned halfway: its rest could still arrive, so the socket is replaced. */
  private needsFreshSocket = false

  private constructor(private readonly options: SocketDiagnosticsOptions) {
    this.socket = openDiagnosticsSocket(options)
  }

  /**
   * Opens the diagnostics socket, inside `networkNamespacePath` when given. Throws when netlink
   * is unavailable (koffi missing, or a namespace that cannot be entered).
   */
  static open(options: SocketDiagnosticsOptions = {}): SocketDiagnostics {
    return new SocketDiagnostics(options)
  }

  /** Dumps one inet table. */
  dumpInet(request: InetDumpRequest): DiagReply<InetDiagSocket> {
    return this.dumpInetWith(request, INET_DECODERS[request.protocol])
  }

  private dumpInetWith<Socket>(request: InetDumpRequest, decode: SocketMessageDecoder<Socket>): DiagReply<Socket> {
    const sequence = this.nextSequence()
    const message = encodeInetDiagRequest(
      {
        family: request.family,
        protocol: request.protocol,
        extensions: request.extensions ?? ALL_INET_DIAG_EXTENSIONS,
        states: request.states ?? ALL_STATES
      },
      { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence }
    )
    return this.collect(message, new DiagReplyCollector(sequence, decode))
  }

  /** Dumps the UNIX sockets. */
  dumpUnix(request: UnixDiagRequest = {}): DiagReply<UnixDiagSocket> {
    return this.dumpUnixWith(request, decodeUnixDiagMessage)
  }

  private dumpUnixWith<Socket>(request: UnixDiagRequest, decode: SocketMessageDecoder<Socket>): DiagReply<Socket> {
    const sequence = this.nextSequence()
    const message = encodeUnixDiagRequest(request, { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence })
    return this.collect(message, new DiagReplyCollector(sequence, decode))
  }

  /** Dumps TCP, UDP and raw for IPv4 and IPv6, then UNIX; a table that fails is listed, not fatal. */
  dumpAll(options: FullDumpOptions = {}): SocketTableDump {
    return this.dumpTables(options, FULL_DECODERS)
  }

  /**
   * {@link dumpAll} with decoders of the caller's: the socket table reader turns each message
   * straight into its row, without a full decode in between.
   */
  dumpTables<Inet, Unix>(options: FullDumpOptions, decoders: TableDecoders<Inet, Unix>): SocketTableDump<Inet, Unix> {
    const memory = options.memory === false ? 0 : INET_DIAG_EXTENSIONS.memory
    const tcpExtensions = (options.tcpInfo === false ? 0 : INET_DIAG_EXTENSIONS.tcpInfo | INET_DIAG_EXTENSIONS.congestion) | memory
    const inet: Inet[] = []
    const unix: Unix[] = []
    const unavailable: UnavailableTable[] = []
    let skipped = 0
    let interrupted = false
    for (const { table, family, protocol } of INET_TABLES) {
      const decode: SocketMessageDecoder<Inet> = (bytes, start, end) => decoders.inet(bytes, start, end, protocol)
      const reply = this.dumpInetWith({ family, protocol, extensions: protocol === 'tcp' ? tcpExtensions : memory }, decode)
      for (const socket of reply.sockets) inet.push(socket)
      skipped += reply.skipped
      interrupted ||= reply.interrupted
      if (reply.failure !== null) unavailable.push({ table, failure: reply.failure })
    }
    if (options.unix !== false) {
      const reply = this.dumpUnixWith({}, decoders.unix)
      for (const socket of reply.sockets) unix.push(socket)
      skipped += reply.skipped
      interrupted ||= reply.interrupted
      if (reply.failure !== null) unavailable.push({ table: 'unix', failure: reply.failure })
    }
    return { inet, unix, unavailable, skipped, interrupted }
  }

  /**
   * Looks up one socket by its endpoints (and cookie, when given). Returns null when there is no
   * such socket; other failures come back as the failure.
   */
  findInetSocket(id: InetSocketId, protocol: InetProtocol = 'tcp'): InetDiagSocket | null | NetlinkFailure {
    const sequence = this.nextSequence()
    const message = encodeInetDiagRequest(
      { family: id.family, protocol, socket: id, extensions: ALL_INET_DIAG_EXTENSIONS },
      { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST, sequence }
    )
    const reply = this.collect(message, new DiagReplyCollector(sequence, INET_DECODERS[protocol], true))
    if (reply.failure?.code === 'ENOENT') return null
    return reply.failure ?? reply.sockets[0] ?? null
  }

  /**
   * Closes a TCP connection the way `ss -K` does: the kernel aborts it (the peer gets a reset,
   * local readers get ECONNABORTED). Never throws for a kernel refusal; says why instead.
   */
  destroyTcpSocket(id: InetSocketId): DestroyResult {
    const sequence = this.nextSequence()
    const message = encodeInetDiagRequest(
      { family: id.family, protocol: 'tcp', socket: id, states: ALL_STATES },
      { type: SOCK_DESTROY, flags: NLM_F_REQUEST | NLM_F_ACK, sequence }
    )
    const errno = this.acknowledged(message, sequence)
    return destroyOutcome(errno)
  }

  /** Closes the netlink socket. */
  close(): void {
    this.socket.close()
  }

  private nextSequence(): number {
    this.sequence = (this.sequence + 1) >>> 0 || 1
    return this.sequence
  }

  private usableSocket(): NetlinkSocket {
    if (this.needsFreshSocket) {
      this.socket.close()
      this.socket = openDiagnosticsSocket(this.options)
      this.needsFreshSocket = false
    }
    return this.socket
  }

  private collect<Socket>(message: Uint8Array, collector: DiagReplyCollector<Socket>): DiagReply<Socket> {
    const socket = this.usableSocket()
    socket.send(message)
    while (!collector.isComplete) {
      const length = socket.receive(this.buffer)
      if (length < 0) {
        this.needsFreshSocket = true
        collector.abandon(netlinkFailure(length === -EAGAIN ? ETIMEDOUT : length))
        break
      }
      collector.addDatagram(this.buffer, length)
    }
    return collector.result()
  }

  private acknowledged(message: Uint8Array, sequence: number): number {
    const socket = this.usableSocket()
    socket.send(message)
    for (;;) {
      const length = socket.receive(this.buffer)
      if (length < 0) {
        this.needsFreshSocket = true
        return length === -EAGAIN ? ETIMEDOUT : -length
      }
      const errno = readAcknowledgement(this.buffer, length, sequence)
      if (errno !== null) return errno
    }
  }
}

function openDiagnosticsSocket(options: SocketDiagnosticsOptions): NetlinkSocket {
  const open = (): NetlinkSocket => {
    const socket = NetlinkSocket.open(NETLINK_SOCK_DIAG)
    try {
      socket.setReceiveTimeout(REPLY_TIMEOUT_MS)
    } catch (error) {
      socket.close()
      throw error
    }
    return socket
  }
  return options.networkNamespacePath === undefined ? open() : inNetworkNamespace(options.networkNamespacePath, open)
}

/**
 * What the kernel's acknowledgement of a SOCK_DESTROY means (pure): 0 closed it; EPERM and
 * EOPNOTSUPP name exactly what is missing (the capability or the kernel option).
 */
export function destroyOutcome(errno: number): DestroyResult {
  if (errno === 0) return { closed: true }
  const failure = netlinkFailure(errno)
  const reasons: Readonly<Record<string, readonly [DestroyFailureReason, string]>> = {
    EPERM: ['needs-cap-net-admin', 'closing a connection needs CAP_NET_ADMIN (run sockscope as root)'],
    EOPNOTSUPP: ['kernel-without-destroy', 'this kernel cannot close sockets: it was built without CONFIG_INET_DIAG_DESTROY'],
    ENOENT: ['already-gone', 'the connection no longer exists']
  }
  const [reason, message] = reasons[failure.code] ?? ['failed', `the kernel refused to close the connection (${failure.code})`]
  return { closed: false, reason, code: failure.code, message }
}

/** Decodes a recorded inet dump reply (pure; for fixtures and tests). */
export function decodeInetDump(bytes: Uint8Array, sequence: number, protocol: InetProtocol): DiagReply<InetDiagSocket> {
  return decodeDiagReply(bytes, sequence, INET_DECODERS[protocol])
}

/** Decodes a recorded UNIX dump reply (pure; for fixtures and tests). */
export function decodeUnixDump(bytes: Uint8Array, sequence: number): DiagReply<UnixDiagSocket> {
  return decodeDiagReply(bytes, sequence, decodeUnixDiagMessage)
}
