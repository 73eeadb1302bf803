/**
 * A live capture written straight to a pcap or pcapng file, every packet, in order. In pcapng each
 * packet whose socket is found carries its process as a comment (`node (pid 1234)`), which
 * Wireshark shows as frame.comment.
 *
 * Memory stays bounded: when the disk falls behind, reading from the helper pauses and the helper
 * counts the packets it cannot queue.
 */
import type { CaptureEndReason, CaptureLimits, CaptureStatistics } from '../../../shared/model/capture'
import type { StartedMessage } from '../../../shared/capture-messages'
import type { RawPacket } from '../../../shared/model/packet'
import { startCaptureHelper, type CaptureHelperLaunchOptions, type CaptureHelperSession } from './capture-helper-process'
import { DEFAULT_CAPTURE_BUFFER_SIZE } from './capture-session'
import { CaptureFileWriter, createCaptureEncoder } from './files/capture-file-writer'
import { ProcessAttributor, attributePackets, ownerComment, type PacketAttribution, type SocketTableSource } from './process-attribution'
import { asError } from '../../../shared/error-message'

/** What to capture and where to write it. */
export interface CaptureToFileOptions {
  readonly interface: string
  readonly filter: string
  readonly path: string
  readonly format: 'pcap' | 'pcapng'
  /** 0 means the whole packet. */
  readonly snaplen?: number
  readonly promiscuous?: boolean
  readonly bufferSize?: number
  readonly limits: CaptureLimits
  /** The socket table for process comments; null writes no comments. */
  readonly sockets: SocketTableSource | null
  readonly helper?: CaptureHelperLaunchOptions
  /** Called once the interface is open, with a function that stops the capture. */
  readonly onStarted?: (started: StartedMessage, stop: () => void) => void
}

/** Packets and bytes of one process in the file. */
export interface ProcessTotals {
  readonly pid: number
  readonly process: string | null
  readonly packets: number
  readonly bytes: number
}

/** What was written. */
export interface CaptureToFileResult {
  readonly path: string
  readonly format: 'pcap' | 'pcapng'
  readonly interface: string
  readonly linkType: number
  readonly filter: string
  readonly packets: number
  /** Captured bytes written (packet data, not file overhead). */
  readonly bytes: number
  /** Packets whose process was found (pcapng keeps it as the packet's comment). */
  readonly attributedPackets: number
  readonly reason: CaptureEndReason
  /** Set when reason is 'error'. */
  readonly message: string | null
  readonly stats: CaptureStatistics
  readonly elapsedMs: number
  readonly processes: readonly ProcessTotals[]
}

const QUEUE_PAUSE_BYTES = 32 * 1024 * 1024
const QUEUE_RESUME_BYTES = 8 * 1024 * 1024

/**
 * Captures until a limit is reached or `stop` is called. Rejects with a CaptureError when the
 * capture cannot start (bad filter, no permission, no such device); nothing is written then.
 */
export async function captureToFile(options: CaptureToFileOptions): Promise<CaptureToFileResult> {
  const helper = await startCaptureHelper(
    {
      interface: options.interface,
      filter: options.filter,
      snaplen: options.snaplen ?? 0,
      promiscuous: options.promiscuous ?? true,
      bufferSize: options.bufferSize ?? DEFAULT_CAPTURE_BUFFER_SIZE,
      limits: options.limits
    },
    options.helper
  )
  const started = helper.started
  const startedAt = Date.now()
  let writer: CaptureFileWriter
  try {
    writer = await CaptureFileWriter.create(
      options.path,
      createCaptureEncoder({
        format: options.format,
        interfaces: [{ name: started.interface, linkType: started.linkType, snaplen: started.snaplen, timestampDecimals: options.format === 'pcap' ? 6 : 9 }]
      })
    )
  } catch (error) {
    await helper.stop()
    throw error
  }

  const attributor = options.sockets ? new ProcessAttributor(options.sockets) : null
  const pipeline = new WritePipeline(helper, writer, attributor, started.linkType, options.format === 'pcapng')
  options.onStarted?.(started, () => void helper.stop())
  const end = await helper.ended
  await pipeline.drained()
  await writer.close()
  if (pipeline.failure) throw pipeline.failure
  return {
    path: options.path,
    format: options.format,
    interface: started.interface,
    linkType: started.linkType,
    filter: options.filter,
    packets: pipeline.packets,
    bytes: pipeline.bytes,
    attributedPackets: pipeline.attributedPackets,
    reason: end.reason,
    message: end.message,
    stats: end.stats,
    elapsedMs: Date.now() - startedAt,
    processes: pipeline.processTotals()
  }
}

/** Takes packet batches from the helper and writes them one after another. */
class WritePipeline {
  packets = 0
  bytes = 0
  attributedPackets = 0
  failure: Error | null = null
  private queue: RawPacket[][] = []
  private queuedBytes = 0
  private paused = false
  private running: Promise<void> | null = null
  private readonly processes = new Map<number, { process: string | null; packets: number; bytes: number }>()

  constructor(
    private readonly helper: CaptureHelperSession,
    private readonly writer: CaptureFileWriter,
    private readonly attributor: ProcessAttributor | null,
    private readonly linkType: number,
    private readonly withComments: boolean
  ) {
    helper.on('packets', (packets) => this.enqueue(packets))
  }

  /** Resolves when every packet received so far is written. */
  async drained(): Promise<void> {
    while (this.running) await this.running
  }

  processTotals(): ProcessTotals[] {
    return [...this.processes.entries()].map(([pid, totals]) => ({ pid, ...totals })).sort((first, second) => second.bytes - first.bytes)
  }

  private enqueue(packets: readonly RawPacket[]): void {
    if (this.failure) return
    this.queue.push([...packets])
    for (const packet of packets) this.queuedBytes += packet.data.length
    if (this.queuedBytes > QUEUE_PAUSE_BYTES && !this.paused) {
      this.paused = true
      this.helper.pause()
    }
    this.running ??= this.run().finally(() => (this.running = null))
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const batch = this.queue.shift() as RawPacket[]
      const { owners } = await attributePackets(this.attributor, batch, this.linkType)
      try {
        for (const [index, packet] of batch.entries()) {
          const attribution = owners[index] ?? null
          const comment = attribution ? ownerComment(attribution.socket) : undefined
          await this.writer.writePacket(this.withComments && comment ? { ...packet, comment } : packet)
          this.count(packet, attribution, comment !== undefined)
        }
      } catch (error) {
        // A full disk or a vanished file: stop capturing, keep what was written.
        this.failure = asError(error)
        void this.helper.stop()
      }
      for (const packet of batch) this.queuedBytes -= packet.data.length
      if (this.paused && this.queuedBytes < QUEUE_RESUME_BYTES) {
        this.paused = false
        this.helper.resume()
      }
    }
  }

  private count(packet: RawPacket, attribution: PacketAttribution | null, commented: boolean): void {
    this.packets++
    this.bytes += packet.data.length
    if (commented) this.attributedPackets++
    const pid = attribution?.socket.pid
    if (pid === undefined || pid === null) return
    const totals = this.processes.get(pid) ?? { process: attribution?.socket.process ?? null, packets: 0, bytes: 0 }
    totals.packets++
    totals.bytes += packet.data.length
    this.processes.set(pid, totals)
  }
}
