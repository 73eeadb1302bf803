/**
 * Netlink sockets from Node: the one module that calls the C library.
 *
 * Why koffi. It is an FFI built on N-API with prebuilt binaries in per-platform npm packages, so
 * the same install loads unchanged in plain Node, in the CLI and in Electron's main process (no
 * rebuild per ABI, unlike `cap`), and installs offline. With it, sockscope calls libc's own
 * `socket`, `send`, `recv`, `setsockopt`, `getsockopt` and `setns`: dumps are synchronous
 * `recv` calls into one reused buffer (twice as fast as the `netlink` package, which allocates a
 * Buffer per datagram and hops through the event loop), `SO_RCVBUFFORCE` and `SO_MEMINFO` are a
 * plain setsockopt/getsockopt away (the `netlink` package offers neither), and `setns` lets a
 * socket be opened inside another network namespace (the `netlink` package cannot). Multicast
 * close events use koffi's libuv poll handle: the nonblocking socket is watched by Node's own
 * event loop, so nothing blocks and nothing polls on a timer or occupies a thread-pool thread.
 * That poll API is young and marked as subject to change, so the version is pinned exactly and
 * the integration tests exercise it. The `netlink` package (0.3, one maintainer, "API not
 * stable") would have given event-loop reads too, but nothing else we need; a project-owned
 * N-API addon would need a compiler at install and its own upkeep.
 *
 * koffi takes 15–40 ms to load, so it is loaded on first use, not when this module is imported:
 * commands that never touch netlink do not pay for it, and a platform without a koffi binary gets
 * a clear error (see {@link netlinkUnavailableReason}) that callers can turn into the /proc fallback.
 *
 * Constants are Linux's generic ones (x86, ARM, RISC-V); a few socket options differ on MIPS,
 * SPARC, PA-RISC and Alpha, which sockscope does not ship for.
 */
import { createRequire } from 'node:module'
import { errnoName } from './netlink-message'
import { elementAt } from '../../../../../shared/element-at'

type Koffi = typeof import('koffi')
type Pointer = Uint8Array | null

/** The libc functions used, typed the way koffi calls them. */
interface Libc {
  readonly koffi: Koffi
  socket(domain: number, type: number, protocol: number): number
  bind(fd: number, address: Uint8Array, length: number): number
  send(fd: number, data: Uint8Array, length: number, flags: number): number
  recv(fd: number, buffer: Uint8Array, length: number, flags: number): number
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, length: number): number
  getsockopt(fd: number, level: number, name: number, value: Pointer, length: number[]): number
  close(fd: number): number
  setns(fd: number, namespaceType: number): number
  /** pidfd_open(2) through syscall(2), since older C libraries have no wrapper for it. */
  pidfdOpen(pid: number): number
}

/** Linux constants (linux/socket.h, linux/netlink.h, asm-generic/socket.h, linux/sched.h). */
export const AF_NETLINK = 16
export const NETLINK_SOCK_DIAG = 4
const SOCK_RAW = 3
const SOCK_CLOEXEC = 0o2000000
const SOCK_NONBLOCK = 0o4000
const SOL_SOCKET = 1
const SO_RCVBUF = 8
const SO_RCVTIMEO = 20
const SO_RCVBUFFORCE = 33
const SO_MEMINFO = 55
const SOL_NETLINK = 270
const NETLINK_ADD_MEMBERSHIP = 1
/** recv flags. */
export const MSG_TRUNC = 0x20
export const MSG_DONTWAIT = 0x40
const CLONE_NEWNET = 0x40000000
/** pidfd_open's number, the same on every architecture since Linux 5.3 (new calls share one table). */
const SYS_PIDFD_OPEN = 434
/** errno values callers act on. */
export const EINTR = 4
export const EAGAIN = 11
export const ENOBUFS = 105
/** Index of the drop counter in `sk_meminfo` (SK_MEMINFO_DROPS). */
const MEMINFO_DROPS = 8
const MEMINFO_COUNTERS = 9

let loaded: Libc | null = null
let loadError: Error | null = null

/** Loads koffi and binds the libc functions, once. */
function libc(): Libc {
  if (loaded !== null) return loaded
  if (loadError !== null) throw loadError
  try {
    const koffi = createRequire(__filename)('koffi') as Koffi
    // The process's own symbols include libc's, whichever libc (glibc or musl) Node was built on.
    const self = koffi.load(null as unknown as string)
    const syscall = self.func('long syscall(long, ...)')
    loaded = {
      koffi,
      socket: self.func('int socket(int, int, int)'),
      bind: self.func('int bind(int, const void *, uint32_t)'),
      send: self.func('intptr_t send(int, const void *, size_t, int)'),
      recv: self.func('intptr_t recv(int, void *, size_t, int)'),
      setsockopt: self.func('int setsockopt(int, int, int, const void *, uint32_t)'),
      getsockopt: self.func('int getsockopt(int, int, int, void *, _Inout_ uint32_t *)'),
      close: self.func('int close(int)'),
      setns: self.func('int setns(int, int)'),
      pidfdOpen: (pid) => Number(syscall(SYS_PIDFD_OPEN, 'int', pid, 'unsigned int', 0))
    }
    return loaded
  } catch (error) {
    loadError = new Error(`netlink access is unavailable: koffi could not be loaded (${error instanceof Error ? error.message : String(error)})`)
    throw loadError
  }
}

/** Why netlink cannot be used in this process, or null when it can (loads koffi if needed). */
export function netlinkUnavailableReason(): string | null {
  try {
    libc()
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** A failed system call, with the errno name callers test against. */
export class NetlinkSystemError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail = ''
  ) {
    super(`${syscall} failed: ${errnoName(errno)}${detail ? ` (${detail})` : ''}`)
    this.name = 'NetlinkSystemError'
  }

  /** The errno's symbolic name, e.g. EPERM. */
  get code(): string {
    return errnoName(this.errno)
  }
}

/** A watch on a socket's readability, driven by Node's event loop. */
export interface ReadableWatch {
  /** Stops watching; safe to call twice. */
  close(): void
  /** Lets the process exit while the watch is the only thing left. */
  unref(): void
  ref(): void
}

/** Options for {@link NetlinkSocket.open}. */
export interface NetlinkSocketOptions {
  /** recv returns EAGAIN instead of waiting; needed for event-loop watching. */
  readonly nonBlocking?: boolean
}

/**
 * Watches still open. They are closed when the process exits: an unreferenced watch left open
 * would otherwise get a callback while Node tears its event loop down, when JavaScript can no
 * longer run, and koffi aborts the process.
 */
const watchesToCloseAtExit = new Set<() => void>()
let exitHookInstalled = false

function closeAtExit(close: () => void): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const closeWatch of [...watchesToCloseAtExit]) closeWatch()
    })
  }
  watchesToCloseAtExit.add(close)
}

/**
 * One netlink socket. Methods that configure it throw {@link NetlinkSystemError}; `receive`
 * returns a negative errno instead, because callers handle EAGAIN and ENOBUFS as normal events.
 */
export class NetlinkSocket {
  private closed = false

  private constructor(
    /** The file descriptor, for diagnostics. */
    readonly fd: number,
    private readonly lib: Libc
  ) {}

  /** Opens a netlink socket of `protocol` (e.g. {@link NETLINK_SOCK_DIAG}) in the calling thread's network namespace. */
  static open(protocol: number, options: NetlinkSocketOptions = {}): NetlinkSocket {
    const lib = libc()
    const fd = lib.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (options.nonBlocking ? SOCK_NONBLOCK : 0), protocol)
    if (fd < 0) throw new NetlinkSystemError('socket', lib.koffi.errno(), 'opening a netlink socket')
    return new NetlinkSocket(fd, lib)
  }

  /** Sends one message to the kernel. */
  send(message: Uint8Array): void {
    this.assertOpen()
    for (;;) {
      const sent = this.lib.send(this.fd, message, message.length, 0)
      if (sent === message.length) return
      const errno = sent < 0 ? this.lib.koffi.errno() : 0
      if (errno === EINTR) continue
      throw new NetlinkSystemError('send', errno, sent >= 0 ? `sent ${sent} of ${message.length} bytes` : '')
    }
  }

  /**
   * Receives one datagram into `buffer`. Returns its full length, which is more than
   * `buffer.length` when it was cut short (MSG_TRUNC is always passed), or a negative errno:
   * -EAGAIN when nothing is waiting on a nonblocking socket or the receive timeout passed,
   * -ENOBUFS when the kernel had to drop messages for lack of room.
   */
  receive(buffer: Uint8Array, flags = 0): number {
    this.assertOpen()
    for (;;) {
      const received = this.lib.recv(this.fd, buffer, buffer.length, flags | MSG_TRUNC)
      if (received >= 0) return received
      const errno = this.lib.koffi.errno()
      if (errno !== EINTR) return -errno
    }
  }

  /** Binds to a port id the kernel picks; a socket must be bound to receive multicast. */
  bind(): void {
    // struct sockaddr_nl: family u16, pad, port id 0 (the kernel picks), groups 0.
    const address = new Uint8Array(Uint16Array.of(AF_NETLINK, 0, 0, 0, 0, 0).buffer)
    this.check('bind', this.lib.bind(this.fd, address, address.length))
  }

  /** Joins a multicast group by its number (not a bitmask). */
  joinGroup(group: number): void {
    this.check('setsockopt', this.lib.setsockopt(this.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, int32Bytes(group), 4), `joining group ${group}`)
  }

  /**
   * Asks for a receive buffer of `bytes`. Without privileges the kernel caps it at
   * net.core.rmem_max; with CAP_NET_ADMIN, SO_RCVBUFFORCE passes that cap. Returns the size the
   * kernel granted (it reports twice the request, to cover its bookkeeping).
   */
  setReceiveBuffer(bytes: number): number {
    this.assertOpen()
    const value = int32Bytes(bytes)
    if (this.lib.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUFFORCE, value, 4) !== 0) {
      this.check('setsockopt', this.lib.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUF, value, 4), 'SO_RCVBUF')
    }
    return this.receiveBufferBytes()
  }

  /** The receive buffer size in effect. */
  receiveBufferBytes(): number {
    const value = new Int32Array(1)
    this.check('getsockopt', this.lib.getsockopt(this.fd, SOL_SOCKET, SO_RCVBUF, new Uint8Array(value.buffer), [4]), 'SO_RCVBUF')
    return elementAt(value, 0)
  }

  /** Makes a blocking `receive` give up with -EAGAIN after `milliseconds`. */
  setReceiveTimeout(milliseconds: number): void {
    // struct timeval: seconds and microseconds as native 64-bit longs.
    const timeval = BigInt64Array.of(BigInt(Math.floor(milliseconds / 1000)), BigInt((milliseconds % 1000) * 1000))
    this.check('setsockopt', this.lib.setsockopt(this.fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(timeval.buffer), timeval.byteLength), 'SO_RCVTIMEO')
  }

  /**
   * Messages the kernel dropped for this socket since it opened (the socket's `sk_drops`, which
   * a multicast overrun increments once per lost message), or null on kernels before SO_MEMINFO.
   */
  droppedMessages(): number | null {
    this.assertOpen()
    const counters = new Uint32Array(MEMINFO_COUNTERS)
    const length = [counters.byteLength]
    if (this.lib.getsockopt(this.fd, SOL_SOCKET, SO_MEMINFO, new Uint8Array(counters.buffer), length) !== 0) return null
    if (elementAt(length, 0) < (MEMINFO_DROPS + 1) * 4) return null
    return elementAt(counters, MEMINFO_DROPS)
  }

  /**
   * Calls `onReadable` from the event loop whenever the socket has something to read. The
   * callback must read until -EAGAIN (the watch is level-triggered, so it fires again otherwise).
   */
  watchReadable(onReadable: () => void): ReadableWatch {
    this.assertOpen()
    let open = true
    const options = { readable: true }
    // koffi calls back with libuv's status first. libuv stops a poll handle whose socket reports
    // an error, and a netlink overflow (ENOBUFS) is reported that way, so the watch is started
    // again after an error (and after any call that does not say, should the signature change).
    const listener = (status: unknown): void => {
      onReadable()
      if (open && (typeof status !== 'number' || status < 0)) handle.start(options, listener)
    }
    const handle = this.lib.koffi.node.poll(this.fd, options, listener)
    const close = (): void => {
      if (!open) return
      open = false
      watchesToCloseAtExit.delete(close)
      handle.close()
    }
    closeAtExit(close)
    return {
      close,
      unref: () => handle.unref(),
      ref: () => handle.ref()
    }
  }

  /** Closes the socket; safe to call twice. Close any watch first. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.lib.close(this.fd)
  }

  get isClosed(): boolean {
    return this.closed
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the netlink socket is closed')
  }

  private check(syscall: string, result: number, detail = ''): void {
    this.assertOpen()
    if (result !== 0) throw new NetlinkSystemError(syscall, this.lib.koffi.errno(), detail)
  }
}

/**
 * Calls `onExit` from the event loop once process `pid` has exited (its pidfd turns readable), so
 * what is held for a process's sake can be let go at once rather than at the next scan. The watch
 * never keeps the process alive. Returns null when the process is already gone, or the kernel
 * (before 5.3) or koffi cannot give a pidfd; callers then rely on their scans.
 */
export function watchProcessExit(pid: number, onExit: () => void): ReadableWatch | null {
  let lib: Libc
  try {
    lib = libc()
  } catch {
    return null
  }
  const fd = lib.pidfdOpen(pid)
  if (fd < 0) return null
  let open = true
  const close = (): void => {
    if (!open) return
    open = false
    watchesToCloseAtExit.delete(close)
    handle.close()
    lib.close(fd)
  }
  const handle = lib.koffi.node.poll(fd, { readable: true }, () => {
    if (!open) return
    close()
    onExit()
  })
  handle.unref()
  closeAtExit(close)
  return { close, unref: () => handle.unref(), ref: () => handle.ref() }
}

/**
 * Moves the calling thread into the network namespace open at `namespaceFd` (setns with
 * CLONE_NEWNET). Needs CAP_SYS_ADMIN; throws {@link NetlinkSystemError} on failure.
 */
export function setThreadNetworkNamespace(namespaceFd: number): void {
  const lib = libc()
  if (lib.setns(namespaceFd, CLONE_NEWNET) !== 0) throw new NetlinkSystemError('setns', lib.koffi.errno(), 'entering a network namespace')
}

/** An int option value in the host's byte order. */
function int32Bytes(value: number): Uint8Array {
  return new Uint8Array(Int32Array.of(value).buffer)
}
