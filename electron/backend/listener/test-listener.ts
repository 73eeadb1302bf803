/**
 * Local test listeners: a TCP or UDP socket that sockscope itself owns (so it shows in the
 * socket table under sockscope's pid) and that echoes, discards, or answers with a fixed reply.
 *
 * A UDP answer is never larger than the datagram it answers: the source of a datagram can be
 * forged, so a bigger answer would let anyone use the listener to flood a third machine.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { createSocket, type Socket as DatagramSocket } from 'node:dgram'
import { randomUUID } from 'node:crypto'
import { PROBE_LIMITS, type ListenerPeer, type ProbeError, type TestListenerInfo, type TestListenerRequest } from '../../../shared/model/probe'
import { checkListener, type CheckedListener } from '../../../shared/probe-request'
import { formatHostPort } from '../../../shared/format/socket-text'
import { authorizeTarget, type TargetAuthorizer } from '../action-policy'
import { classifySocketError } from '../probe/probe-errors'

/** How often a busy listener reports its counters: batched, not one message per packet. */
const UPDATE_INTERVAL_MS = 250

type MutablePeer = { -readonly [Key in keyof ListenerPeer]: ListenerPeer[Key] }

/** Starting a listener either gives it or says why it could not bind. */
export type ListenerStart = { readonly ok: true; readonly listener: TestListener } | { readonly ok: false; readonly error: ProbeError }

/** A running test listener. */
export class TestListener {
  readonly id = randomUUID()
  private readonly startedAt = Date.now()
  private stoppedAt: number | null = null
  private port = 0
  private readonly peers = new Map<string, MutablePeer>()
  private totalPeers = 0
  private bytesIn = 0
  private bytesOut = 0
  private server: Server | null = null
  private datagramSocket: DatagramSocket | null = null
  private readonly sockets = new Set<Socket>()
  private updateTimer: NodeJS.Timeout | null = null

  private constructor(
    private readonly settings: CheckedListener,
    private readonly onChange: (info: TestListenerInfo) => void
  ) {}

  /**
   * Check the request, let `authorize` see the bind address (without one, any address may be
   * bound), and bind. `onChange` receives batched updates while it runs.
   */
  static async start(request: TestListenerRequest, onChange: (info: TestListenerInfo) => void = () => {}, authorize?: TargetAuthorizer): Promise<ListenerStart> {
    const checked = checkListener(request)
    if (!checked.ok) return { ok: false, error: checked.error }
    const { address, port } = checked.value
    const refusal = await authorizeTarget(authorize, { action: 'listener', host: address, addresses: [address], port })
    if (refusal !== null) return { ok: false, error: refusal }
    const listener = new TestListener(checked.value, onChange)
    const error = await (checked.value.protocol === 'tcp' ? listener.bindTcp() : listener.bindUdp())
    return error === null ? { ok: true, listener } : { ok: false, error }
  }

  /** The listener's state now. */
  info(): TestListenerInfo {
    return {
      id: this.id,
      protocol: this.settings.protocol,
      address: this.settings.address,
      port: this.port,
      family: this.settings.address.includes(':') ? 6 : 4,
      mode: this.settings.mode,
      replyBytes: this.settings.reply?.length ?? 0,
      pid: process.pid,
      startedAt: this.startedAt,
      stoppedAt: this.stoppedAt,
      peers: [...this.peers.values()].map((peer) => ({ ...peer })),
      totalPeers: this.totalPeers,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut
    }
  }

  /** Whether it still listens. */
  get running(): boolean {
    return this.stoppedAt === null
  }

  /** Close the listening socket and every connection it accepted. */
  async stop(): Promise<TestListenerInfo> {
    if (this.stoppedAt !== null) return this.info()
    this.stoppedAt = Date.now()
    if (this.updateTimer !== null) clearTimeout(this.updateTimer)
    this.updateTimer = null
    for (const socket of this.sockets) socket.destroy()
    for (const peer of this.peers.values()) peer.connected = false
    if (this.server !== null) {
      const server = this.server
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    if (this.datagramSocket !== null) {
      const socket = this.datagramSocket
      await new Promise<void>((resolve) => socket.close(() => resolve()))
    }
    const info = this.info()
    this.onChange(info)
    return info
  }

  private where(): string {
    return formatHostPort(this.settings.address, this.settings.port)
  }

  private bindTcp(): Promise<ProbeError | null> {
    const server = createServer((socket) => this.accept(socket))
    this.server = server
    return new Promise((resolve) => {
      server.once('error', (error) => resolve(classifySocketError(error, 'listen', this.where())))
      server.listen({ host: this.settings.address, port: this.settings.port, exclusive: true }, () => {
        const address = server.address()
        this.port = typeof address === 'object' && address !== null ? address.port : this.settings.port
        // Later server errors (e.g. EMFILE on accept) must not crash the app.
        server.on('error', () => {})
        resolve(null)
      })
    })
  }

  private bindUdp(): Promise<ProbeError | null> {
    const socket = createSocket(this.settings.address.includes(':') ? 'udp6' : 'udp4')
    this.datagramSocket = socket
    return new Promise((resolve) => {
      socket.once('error', (error) => resolve(classifySocketError(error, 'listen', this.where())))
      socket.bind(this.settings.port, this.settings.address, () => {
        this.port = socket.address().port
        socket.on('error', () => {})
        socket.on('message', (message, remote) => {
          const peer = this.peerFor(remote.address, remote.port, false)
          peer.bytesIn += message.length
          this.bytesIn += message.length
          const full = this.answerTo(message)
          const answer = full === null || full.length <= message.length ? full : full.subarray(0, message.length)
          if (answer !== null && answer.length > 0) {
            socket.send(answer, remote.port, remote.address)
            peer.bytesOut += answer.length
            this.bytesOut += answer.length
          }
          this.scheduleUpdate()
        })
        resolve(null)
      })
    })
  }

  private accept(socket: Socket): void {
    if (this.stoppedAt !== null) {
      socket.destroy()
      return
    }
    this.sockets.add(socket)
    const peer = this.peerFor(socket.remoteAddress ?? '?', socket.remotePort ?? 0, true)
    socket.on('data', (chunk: Buffer) => {
      peer.bytesIn += chunk.length
      peer.lastSeenAt = Date.now()
      this.bytesIn += chunk.length
      const answer = this.answerTo(chunk)
      if (answer !== null) {
        peer.bytesOut += answer.length
        this.bytesOut += answer.length
        // Echo at the pace the peer reads, so a fast sender cannot fill memory.
        if (!socket.write(answer)) {
          socket.pause()
          socket.once('drain', () => socket.resume())
        }
      }
      this.scheduleUpdate()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.sockets.delete(socket)
      peer.connected = false
      peer.lastSeenAt = Date.now()
      this.scheduleUpdate()
    })
    this.scheduleUpdate()
  }

  /** The bytes to send back for what arrived: the same bytes, nothing, or the fixed reply. */
  private answerTo(received: Buffer): Uint8Array | null {
    switch (this.settings.mode) {
      case 'echo':
        return received
      case 'reply':
        return this.settings.reply
      default:
        return null
    }
  }

  /**
   * The peer record for a sender. Every TCP connection gets its own record; UDP has no
   * connections, so one record per source address and port collects its datagrams.
   */
  private peerFor(address: string, port: number, connection: boolean): MutablePeer {
    const endpoint = formatHostPort(address, port)
    const now = Date.now()
    const existing = connection ? undefined : this.peers.get(endpoint)
    if (existing !== undefined) {
      existing.lastSeenAt = now
      return existing
    }
    this.totalPeers += 1
    const peer: MutablePeer = {
      id: connection ? `${endpoint}#${this.totalPeers}` : endpoint,
      remoteAddress: address,
      remotePort: port,
      firstSeenAt: now,
      lastSeenAt: now,
      connected: connection,
      bytesIn: 0,
      bytesOut: 0
    }
    this.peers.set(peer.id, peer)
    this.prunePeers()
    return peer
  }

  /** Keep the peer list bounded, dropping the longest-idle peers that are no longer connected. */
  private prunePeers(): void {
    if (this.peers.size <= PROBE_LIMITS.keptPeers) return
    const idle = [...this.peers.entries()].filter(([, peer]) => !peer.connected).sort(([, first], [, second]) => first.lastSeenAt - second.lastSeenAt)
    for (const [key] of idle.slice(0, this.peers.size - PROBE_LIMITS.keptPeers)) this.peers.delete(key)
  }

  private scheduleUpdate(): void {
    if (this.updateTimer !== null || this.stoppedAt !== null) return
    this.updateTimer = setTimeout(() => {
      this.updateTimer = null
      this.onChange(this.info())
    }, UPDATE_INTERVAL_MS)
    this.updateTimer.unref()
  }
}

/** Every test listener the app runs, so they can be listed and all closed when the app quits. */
export class TestListenerRegistry {
  private readonly listeners = new Map<string, TestListener>()

  constructor(
    private readonly onChange: (info: TestListenerInfo) => void = () => {},
    /** Decides whether an address beyond loopback may be bound; without one, any may. */
    private readonly authorize?: TargetAuthorizer
  ) {}

  /** Start a listener; it reports changes through the registry's callback. */
  async start(request: TestListenerRequest): Promise<{ ok: true; listener: TestListenerInfo } | { ok: false; error: ProbeError }> {
    const started = await TestListener.start(request, (info) => this.onChange(info), this.authorize)
    if (!started.ok) return started
    this.listeners.set(started.listener.id, started.listener)
    return { ok: true, listener: started.listener.info() }
  }

  /** Stop one listener; null when the id is unknown. */
  async stop(id: string): Promise<TestListenerInfo | null> {
    const listener = this.listeners.get(id)
    if (listener === undefined) return null
    this.listeners.delete(id)
    return listener.stop()
  }

  /** Every running listener. */
  list(): TestListenerInfo[] {
    return [...this.listeners.values()].map((listener) => listener.info())
  }

  /** Stop every listener (on app quit). */
  async stopAll(): Promise<void> {
    const running = [...this.listeners.values()]
    this.listeners.clear()
    await Promise.all(running.map((listener) => listener.stop()))
  }
}
