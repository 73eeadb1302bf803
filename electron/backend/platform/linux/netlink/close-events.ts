/**
 * Close events: the kernel's sock_diag "destroy" multicast groups (what `ss -E` listens to),
 * which announce every TCP (and optionally UDP) socket of the namespace as it is freed, with its
 * last state and, for TCP, its final tcp_info. No privilege is needed to listen.
 *
 * The socket is nonblocking and watched by Node's event loop (see netlink-socket.ts), so events
 * arrive as batches, one per wake-up, without a thread or a timer. When events come faster than
 * they are read, the kernel drops them and reports ENOBUFS; the socket's drop counter then says
 * exactly how many were lost, and the subscription reports that number.
 *
 * Close events carry no uid and no inode (the kernel sends 0 for both: the socket no longer has
 * a file), and no congestion algorithm or memory counters.
 */
import { EventEmitter } from 'node:events'
import { decodeInetDiagMessage } from './inet-diag'
import type { InetDiagSocket } from './inet-diag'
import { NetlinkMessageReader } from './netlink-message'
import { ENOBUFS, MSG_DONTWAIT, NETLINK_SOCK_DIAG, NetlinkSocket } from './netlink-socket'
import type { ReadableWatch } from './netlink-socket'
import { inNetworkNamespace } from './network-namespace'
import { SOCK_DIAG_BY_FAMILY } from './sock-diag'

/** Multicast group numbers (enum sknetlink_groups in linux/sock_diag.h). */
const DESTROY_GROUPS = {
  tcp: { 4: 1, 6: 3 },
  udp: { 4: 2, 6: 4 }
} as const

/** Default receive buffer: about 20k close events of ~380 bytes before anything is dropped. */
const DEFAULT_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024
/** Datagrams read per wake-up before yielding to the event loop (it wakes again right away). */
const MAX_DATAGRAMS_PER_WAKE = 512
/** One close event is one small datagram; this leaves plenty of room. */
const DATAGRAM_BUFFER_BYTES = 64 * 1024

/** What to listen to. */
export interface CloseEventOptions {
  /** Protocols whose closes to report; TCP only by default. */
  readonly protocols?: readonly ('tcp' | 'udp')[]
  /**
   * Receive buffer to ask for. Root gets it whatever net.core.rmem_max says (SO_RCVBUFFORCE);
   * other users get at most rmem_max.
   */
  readonly receiveBufferBytes?: number
  /** A network namespace to listen in, such as `/proc/PID/ns/net`; needs CAP_SYS_ADMIN. */
  readonly networkNamespacePath?: string
}

/** Sockets that closed, as read in one wake-up. */
export interface ClosedSocketBatch {
  /** When the batch was read, epoch milliseconds (the kernel does not stamp the events). */
  readonly receivedAt: number
  readonly sockets: readonly InetDiagSocket[]
}

/** Counters since the subscription started. */
export interface CloseEventStatistics {
  /** Close events decoded and delivered. */
  readonly received: number
  /** Close events the kernel dropped because the receive buffer was full. */
  readonly lost: number
  /** Times the kernel reported an overflow (ENOBUFS); each covers one or more lost events. */
  readonly overflows: number
  /** Messages that could not be decoded. */
  readonly skipped: number
  /** The receive buffer the kernel granted. */
  readonly receiveBufferBytes: number
}

interface CloseEventMap {
  /** A batch of closed sockets. */
  closed: [ClosedSocketBatch]
  /** Events were lost: how many since the last report, and in total. */
  lost: [count: number, total: number]
  /** Reading failed; the subscription has stopped. */
  error: [Error]
}

/**
 * A running subscription. Listen to `closed`, `lost` and `error`; call `close()` to stop.
 * An `error` without a listener is kept in `lastError` instead of being thrown.
 */
export class CloseEventSubscription extends EventEmitter<CloseEventMap> {
  private readonly socket: NetlinkSocket
  private readonly watch: ReadableWatch
  private readonly buffer = Buffer.allocUnsafe(DATAGRAM_BUFFER_BYTES)
  private readonly reader = new NetlinkMessageReader()
  private readonly grantedReceiveBuffer: number
  private received = 0
  private lost = 0
  private overflows = 0
  private skipped = 0
  private droppedAtStart: number
  private stopped = false
  /** The error that stopped the subscription, if one did. */
  lastError: Error | null = null

  private constructor(options: CloseEventOptions) {
    super()
    const open = (): NetlinkSocket => NetlinkSocket.open(NETLINK_SOCK_DIAG, { nonBlocking: true })
    this.socket = options.networkNamespacePath === undefined ? open() : inNetworkNamespace(options.networkNamespacePath, open)
    try {
      this.grantedReceiveBuffer = this.socket.setReceiveBuffer(options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES)
      // Multicast goes to bound sockets only.
      this.socket.bind()
      for (const protocol of options.protocols ?? ['tcp']) {
        this.socket.joinGroup(DESTROY_GROUPS[protocol][4])
        this.socket.joinGroup(DESTROY_GROUPS[protocol][6])
      }
      this.droppedAtStart = this.socket.droppedMessages() ?? 0
      this.watch = this.socket.watchReadable(() => this.drain())
    } catch (error) {
      this.socket.close()
      throw error
    }
  }

  /** Starts listening. Throws when netlink is unavailable or a group cannot be joined. */
  static start(options: CloseEventOptions = {}): CloseEventSubscription {
    return new CloseEventSubscription(options)
  }

  /** Counters so far. */
  stats(): CloseEventStatistics {
    return {
      received: this.received,
      lost: this.lost,
      overflows: this.overflows,
      skipped: this.skipped,
      receiveBufferBytes: this.grantedReceiveBuffer
    }
  }

  /** Lets the process exit while this subscription is all that is left. */
  unref(): this {
    this.watch.unref()
    return this
  }

  /** Keeps the process alive while subscribed (the default). */
  ref(): this {
    this.watch.ref()
    return this
  }

  /** Stops listening and closes the socket; safe to call twice. */
  close(): void {
    if (this.stopped) return
    this.stopped = true
    this.watch.close()
    this.socket.close()
  }

  get isClosed(): boolean {
    return this.stopped
  }

  /** Reads what is waiting, up to a bound, then reports it as one batch. */
  private drain(): void {
    if (this.stopped) return
    const sockets: InetDiagSocket[] = []
    let overflowed = false
    try {
      for (let datagram = 0; datagram < MAX_DATAGRAMS_PER_WAKE; datagram++) {
        const length = this.socket.receive(this.buffer, MSG_DONTWAIT)
        if (length === -ENOBUFS) {
          overflowed = true
          this.overflows++
          continue
        }
        if (length < 0) break
        this.decodeDatagram(Math.min(length, this.buffer.length), sockets)
        if (length > this.buffer.length) this.skipped++
      }
      this.countLosses(overflowed)
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
      return
    }
    if (sockets.length > 0) {
      this.received += sockets.length
      this.emit('closed', { receivedAt: Date.now(), sockets })
    }
  }

  private decodeDatagram(length: number, into: InetDiagSocket[]): void {
    const reader = this.reader.reset(this.buffer, length)
    while (reader.next()) {
      if (reader.type !== SOCK_DIAG_BY_FAMILY) continue
      // The protocol attribute of each event overrides this default.
      const socket = decodeInetDiagMessage(this.buffer, reader.payloadStart, reader.payloadEnd, 'tcp')
      if (socket === null) this.skipped++
      else into.push(socket)
    }
    if (reader.malformed) this.skipped++
  }

  /**
   * Compares the kernel's drop counter with what was already reported. It is read on every
   * wake-up: the kernel reports ENOBUFS once per overflow, while drops go on until the reader
   * catches up.
   */
  private countLosses(overflowed: boolean): void {
    const dropped = this.socket.droppedMessages()
    if (dropped === null) {
      // Without the counter (kernels before 4.12), an overflow lost at least one event.
      if (overflowed) {
        this.lost += 1
        this.emit('lost', 1, this.lost)
      }
      return
    }
    const total = (dropped - this.droppedAtStart) >>> 0
    if (total > this.lost) {
      const count = total - this.lost
      this.lost = total
      this.emit('lost', count, this.lost)
    }
  }

  private fail(error: Error): void {
    this.lastError = error
    this.close()
    if (this.listenerCount('error') > 0) this.emit('error', error)
  }
}
