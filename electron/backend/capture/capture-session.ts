/**
 * The unprivileged side of a live capture: it starts the helper, keeps the newest packets in a
 * bounded ring, moves older ones to a temporary pcapng file, and reports one batched tick per
 * interval instead of an event per packet.
 *
 * Memory stays bounded at every step: the ring by packets and bytes, the spill queue by bytes
 * (when the disk falls behind, reading from the helper pauses and the helper counts the drops).
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CaptureLimits, CaptureStatistics } from '../../../shared/model/capture'
import type { EndMessage } from '../../../shared/capture-messages'
import type {
  CaptureCounters,
  CaptureEnd,
  CaptureOpenedInterface,
  CaptureProgress,
  CaptureSettings,
  CaptureStatus
} from '../../../shared/contract/capture'
import type { CaptureInterface, RawPacket } from '../../../shared/model/packet'
import { CaptureFileReader } from './files/capture-file-reader'
import { CaptureFileWriter, createCaptureEncoder } from './files/capture-file-writer'
import { startCaptureHelper, type CaptureHelperLaunchOptions, type CaptureHelperSession } from './capture-helper-process'
import { asError } from '../../../shared/error-message'
import { TemporaryFolder } from '../storage/private-folder'
import { createNewFile } from '../storage/safe-open'

/** Where packets go when they leave the in-memory ring. */
export interface PacketSpill {
  readonly path: string
  /** Appends one packet after every earlier one; resolves once the disk has taken it. */
  append(packet: RawPacket): Promise<void>
  close(): Promise<void>
}

/** Creates the spill file for a capture on `captureInterface`. */
export type PacketSpillFactory = (path: string, captureInterface: CaptureInterface) => Promise<PacketSpill>

/** The default spill: a new 0600 pcapng file written with the project's capture file writer. */
export const pcapngSpillFactory: PacketSpillFactory = async (path, captureInterface) => {
  const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcapng', interfaces: [captureInterface] }), createNewFile)
  return {
    path,
    append: (packet) => writer.writePacket(packet),
    close: () => writer.close()
  }
}

/** What to capture and how much to keep; everything but the interface has a default. */
export interface CaptureSessionOptions {
  readonly interface: string
  readonly filter?: string
  /** Bytes kept per packet; 0 or absent means the whole packet (up to what the library allows). */
  readonly snaplen?: number
  readonly promiscuous?: boolean
  /** Kernel buffer in bytes; DEFAULT_CAPTURE_BUFFER_SIZE by default. */
  readonly bufferSize?: number
  readonly limits?: Partial<CaptureLimits>
  /**
   * The in-memory ring. `maxPackets: 0` keeps no packets at all, in memory or spilled: for a
   * consumer that stores every packet itself from the `packets` event.
   */
  readonly ring?: { readonly maxPackets?: number; readonly maxBytes?: number }
  /**
   * A private folder (see PrivateFolder) for the spill file. By default the session makes its
   * own private temporary folder in the OS temp folder and deletes it on dispose.
   */
  readonly spillDirectory?: string
  readonly spillFactory?: PacketSpillFactory
  /** Tick interval, clamped to 250..1000 ms. */
  readonly tickIntervalMs?: number
  readonly helper?: CaptureHelperLaunchOptions
}

/** A packet as the session keeps it: with its position in the capture. */
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
  /** Each batch as it arrives, for consumers that need every packet (file writers, attribution). */
  packets: [packets: readonly IndexedPacket[]]
  end: [summary: CaptureSummary]
}

/**
 * 32 MiB of kernel buffer. `cap` opens every capture in immediate mode with a snaplen of 65535, so
 * libpcap gives each packet a fixed slot of about 64 KiB: tcpdump's 2 MiB would hold only ~30
 * packets and a short burst on loopback already overflows it. 32 MiB holds about 500.
 */
export const DEFAULT_CAPTURE_BUFFER_SIZE = 32 * 1024 * 1024

const DEFAULT_RING_PACKETS = 100_000
const DEFAULT_RING_BYTES = 64 * 1024 * 1024
const SPILL_BACKLOG_BYTES = 16 * 1024 * 1024
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
    },
    ring: {
      maxPackets: Math.max(0, Math.floor(options.ring?.maxPackets ?? DEFAULT_RING_PACKETS)),
      maxBytes: Math.max(1, options.ring?.maxBytes ?? DEFAULT_RING_BYTES)
    }
  }
}

/** A first-in first-out queue of packets that drops from the front cheaply. */
class PacketRing {
  private items: IndexedPacket[] = []
  private head = 0
  bytes = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(item: IndexedPacket): void {
    this.items.push(item)
    this.bytes += item.packet.data.length
  }

  shift(): IndexedPacket | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.head++
    this.bytes -= item.packet.data.length
    // Compact once the dead front outgrows the live part, so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  toArray(): IndexedPacket[] {
    return this.items.slice(this.head)
  }

  clear(): void {
    this.items = []
    this.head = 0
    this.bytes = 0
  }
}

/** A live capture. Start one with `CaptureSession.start`. */
export class CaptureSession extends EventEmitter<CaptureSessionEvents> {
  /** Identifies this capture in ticks and status. */
  readonly id = randomUUID()
  private readonly ring = new PacketRing()
  /** False when the ring keeps nothing: then nothing is held or spilled either. */
  private readonly keepsPackets: boolean
  private readonly startedAtMs = Date.now()
  private packetCount = 0
  private byteCount = 0
  private packetsSpilled = 0
  private bytesSpilled = 0
  private latestStats: CaptureStatistics | null = null
  private tickSequence = 0
  private tickPackets = 0
  private tickBytes = 0
  private lastTickAt = Date.now()
  private readonly tickTimer: NodeJS.Timeout
  private spill: Promise<PacketSpill> | null = null
  private spillPathValue = ''
  /** The session's own spill folder, when no spillDirectory was given. */
  private ownSpillFolder: TemporaryFolder | null = null
  private spillQueue: IndexedPacket[] = []
  private spillQueueBytes = 0
  private spillDraining: Promise<void> | null = null
  private spillError: Error | null = null
  private pausedForSpill = false
  private summary: CaptureSummary | null = null
  private readonly finished: Promise<CaptureSummary>

  private constructor(
    private readonly helper: CaptureHelperSession,
    readonly settings: CaptureSettings,
    private readonly options: CaptureSessionOptions
  ) {
    super()
    this.keepsPackets = settings.ring.maxPackets > 0
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
    return {
      packets: this.packetCount,
      bytes: this.byteCount,
      packetsInMemory: this.ring.length,
      bytesInMemory: this.ring.bytes,
      packetsSpilled: this.packetsSpilled,
      bytesSpilled: this.bytesSpilled
    }
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

  /** The packets still in memory, oldest first. */
  packetsInMemory(): readonly IndexedPacket[] {
    return this.ring.toArray()
  }

  /** The spill file's path once packets have left memory, otherwise null. */
  get spillPath(): string | null {
    return this.spill ? this.spillPathValue : null
  }

  /** Every packet of the capture in order: first the spill file, then memory. Call after the end. */
  async *allPackets(): AsyncGenerator<IndexedPacket> {
    await this.finished
    let index = 0
    if (this.spill) {
      const reader = new CaptureFileReader(this.spillPathValue)
      for await (const batch of reader) {
        for (const packet of batch.packets) yield { index: index++, packet }
      }
      if (reader.error) throw reader.error
    }
    for (const item of this.ring.toArray()) yield item
  }

  /** Resolves with the summary once the capture has ended and the spill file is complete. */
  get ended(): Promise<CaptureSummary> {
    return this.finished
  }

  /** Stops the capture; resolves with its summary. */
  async stop(): Promise<CaptureSummary> {
    if (!this.summary) await this.helper.stop()
    return this.finished
  }

  /** Stops the capture, deletes the spill file and lets go of the packets in memory. */
  async dispose(): Promise<void> {
    await this.stop()
    this.ring.clear()
    if (this.spill) await rm(this.spillPathValue, { force: true })
    await this.ownSpillFolder?.remove()
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
      if (this.keepsPackets) this.ring.push(item)
    }
    if (this.keepsPackets) this.evict()
    this.emit('packets', indexed)
  }

  private evict(): void {
    const { maxPackets, maxBytes } = this.settings.ring
    while (this.ring.length > maxPackets || (this.ring.bytes > maxBytes && this.ring.length > 1)) {
      const item = this.ring.shift()
      if (!item) break
      this.spillQueue.push(item)
      this.spillQueueBytes += item.packet.data.length
    }
    if (this.spillQueue.length > 0) this.drainSpill()
    if (this.spillQueueBytes > SPILL_BACKLOG_BYTES && !this.pausedForSpill) {
      this.pausedForSpill = true
      this.helper.pause()
    }
  }

  private drainSpill(): void {
    if (this.spillDraining || this.spillError) return
    this.spillDraining = (async () => {
      try {
        if (!this.spill) {
          // Spilled packets are captured payloads: they only ever go to a folder closed to other users.
          let directory = this.options.spillDirectory
          if (directory === undefined) {
            this.ownSpillFolder = TemporaryFolder.in(tmpdir(), 'sockscope-spill-')
            directory = await this.ownSpillFolder.path()
          }
          this.spillPathValue = join(directory, `capture-${process.pid}-${this.id}.pcapng`)
          this.spill = (this.options.spillFactory ?? pcapngSpillFactory)(this.spillPathValue, this.captureInterface)
        }
        const spill = await this.spill
        while (this.spillQueue.length > 0) {
          const batch = this.spillQueue
          this.spillQueue = []
          for (const item of batch) {
            await spill.append(item.packet)
            this.spillQueueBytes -= item.packet.data.length
            this.packetsSpilled++
            this.bytesSpilled += item.packet.data.length
          }
          if (this.pausedForSpill && this.spillQueueBytes < SPILL_BACKLOG_BYTES / 2) {
            this.pausedForSpill = false
            this.helper.resume()
          }
        }
      } catch (error) {
        // Without a spill file the ring still bounds memory; the overflow is lost and counted.
        this.spillError = asError(error)
        this.spillQueue = []
        this.spillQueueBytes = 0
        if (this.pausedForSpill) {
          this.pausedForSpill = false
          this.helper.resume()
        }
      } finally {
        this.spillDraining = null
      }
    })()
  }

  /** Why the spill file could not be written, if it could not. */
  get spillFailure(): Error | null {
    return this.spillError
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

  private async finish(end: EndMessage): Promise<CaptureSummary> {
    clearInterval(this.tickTimer)
    while (this.spillDraining) await this.spillDraining
    if (this.spill) {
      try {
        await (await this.spill).close()
      } catch (error) {
        this.spillError ??= asError(error)
      }
    }
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
