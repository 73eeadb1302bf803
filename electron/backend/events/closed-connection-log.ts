/**
 * The closed-connection log: joins the kernel's close messages to the sockets the polls saw
 * open, and keeps the most recent closed connections in a ring.
 *
 * A close message names the socket by its cookie and endpoints only (no inode, no uid, and no
 * process: the socket has no file any more). So every poll's TCP connections are remembered by
 * cookie, when the socket table reports one, and by their endpoints, with the first poll that saw
 * each and the process that held it. A close is matched by cookie when both sides have one, else
 * by endpoints (a row read from /proc has no cookie); a remembered socket whose cookie differs
 * from the message's is another connection that reused the endpoints, and is not matched.
 */
import type { ClosedConnection, KernelClosedSocket } from '../../../shared/model/closed-connection'
import type { SocketEntry, SocketSnapshot } from '../../../shared/model/socket'
import { elementAt } from '../../../shared/element-at'

/** The most closed connections kept by default. */
export const DEFAULT_CLOSED_CONNECTION_CAPACITY = 10_000

/** How long a socket no poll lists any more is still remembered, at the least. */
const MINIMUM_FORGET_AFTER_MS = 5_000

/** A socket row as far as attribution needs it; `cookie` exists where the table reports one. */
type PolledSocket = Pick<SocketEntry, 'protocol' | 'family' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort' | 'state' | 'uid' | 'pid' | 'process'> & {
  readonly cookie?: string | null
  readonly netns?: number | null
}

/** What the polls learnt about one open connection. */
interface SeenConnection {
  readonly openedAt: number
  cookie: string | null
  uid: number | null
  pid: number | null
  process: string | null
  lastSeenAt: number
}

/** Options for a log. */
export interface ClosedConnectionLogOptions {
  /** The most closed connections kept; the oldest go first. */
  readonly capacity?: number
  /** The poll interval, so sockets are remembered for a few polls after they leave the table. */
  readonly pollIntervalMs?: number
}

/**
 * The endpoints of a connection, in its network namespace, as one key: a container's connection
 * between the same addresses and ports as one of the host's is another connection.
 */
function endpointKey(socket: Pick<PolledSocket, 'family' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort' | 'netns'>): string {
  return `${socket.family}|${socket.localAddress}|${socket.localPort}|${socket.remoteAddress}|${socket.remotePort}|${socket.netns ?? ''}`
}

/** Closed TCP connections, attributed where a poll saw them open, the most recent kept. */
export class ClosedConnectionLog {
  readonly capacity: number
  private readonly forgetAfterMs: number
  private readonly byEndpoints = new Map<string, SeenConnection>()
  private readonly byCookie = new Map<string, SeenConnection>()
  /** TCP ports some poll saw listening, with when it last did. */
  private readonly listeningPorts = new Map<number, number>()
  private readonly ring: (ClosedConnection | undefined)[]
  /** Where the next connection goes in the ring. */
  private next = 0
  private size = 0
  private sequence = 0

  constructor(options: ClosedConnectionLogOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_CLOSED_CONNECTION_CAPACITY))
    this.forgetAfterMs = Math.max(MINIMUM_FORGET_AFTER_MS, 3 * (options.pollIntervalMs ?? 1000))
    this.ring = new Array<ClosedConnection | undefined>(this.capacity)
  }

  /** Closed connections heard so far, kept or not. */
  get received(): number {
    return this.sequence
  }

  /** Closed connections kept now. */
  get kept(): number {
    return this.size
  }

  /** Remembers the TCP connections of a poll, and forgets those gone for a while. */
  observe(snapshot: Pick<SocketSnapshot, 'takenAt'> & { readonly sockets: readonly PolledSocket[] }): void {
    const now = snapshot.takenAt
    for (const socket of snapshot.sockets) {
      if (socket.protocol !== 'tcp') continue
      if (socket.state === 'LISTEN') {
        if (socket.localPort) this.listeningPorts.set(socket.localPort, now)
        continue
      }
      if (!socket.remotePort) continue
      const key = endpointKey(socket)
      const cookie = socket.cookie ?? null
      let seen = (cookie !== null ? this.byCookie.get(cookie) : undefined) ?? this.byEndpoints.get(key)
      if (seen !== undefined && cookie !== null && seen.cookie !== null && seen.cookie !== cookie) {
        // The endpoints were reused by a new connection.
        this.byCookie.delete(seen.cookie)
        seen = undefined
      }
      if (seen === undefined) {
        seen = { openedAt: now, cookie, uid: null, pid: null, process: null, lastSeenAt: now }
        this.byEndpoints.set(key, seen)
      }
      if (cookie !== null && seen.cookie === null) seen.cookie = cookie
      if (seen.cookie !== null) this.byCookie.set(seen.cookie, seen)
      seen.lastSeenAt = now
      // A socket keeps the owner it was first seen with: in TIME_WAIT it has none any more.
      if (socket.pid !== null && seen.pid === null) {
        seen.pid = socket.pid
        seen.process = socket.process
      }
      if (socket.uid !== null && seen.uid === null) seen.uid = socket.uid
    }
    this.forgetOlderThan(now - this.forgetAfterMs)
  }

  /** Records sockets the kernel freed; returns them as closed connections, in order. */
  record(sockets: readonly KernelClosedSocket[], closedAt: number): ClosedConnection[] {
    const connections: ClosedConnection[] = []
    for (const socket of sockets) {
      // Listeners and sockets that never connected are not connections.
      if (socket.remotePort === 0 || socket.state === 'LISTEN') continue
      const seen = this.take(socket)
      const connection: ClosedConnection = {
        sequence: ++this.sequence,
        family: socket.family,
        localAddress: socket.localAddress,
        localPort: socket.localPort,
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        state: socket.state,
        uid: seen?.uid ?? null,
        pid: seen?.pid ?? null,
        process: seen?.process ?? null,
        openedAt: seen?.openedAt ?? null,
        closedAt,
        durationMs: seen !== undefined ? Math.max(0, closedAt - seen.openedAt) : null,
        tcpInfo: socket.tcpInfo
      }
      this.ring[this.next] = connection
      this.next = (this.next + 1) % this.capacity
      this.size = Math.min(this.size + 1, this.capacity)
      connections.push(connection)
    }
    return connections
  }

  /** The kept connections, oldest first; at most the `limit` most recent. */
  recent(limit: number = this.capacity): ClosedConnection[] {
    const count = Math.min(Math.max(0, Math.floor(limit)), this.size)
    const result: ClosedConnection[] = []
    for (let index = this.size - count; index < this.size; index++) {
      const connection = elementAt(this.ring, (this.next - this.size + index + this.capacity) % this.capacity)
      if (connection === undefined) throw new RangeError(`closed-connection ring slot ${index} of ${this.size} is empty`)
      result.push(connection)
    }
    return result
  }

  /** Whether a poll lately saw a TCP listener on this port (the server side of a connection). */
  isListeningPort(port: number): boolean {
    return this.listeningPorts.has(port)
  }

  /** Sockets remembered from the polls (open, or gone for less than a few polls). */
  get remembered(): number {
    return this.byEndpoints.size
  }

  /** The remembered socket a close message names, removed from memory; undefined when none. */
  private take(socket: KernelClosedSocket): SeenConnection | undefined {
    const key = endpointKey(socket)
    let seen = socket.cookie !== null ? this.byCookie.get(socket.cookie) : undefined
    if (seen === undefined) {
      const candidate = this.byEndpoints.get(key)
      // Both know a cookie and they differ: a later connection on the same endpoints.
      if (candidate !== undefined && !(candidate.cookie !== null && socket.cookie !== null && candidate.cookie !== socket.cookie)) seen = candidate
    }
    if (seen === undefined) return undefined
    if (this.byEndpoints.get(key) === seen) this.byEndpoints.delete(key)
    if (seen.cookie !== null) this.byCookie.delete(seen.cookie)
    return seen
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [port, lastSeenAt] of this.listeningPorts) if (lastSeenAt < cutoff) this.listeningPorts.delete(port)
    for (const [key, seen] of this.byEndpoints) {
      if (seen.lastSeenAt >= cutoff) continue
      this.byEndpoints.delete(key)
      if (seen.cookie !== null && this.byCookie.get(seen.cookie) === seen) this.byCookie.delete(seen.cookie)
    }
  }
}
