/**
 * The live side of the capture domain: one capture at a time, its status, and one pushed
 * `capture/tick` per interval with the counters, the newest packets and per-process traffic.
 *
 * Each batch from the capture session is decoded and attributed to processes once, here, and
 * the result goes both to the tick's accounting and to the follower that stores the packets
 * (the shown capture), so no packet is decoded twice on its way in.
 */
import type { RawPacket } from '../../../shared/model/packet'
import type { CaptureFilterCheck, CaptureInterfaceList, CaptureProgress, CaptureState, CaptureStatus } from '../../../shared/model/live-capture'
import { RequestError } from '../../../shared/contract/envelope'
import type { PacketSummary } from '../../../shared/model/decoded-packet'
import type { BackendContext } from '../backend-module'
import { CaptureError, compileCaptureFilter, listCaptureInterfaces, resolveCaptureHelperCommand, type CaptureHelperLaunchOptions } from './capture-helper-process'
import { capturePermissionAdvice, formatCapturePermissionAdvice } from './capture-permissions'
import { CaptureSession, type CaptureSessionOptions, type CaptureSummary, type IndexedPacket } from './capture-session'
import { ProcessAttributor, attributePackets, type PacketAttribution } from './process-attribution'
import { TrafficAccounting } from './traffic-accounting'
import { elementAt } from '../../../shared/element-at'

/** A CaptureError as the failure a client can act on. */
function captureRequestError(error: unknown): unknown {
  if (!(error instanceof CaptureError)) return error
  switch (error.code) {
    case 'bad-filter':
      return new RequestError('invalid-arguments', error.message)
    case 'permission-denied':
      return new RequestError('permission-denied', error.describe())
    case 'no-such-device':
      return new RequestError('not-found', error.message)
    case 'busy':
      return new RequestError('busy', error.message)
    default:
      return new RequestError('failed', error.message)
  }
}

/** A batch of captured packets with what the one decode and attribution found, index for index. */
export interface DecodedBatch {
  readonly packets: readonly IndexedPacket[]
  readonly summaries: readonly PacketSummary[]
  /** The socket each packet belongs to, null where the table had none. */
  readonly owners: readonly (PacketAttribution | null)[]
}

/** What follows a live capture besides the tick; its calls come in capture order. */
export interface LiveCaptureFollower {
  packets(batch: DecodedBatch): void
  progress(progress: CaptureProgress): void
  end(summary: CaptureSummary): void
}

/** Starts following a capture that just started; called before its first packet is handed on. */
export type FollowLiveCapture = (session: CaptureSession) => Promise<LiveCaptureFollower>

/** What `capture/start` may set; the rest of CaptureSessionOptions is the backend's to choose. */
export type LiveCaptureRequest = Pick<CaptureSessionOptions, 'interface' | 'filter' | 'snaplen' | 'promiscuous' | 'bufferSize' | 'limits'>

/** The running live capture of one backend, if any. */
export class LiveCapture {
  private readonly attributor: ProcessAttributor
  private session: CaptureSession | null = null
  private state: CaptureState = 'idle'
  /** Set once dispose() ran, so a start still in progress then stops what it started. */
  private disposed = false
  /** Batches, ticks and the end go through one chain, so a tick counts every batch before it. */
  private pipeline: Promise<void> = Promise.resolve()

  constructor(
    private readonly context: BackendContext,
    private readonly helper: CaptureHelperLaunchOptions,
    private readonly follow: FollowLiveCapture
  ) {
    this.attributor = new ProcessAttributor(context.sockets)
  }

  /** The state for a client that just connected. */
  status(): CaptureStatus {
    if (this.session) return { ...this.session.status(), state: this.state }
    return { state: this.state, captureId: null, settings: null, opened: null, counters: null, stats: null, end: null }
  }

  /** The interfaces the helper sees, with advice when this user may not capture. */
  async interfaces(): Promise<CaptureInterfaceList> {
    const interfaces = await listCaptureInterfaces(this.helper).catch((error: unknown) => {
      throw captureRequestError(error)
    })
    const captureAllowed = !interfaces.some((device) => device.openErrorCode === 'permission-denied')
    const advice = captureAllowed ? null : formatCapturePermissionAdvice(capturePermissionAdvice(process.platform, resolveCaptureHelperCommand(this.helper).runtimePath))
    return { interfaces, captureAllowed, advice }
  }

  /** Compiles `filter` for the interface; a bad filter is an answer (with libpcap's words), not a failure. */
  async checkFilter(name: string, filter: string): Promise<CaptureFilterCheck> {
    try {
      const compiled = await compileCaptureFilter(name, filter, this.helper)
      return { ok: true, linkType: compiled.linkType }
    } catch (error) {
      if (error instanceof CaptureError && error.code === 'bad-filter') return { ok: false, message: error.message }
      throw captureRequestError(error)
    }
  }

  /** Starts a capture; 'busy' while another one runs. The previous one's helper is let go first. */
  async start(request: LiveCaptureRequest): Promise<CaptureStatus> {
    if (this.state === 'starting' || this.state === 'running' || this.state === 'stopping') {
      throw new RequestError('busy', 'a capture is already running; stop it first')
    }
    // 'starting' before the first await, so a second start that comes in meanwhile is refused
    // instead of launching a helper of its own that nobody would ever stop.
    const previous = this.session
    this.session = null
    this.setState('starting')
    let session: CaptureSession
    try {
      await previous?.dispose()
      session = await CaptureSession.start({ ...request, helper: this.helper })
    } catch (error) {
      this.setState('idle')
      throw captureRequestError(error)
    }
    if (this.disposed) {
      await session.dispose()
      throw new RequestError('failed', 'the backend is shutting down')
    }
    this.session = session
    this.pass(session)
    this.setState(session.status().state === 'ended' ? 'ended' : 'running')
    return this.status()
  }

  /** Stops the running capture and waits until every packet it sent on has been handled. */
  async stop(): Promise<CaptureStatus> {
    if (this.session && this.state === 'running') {
      this.setState('stopping')
      await this.session.stop()
      await this.pipeline
      // The session's own end event may already have said so.
      if (this.status().state !== 'ended') this.setState('ended')
    }
    return this.status()
  }

  /** Stops the capture and waits until every packet it sent on has been handled. */
  async dispose(): Promise<void> {
    this.disposed = true
    const current = this.session
    this.session = null
    await current?.dispose()
    await this.pipeline
  }

  private setState(next: CaptureState): void {
    this.state = next
    this.context.emit('capture/status', this.status())
  }

  /** Hands every batch, tick and the end of `session` on, in order, each batch decoded once. */
  private pass(session: CaptureSession): void {
    const accounting = new TrafficAccounting()
    const linkType = session.captureInterface.linkType
    let follower: LiveCaptureFollower | null = null
    let lastTickAt = Date.now()
    this.enqueue(async () => {
      follower = await this.follow(session)
    })
    session.on('packets', (packets) => {
      this.enqueue(async () => {
        const raw: RawPacket[] = packets.map((item) => item.packet)
        const { summaries, owners } = await attributePackets(this.attributor, raw, linkType)
        packets.forEach((item, index) => accounting.record(item.index, elementAt(summaries, index), owners[index] ?? null))
        follower?.packets({ packets, summaries, owners })
      })
    })
    session.on('tick', (progress) => {
      this.enqueue(() => {
        const now = Date.now()
        const traffic = accounting.takeInterval((now - lastTickAt) / 1000)
        lastTickAt = now
        this.context.emit('capture/tick', { ...progress, ...traffic })
        follower?.progress(progress)
      })
    })
    session.on('end', (summary) => {
      this.enqueue(() => {
        follower?.end(summary)
        if (this.session === session) this.setState('ended')
      })
    })
  }

  private enqueue(step: () => void | Promise<void>): void {
    // A failed step must not hold back the ones after it (the final tick, the end).
    this.pipeline = this.pipeline.then(step).catch(() => undefined)
  }
}
