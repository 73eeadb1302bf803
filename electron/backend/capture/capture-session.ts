/**
 * The unprivileged side of a live capture: it starts the helper, hands each batch of packets on
 * as it comes, and reports one batched tick per interval instead of an event per packet.
 *
 * The session keeps no packets itself: whoever needs them takes them from the `packets` event
 * (the shown capture stores every one in a file of its own, `capture-to-file` writes them out).
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { CaptureLimits, CaptureStatistics } from '../../../shared/model/capture'
import type { EndMessage } from '../../../shared/capture-messages'
import type { CaptureCounters, CaptureEnd, CaptureOpenedInterface, CaptureProgress, CaptureSettings, CaptureStatus } from '../../../shared/model/live-capture'
import type { CaptureInterface, RawPacket } from '../../../shared/model/packet'
import { startCaptureHelper, type CaptureHelperLaunchOptions, type CaptureHelperSession } from './capture-helper-process'

/** What to capture; everything but the interface has a default. */
export interface CaptureSessionOptions {
  readonly interface: string
  readonly filter?: string
  /** Bytes kept per packet; 0 or absent means the whole packet (up to what the library allows). */
  readonly snaplen?: number
  readonly promiscuous?: boolean
  /** Kernel buffer in bytes; DEFAULT_CAPTURE_BUFFER_SIZE by default. */
  readonly bufferSize?: number
  readonly limits?: Partial<CaptureLimits>
  /** Tick interval, clamped to 250..1000 ms. */
  readonly tickIntervalMs?: number
  readonly helper?: CaptureHelperLaunchOptions
}

/** A packet as the session hands it on: with its position in the capture. */
export interface IndexedPacket {
  readonly index: number
  readonly packet: RawPacket
}

/** What a finished capture adds up to. */
export interface CaptureSummary {
  readonly end: CaptureEnd
  readonly counters: CaptureCounters
  readonly stats: CaptureStatistics
}

/** Events of a capture session. */
export interface CaptureSessionEvents {
  /** One per interval while running, and a final one. */
  tick: [progress: CaptureProgress]
  /** Each batch as it arrives, for consumers that need every packet (the shown capture, attribution). */
  packets: [packets: readonly IndexedPacket[]]
  end: [summary: CaptureSummary]
}

/**
 * 32 MiB of kernel buffer. `cap` opens every capture in immediate mode with a snaplen of 65535, so
 * libpcap gives each packet a fixed slot of about 64 KiB: tcpdump's 2 MiB would hold only ~30
 * packets and a short burst on loopback already overflows it. 32 MiB holds about 500.
 */
export const DEFAULT_CAPTURE_BUFFER_SIZE = 32 * 1024 * 1024

const LIBRARY_SNAPLEN = 65535

/** Fills in defaults; the result is what status reports. */
export function resolveCaptureSettings(options: CaptureSessionOptions): CaptureSettings {
  return {
    interface: options.interface,
    filter: options.filter ?? '',
    snaplen: options.snaplen && options.snaplen > 0 ? Math.min(options.snaplen, LIBRARY_SNAPLEN) : LIBRARY_SNAPLEN,
    promiscuous: options.promiscuous ?? true,
    bufferSize: options.bufferSize ?? DEFAULT_CAPTURE_BUFFER_SIZE,
    limits: {
      maxPackets: options.limits?.maxPackets ?? null,
      maxBytes: options.limits?.maxBytes ?? null,
      maxDurationMs: options.limits?.maxDurationMs ?? null
    }
  }
}

/** A live capture. Start one with `CaptureSession.start`. */
export class CaptureSession extends EventEmitter<CaptureSessionEvents> {
  /** Identifies this capture in ticks and status. */
  readonly id = randomUUID()
  private readonly startedAtMs = Date.now()
  private packetCount = 0
  private byteCount = 0
  private latestStats: CaptureStatistics | null = null
  private tickSequence = 0
  private tickPackets = 0
  private tickBytes = 0
  private lastTickAt = Date.now()
  private readonly tickTimer: NodeJS.Timeout
  private summary: CaptureSummary | null = null
  private readonly finished: Promise<CaptureSummary>

  private constructor(
    private readonly helper: CaptureHelperSession,
    readonly settings: CaptureSettings,
    options: CaptureSessionOptions
  ) {
    super()
    const interval = Math.min(1000, Math.max(250, options.tickIntervalMs ?? 500))
    this.tickTimer = setInterval(() => this.emitTick(false), interval)
    helper.on('packets', (packets) => this.receive(packets))
    helper.on('stats', (stats) => (this.latestStats = stats))
    this.finished = helper.ended.then((end) => this.finish(end))
  }

  /**
   * Opens the interface and starts capturing. Rejects with a CaptureError when the filter is bad
   * (nothing is started), the permission is missing (with advice) or the device does not exist.
   */
  static async start(options: CaptureSessionOptions): Promise<CaptureSession> {
    const settings = resolveCaptureSettings(options)
    const helper = await startCaptureHelper(
      {
        interface: settings.interface,
        filter: settings.filter,
        snaplen: settings.snaplen,
        promiscuous: settings.promiscuous,
        bufferSize: settings.bufferSize,
        limits: settings.limits
      },
      options.helper
    )
    return new CaptureSession(helper, settings, options)
  }

  /** The interface as opened. */
  get opened(): CaptureOpenedInterface {
    const { type: _type, timestampDecimals: _decimals, ...opened } = this.helper.started
    return opened
  }

  /** The interface description to write in a capture file. */
  get captureInterface(): CaptureInterface {
    const started = this.helper.started
    return {
      name: started.interface,
      linkType: started.linkType,
      snaplen: started.snaplen,
      timestampDecimals: started.timestampDecimals
    }
  }

  /** Current totals. */
  counters(): CaptureCounters {
    return { packets: this.packetCount, bytes: this.byteCount }
  }

  /** The state for a client that just connected. */
  status(): CaptureStatus {
    return {
      state: this.summary ? 'ended' : 'running',
      captureId: this.id,
      settings: this.settings,
      opened: this.opened,
      counters: this.counters(),
      stats: this.summary?.stats ?? this.latestStats,
      end: this.summary?.end ?? null
    }
  }

  /** Resolves with the summary once the capture has ended. */
  get ended(): Promise<CaptureSummary> {
    return this.finished
  }

  /** Stops the capture; resolves with its summary. */
  async stop(): Promise<CaptureSummary> {
    if (!this.summary) await this.helper.stop()
    return this.finished
  }

  /** Stops the capture and lets go of the helper. */
  async dispose(): Promise<void> {
    await this.stop()
  }

  private receive(packets: readonly RawPacket[]): void {
    const indexed: IndexedPacket[] = []
    for (const packet of packets) {
      const item = { index: this.packetCount, packet }
      indexed.push(item)
      this.packetCount++
      this.byteCount += packet.data.length
      this.tickPackets++
      this.tickBytes += packet.data.length
    }
    this.emit('packets', indexed)
  }

  private emitTick(final: boolean): void {
    const now = Date.now()
    const seconds = Math.max(0.001, (now - this.lastTickAt) / 1000)
    this.tickSequence++
    const progress: CaptureProgress = {
      captureId: this.id,
      sequence: this.tickSequence,
      elapsedMs: now - this.startedAtMs,
      counters: this.counters(),
      newPackets: this.tickPackets,
      newBytes: this.tickBytes,
      packetsPerSecond: this.tickPackets / seconds,
      bytesPerSecond: this.tickBytes / seconds,
      stats: this.latestStats,
      final
    }
    this.tickPackets = 0
    this.tickBytes = 0
    this.lastTickAt = now
    this.emit('tick', progress)
  }

  private finish(end: EndMessage): CaptureSummary {
    clearInterval(this.tickTimer)
    this.latestStats = end.stats
    this.summary = {
      end: { reason: end.reason, message: end.message },
      counters: this.counters(),
      stats: end.stats
    }
    this.emitTick(true)
    this.emit('end', this.summary)
    return this.summary
  }
}
