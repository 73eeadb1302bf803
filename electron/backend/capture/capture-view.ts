/**
 * The shown capture and what clients ask of it: the packet list in pages under a display
 * filter, one packet's details, conversations, a followed stream, throughput, per-process
 * bandwidth, export and import. Whatever is shown (the live capture, or the latest import) is
 * kept whole in the backend, so the renderer only ever asks for what is on screen.
 */
import { networkInterfaces } from 'node:os'
import type { CaptureStatistics } from '../../../shared/model/capture'
import type { CaptureViewState, ConversationList, DisplayFilterResult, FollowedStream, PacketDetails, PacketListPage, ProcessBandwidth } from '../../../shared/model/capture-view'
import type { ExportChunk, ExportTicket, ImportProgress, TransferProgress } from '../../../shared/model/capture-transfer'
import { RequestError } from '../../../shared/contract/envelope'
import { errorMessage } from '../../../shared/error-message'
import type { PacketSummary, ThroughputPoint } from '../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../shared/model/packet'
import { compilePacketFilter } from '../../../shared/query/packet-fields'
import type { CaptureSession } from './capture-session'
import type { LiveCaptureFollower } from './live-capture'
import type { PacketAttribution } from './process-attribution'
import { DisplayFilter } from './store/display-filter'
import type { PacketHeaders } from './decode/header-scan'
import { recordPacket, summarizePacket } from './decode/packet-decoder'
import { followConversation } from './store/follow-conversation'
import { ShownCapture } from './store/shown-capture'
import { CaptureExports } from './transfer/capture-export'
import { CaptureImport, ImportOverrunError } from './transfer/capture-import'
import type { TemporaryFolder } from '../storage/private-folder'
import { elementAt } from '../../../shared/element-at'

/** Fewest milliseconds between two pushed states. */
const STATE_INTERVAL_MS = 250

/** A follower for a capture that could not be shown: it lets the packets go. */
const UNFOLLOWED: LiveCaptureFollower = { packets: () => undefined, progress: () => undefined, end: () => undefined }

/** This machine's addresses, so throughput can tell sent from received. */
function localAddresses(): string[] {
  const addresses: string[] = []
  for (const entries of Object.values(networkInterfaces())) for (const entry of entries ?? []) addresses.push(entry.address)
  return addresses
}

/** How the view tells clients about changes. */
export interface CaptureViewEvents {
  /** At most every STATE_INTERVAL_MS. */
  state(state: CaptureViewState): void
  progress(progress: TransferProgress): void
}

/** The shown capture of one backend. */
export class CaptureView {
  private shown: ShownCapture | null = null
  private filter: DisplayFilter | null = null
  private importJob: CaptureImport | null = null
  /**
   * The capture the import under way took the place of. It is kept until the import ends, so an
   * import that is refused halfway shows it again instead of losing both.
   */
  private replacedByImport: ShownCapture | null = null
  private readonly exports: CaptureExports
  private stateTimer: NodeJS.Timeout | null = null
  private lastStateAt = 0
  private disposed = false

  /** Files (packet bytes, exports) go to `folder`, a private temporary folder. */
  constructor(
    private readonly folder: TemporaryFolder,
    private readonly events: CaptureViewEvents
  ) {
    this.exports = new CaptureExports(folder, (progress) => events.progress(progress))
  }

  /** What is shown and how the display filter stands. */
  state(): CaptureViewState {
    const current = this.shown
    const filter = this.activeFilter()
    return {
      source: current?.describe() ?? null,
      filter: this.filter?.text ?? '',
      matched: filter !== null ? filter.matchedCount : (current?.store.count ?? 0),
      filtering: filter !== null && filter.scanning,
      conversations: current?.conversationCount() ?? 0
    }
  }

  /** The display filter when it leaves packets out, otherwise null. */
  private activeFilter(): DisplayFilter | null {
    return this.filter !== null && this.filter.active ? this.filter : null
  }

  private requireShown(): ShownCapture {
    if (this.shown === null) throw new RequestError('not-found', 'no capture is shown: start one or import a file')
    return this.shown
  }

  /** Pushes the state now, or once the interval since the last push is over. */
  private pushState(): void {
    if (this.disposed || this.stateTimer !== null) return
    const wait = Math.max(0, this.lastStateAt + STATE_INTERVAL_MS - Date.now())
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null
      this.lastStateAt = Date.now()
      this.events.state(this.state())
    }, wait)
  }

  /** Replaces the shown capture, keeping the display filter; the previous capture's file is deleted unless it is kept. */
  private async show(next: ShownCapture | null, keepPrevious = false): Promise<void> {
    const previous = this.shown
    this.shown = next
    this.filter?.cancel()
    const text = this.filter?.text ?? ''
    this.filter = null
    if (text !== '') this.applyFilter(text)
    this.pushState()
    if (previous !== null && !keepPrevious) await previous.dispose()
  }

  private applyFilter(text: string): ReturnType<typeof compilePacketFilter> {
    const compiled = compilePacketFilter(text)
    if (!compiled.ok) return compiled
    this.filter?.cancel()
    const next = new DisplayFilter(text, compiled.query)
    this.filter = next
    const current = this.shown
    if (next.active && current !== null) {
      void next
        .scan(current, () => this.pushState())
        .then(
          () => this.pushState(),
          (error: unknown) => {
            current.notes = [...current.notes, `display filter stopped: ${errorMessage(error)}`]
            this.pushState()
          }
        )
    }
    return compiled
  }

  /** Stores a packet of `capture` and offers it to the display filter when that capture is the one shown. */
  private take(capture: ShownCapture, packet: RawPacket, summary: PacketSummary, attribution: PacketAttribution | null): void {
    const index = capture.add(packet, summary, attribution)
    const filter = this.activeFilter()
    if (filter !== null && capture === this.shown) filter.offer(index, capture.filterRecord(index, summary))
  }

  /** Stores a packet of a file being imported (see ShownCapture.addRecord) and offers it to the display filter when that capture is shown. */
  private takeRecord(capture: ShownCapture, buffer: Uint8Array, start: number, headers: PacketHeaders): void {
    const index = capture.addRecord(buffer, start, headers)
    const filter = this.activeFilter()
    if (filter !== null && capture === this.shown)
      filter.offerStored(index, capture, () => capture.filterRecord(index, summarizePacket(recordPacket(headers, buffer, start), capture.linkTypeOf(headers))))
  }

  /** Shows a live capture from its first packet to its end; the packets come decoded and attributed. */
  async followLive(session: CaptureSession): Promise<LiveCaptureFollower> {
    const captureInterface = session.captureInterface
    let target: ShownCapture
    try {
      target = await ShownCapture.create('live', captureInterface.name, await this.folder.path(), () => [captureInterface], localAddresses())
    } catch (error) {
      if (this.shown !== null) this.shown.notes = [...this.shown.notes, `packets could not be stored: ${errorMessage(error)}`]
      return UNFOLLOWED
    }
    target.notes = session.opened.notes
    await this.forgetImport()
    await this.show(target)
    let storing = true
    return {
      packets: ({ packets, summaries, owners }) => {
        // A newer capture or an import took its place: the packets are no longer shown.
        if (!storing || this.shown !== target) return
        try {
          packets.forEach((item, position) => this.take(target, item.packet, elementAt(summaries, position), owners[position] ?? null))
        } catch (error) {
          // A full disk must not take the capture down: the view keeps what it stored and says why it stopped.
          storing = false
          target.error = `packets after ${target.store.count} could not be stored: ${errorMessage(error)}`
        }
        this.pushState()
      },
      progress: ({ stats }) => this.updateLive(target, stats),
      end: ({ stats, end }) => {
        target.state = 'ended'
        if (end.reason === 'error') target.error = end.message ?? 'the capture failed'
        this.updateLive(target, stats)
      }
    }
  }

  private updateLive(target: ShownCapture, stats: CaptureStatistics | null): void {
    target.stats = stats
    if (this.shown === target) this.pushState()
  }

  /** Rows `start` to `start + count - 1` of the (filtered) list. */
  async packetPage(start: number, count: number): Promise<PacketListPage> {
    const target = this.shown
    const filter = this.activeFilter()
    const filterText = this.filter?.text ?? ''
    if (target === null) return { sourceId: null, filter: filterText, start, total: 0, rows: [] }
    const total = filter !== null ? filter.matchedCount : target.store.count
    const end = Math.min(total, start + count)
    if (end <= start) return { sourceId: target.id, filter: filterText, start, total, rows: [] }
    let indexes: number[]
    let packets: RawPacket[]
    if (filter !== null) {
      indexes = Array.from(filter.matchedIndexes().subarray(start, end))
      packets = await target.store.packetsAt(indexes)
    } else {
      indexes = Array.from({ length: end - start }, (_, offset) => start + offset)
      packets = await target.store.packetRange(start, end)
    }
    const rows = packets.map((packet, offset) => target.row(elementAt(indexes, offset), packet))
    return { sourceId: target.id, filter: filterText, start, total, rows }
  }

  /** Sets the display filter; a filter that does not compile leaves the current one in place. */
  setDisplayFilter(text: string): DisplayFilterResult {
    const trimmed = text.trim()
    const compiled = this.applyFilter(trimmed)
    if (!compiled.ok) return { error: compiled.error, filter: this.filter?.text ?? '', matched: this.state().matched }
    this.pushState()
    return { error: null, filter: trimmed, matched: this.state().matched }
  }

  /** The list position of the packet at `index`, or -1 when it is filtered out or not stored. */
  packetPosition(index: number): { readonly position: number } {
    const target = this.requireShown()
    if (index >= target.store.count) return { position: -1 }
    const filter = this.activeFilter()
    return { position: filter === null ? index : filter.positionOf(index) }
  }

  packetDetails(index: number): Promise<PacketDetails> {
    return this.requireShown().details(index)
  }

  conversations(limit: number): ConversationList {
    const target = this.shown
    if (target === null) return { total: 0, conversations: [] }
    return { total: target.conversationCount(), conversations: target.conversationRows(limit) }
  }

  followStream(conversationId: string, maxBytes: number | undefined): Promise<FollowedStream> {
    return followConversation(this.requireShown(), conversationId, maxBytes)
  }

  /** Throughput points from the bucket starting at `fromTime` (epoch milliseconds) on; a long window comes back with merged buckets (see ThroughputSeries.points). */
  throughput(fromTime: number): readonly ThroughputPoint[] {
    return this.shown?.throughput.points(fromTime) ?? []
  }

  processBandwidth(): readonly ProcessBandwidth[] {
    const target = this.shown
    // A running capture's rates follow the clock, so a process that went quiet drops to zero.
    return target?.processRows(target.state === 'running' ? Date.now() / 1000 : undefined) ?? []
  }

  /** Writes the chosen packets to an export file the client then reads in chunks. */
  exportBegin(format: 'pcapng' | 'pcap', scope: 'all' | 'filtered' | 'conversation', conversationId: string | undefined): Promise<ExportTicket> {
    const target = this.requireShown()
    const indexes = this.exportIndexes(target, scope, conversationId)
    const scopeName = scope === 'conversation' ? `conversation-${conversationId}` : scope
    return this.exports.write(target, { format, indexes, scopeName })
  }

  /** The capture indexes an export scope covers, or null for every packet. */
  private exportIndexes(target: ShownCapture, scope: 'all' | 'filtered' | 'conversation', conversationId: string | undefined): Uint32Array | null {
    if (scope === 'all') return null
    if (scope === 'conversation') {
      if (conversationId === undefined) throw new RequestError('invalid-arguments', 'conversationId is needed to export a conversation')
      return target.store.indexesOfFlow(target.flowOfConversationId(conversationId))
    }
    const filter = this.activeFilter()
    if (filter === null) throw new RequestError('invalid-arguments', 'no display filter is set')
    if (filter.scanning) throw new RequestError('busy', 'the display filter is still running; export when it is done')
    return filter.matchedIndexes().slice()
  }

  /** The bytes of an export from `offset` on. */
  exportChunk(exportId: string, offset: number): Promise<ExportChunk> {
    return this.exports.chunk(exportId, offset)
  }

  /** Deletes an export's file once the client has read it. */
  async exportEnd(exportId: string): Promise<{ readonly closed: boolean }> {
    return { closed: await this.exports.end(exportId) }
  }

  /**
   * Starts an import of a file of `size` bytes (refused over MAX_IMPORT_BYTES). Its capture
   * replaces the shown one once the file proves readable (its first packet, or a clean end), so
   * a file that is not a capture loses nothing. An earlier import that never ended is dropped.
   */
  async importBegin(fileName: string, size: number): Promise<ImportProgress> {
    if (this.shown?.kind === 'live' && this.shown.state === 'running') {
      throw new RequestError('busy', 'a live capture is running; stop it before opening a file')
    }
    const job = await CaptureImport.begin(fileName, size, () => this.folder.path())
    await this.abandonImport()
    this.importJob = job
    return job.progress()
  }

  /**
   * Stores the packets of the next chunk of the file. A chunk past the declared size ends the
   * import: what it stored is deleted and the capture it replaced is shown again.
   */
  async importChunk(importId: string, offset: number, data: string): Promise<ImportProgress> {
    const job = this.requireImport(importId)
    let progress: ImportProgress
    try {
      progress = job.chunk(offset, data, (buffer, start, headers) => this.takeRecord(job.capture, buffer, start, headers))
    } catch (error) {
      if (error instanceof ImportOverrunError) await this.abandonImport()
      throw error
    }
    if (this.shown !== job.capture && progress.packets > 0) await this.showImport(job)
    this.pushState()
    return progress
  }

  /** Checks the file ended cleanly and marks the capture as read; the capture it replaced is deleted. */
  async importEnd(importId: string): Promise<ImportProgress> {
    const job = this.requireImport(importId)
    const progress = job.end()
    if (this.shown !== job.capture && progress.error === null) await this.showImport(job)
    await this.forgetImport()
    this.pushState()
    return progress
  }

  /** Shows an import's capture in place of the shown one, which is kept until the import ends. */
  private async showImport(job: CaptureImport): Promise<void> {
    this.replacedByImport = this.shown
    await this.show(job.capture, true)
  }

  /** Drops the import under way and everything it stored; the capture it replaced is shown again. */
  private async abandonImport(): Promise<void> {
    const job = this.importJob
    if (job === null) return
    const replaced = this.replacedByImport
    this.importJob = null
    this.replacedByImport = null
    if (this.shown === job.capture) await this.show(replaced)
    else await job.capture.dispose()
  }

  /**
   * Lets go of the import under way, if any, when it ended or something else takes the view:
   * its capture is deleted unless it is shown, and so is the capture it replaced.
   */
  private async forgetImport(): Promise<void> {
    const job = this.importJob
    const replaced = this.replacedByImport
    this.importJob = null
    this.replacedByImport = null
    if (job !== null && this.shown !== job.capture) await job.capture.dispose()
    await replaced?.dispose()
  }

  private requireImport(importId: string): CaptureImport {
    const job = this.importJob
    if (job === null || job.id !== importId) throw new RequestError('not-found', `no import ${importId} under way`)
    return job
  }

  /** Forgets the shown capture (and any import under way) and deletes their files. */
  async clear(): Promise<CaptureViewState> {
    await this.forgetImport()
    await this.show(null)
    return this.state()
  }

  /** Deletes every file the view holds. */
  async dispose(): Promise<void> {
    this.disposed = true
    if (this.stateTimer !== null) clearTimeout(this.stateTimer)
    this.filter?.cancel()
    await this.forgetImport()
    const shown = this.shown
    this.shown = null
    await shown?.dispose()
    await this.exports.dispose()
  }
}
