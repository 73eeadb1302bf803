/**
 * The capture view: whatever capture is shown (the live one, or an imported pcap/pcapng file)
 * kept whole in the backend, so the renderer only ever asks for what is on screen.
 *
 * Packets go to an append-only file of bytes plus typed-array columns (about 30 bytes a packet
 * in memory); nothing decoded is kept per packet. Each packet is decoded once on arrival to
 * count its conversation, throughput and process, and again whenever a page, a detail, a
 * display filter, a stream or an export needs it. The display filter runs here, over every
 * stored packet, in slices that leave the event loop free.
 *
 * Decoding, conversations, stream reassembly, throughput, attribution and the file formats are
 * the capture domain's own modules; this one stores, indexes and serves.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises'
import { networkInterfaces } from 'node:os'
import { dirname, join } from 'node:path'
import type { CaptureStatistics } from '../../../shared/capture-protocol'
import type {
  CaptureViewSource,
  CaptureViewState,
  ConversationRow,
  ExportTicket,
  ImportProgress,
  PacketListRow,
  ProcessBandwidth
} from '../../../shared/contract/capture-view'
import { EXPORT_CHUNK_BYTES } from '../../../shared/contract/capture-view'
import { RequestError } from '../../../shared/contract/envelope'
import { formatEndpoint } from '../../../shared/format/socket-text'
import type { Conversation, PacketSummary } from '../../../shared/model/decoded-packet'
import type { CaptureInterface, RawPacket } from '../../../shared/model/packet'
import { compilePacketFilter } from '../../../shared/query/packet-fields'
import type { CompiledQuery } from '../../../shared/query/query-compiler'
import type { BackendModuleFactory } from '../backend-module'
import { ConversationTable } from './analysis/conversations'
import { followTcpStream, type SummarizedPacket } from './analysis/stream-follow'
import { ThroughputSeries } from './analysis/throughput'
import { onCaptureStarted } from './capture-module'
import type { CaptureSession } from './capture-session'
import { decodePacketTree, summarizePacket } from './decode/packet-decoder'
import { DetectingStreamParser } from './files/capture-stream-parser'
import { CaptureFileWriter, createCaptureEncoder } from './files/capture-file-writer'
import { CaptureWriteError } from './files/capture-file-error'
import { ProcessAttributor, ownerComment } from './process-attribution'

/**
 * Append-only bytes in a temporary file, written in large blocks. Appends are synchronous (they
 * copy into the block being filled); a packet always lies inside one block, so a read is either
 * one block still in memory or one read from the file.
 */
class PacketByteLog {
  private length = 0
  private block: Uint8Array
  private blockBase = 0
  private blockUsed = 0
  /** Blocks handed to the file but not yet written, oldest first. */
  private readonly pending: Array<{ readonly base: number; readonly bytes: Uint8Array }> = []
  private writeChain: Promise<void> = Promise.resolve()
  private failure: Error | null = null
  private closed = false

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly blockSize: number
  ) {
    this.block = new Uint8Array(blockSize)
  }

  static async create(path: string, blockSize = 4 * 1024 * 1024): Promise<PacketByteLog> {
    await mkdir(dirname(path), { recursive: true })
    return new PacketByteLog(await open(path, 'w+'), path, blockSize)
  }

  /** Bytes appended so far. */
  get size(): number {
    return this.length
  }

  /** Bytes waiting to be written, so callers can tell when the disk falls behind. */
  get pendingBytes(): number {
    let total = this.blockUsed
    for (const entry of this.pending) total += entry.bytes.length
    return total
  }

  /** Copies `bytes` in and returns their offset. */
  append(bytes: Uint8Array): number {
    if (this.failure) throw this.failure
    if (this.blockUsed + bytes.length > this.block.length) {
      this.flushBlock()
      if (bytes.length > this.block.length) {
        // A packet bigger than a block gets a block of its own.
        const offset = this.length
        this.queueWrite(offset, bytes.slice())
        this.length += bytes.length
        this.blockBase = this.length
        return offset
      }
    }
    const offset = this.length
    this.block.set(bytes, this.blockUsed)
    this.blockUsed += bytes.length
    this.length += bytes.length
    return offset
  }

  /** The `length` bytes at `offset`, from memory when they are not written yet. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0)
    if (offset >= this.blockBase) return this.block.slice(offset - this.blockBase, offset - this.blockBase + length)
    for (const entry of this.pending) {
      if (offset >= entry.base && offset + length <= entry.base + entry.bytes.length) {
        return entry.bytes.slice(offset - entry.base, offset - entry.base + length)
      }
    }
    const target = new Uint8Array(length)
    const { bytesRead } = await this.handle.read(target, 0, length, offset)
    if (bytesRead !== length) throw new Error(`packet store: short read at ${offset}`)
    return target
  }

  /** Reads a range that may span many packets, for sequential scans. */
  async readRange(offset: number, length: number): Promise<Uint8Array> {
    const target = new Uint8Array(length)
    let filled = 0
    // The file holds everything below the first pending block.
    const fileEnd = this.pending[0]?.base ?? this.blockBase
    if (offset < fileEnd) {
      const fromFile = Math.min(length, fileEnd - offset)
      const { bytesRead } = await this.handle.read(target, 0, fromFile, offset)
      if (bytesRead !== fromFile) throw new Error(`packet store: short read at ${offset}`)
      filled = fromFile
    }
    while (filled < length) {
      const position = offset + filled
      const source =
        position >= this.blockBase
          ? { base: this.blockBase, bytes: this.block.subarray(0, this.blockUsed) }
          : this.pending.find((entry) => position >= entry.base && position < entry.base + entry.bytes.length)
      if (!source) {
        // Written meanwhile: read the rest from the file.
        const { bytesRead } = await this.handle.read(target, filled, length - filled, position)
        filled += bytesRead
        if (bytesRead === 0) throw new Error(`packet store: short read at ${position}`)
        continue
      }
      const start = position - source.base
      const count = Math.min(length - filled, source.bytes.length - start)
      target.set(source.bytes.subarray(start, start + count), filled)
      filled += count
    }
    return target
  }

  private flushBlock(): void {
    if (this.blockUsed === 0) return
    this.queueWrite(this.blockBase, this.block.subarray(0, this.blockUsed))
    this.block = new Uint8Array(this.blockSize)
    this.blockBase = this.length
    this.blockUsed = 0
  }

  private queueWrite(base: number, bytes: Uint8Array): void {
    const entry = { base, bytes }
    this.pending.push(entry)
    this.writeChain = this.writeChain.then(async () => {
      if (this.closed) return
      try {
        let written = 0
        while (written < bytes.length) {
          const result = await this.handle.write(bytes, written, bytes.length - written, base + written)
          written += result.bytesWritten
        }
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error))
        return
      }
      this.pending.splice(this.pending.indexOf(entry), 1)
    })
  }

  /** Closes and deletes the file. */
  async dispose(): Promise<void> {
    this.closed = true
    await this.writeChain
    await this.handle.close().catch(() => undefined)
    await rm(this.path, { force: true })
  }
}

/** Grows a typed array by doubling, keeping its contents. */
function grown<T extends Uint32Array | Float64Array | Int32Array | Uint16Array>(array: T, needed: number): T {
  if (needed <= array.length) return array
  let capacity = Math.max(1024, array.length * 2)
  while (capacity < needed) capacity *= 2
  const next = new (array.constructor as new (length: number) => T)(capacity)
  next.set(array)
  return next
}

/**
 * Every packet of the shown capture: the bytes in a {@link PacketByteLog}, the per-packet
 * numbers in typed-array columns (about 30 bytes a packet), and nothing decoded. Summaries are
 * rebuilt from the bytes when a page is read, so a million packets cost tens of megabytes.
 */
class PacketStore {
  count = 0
  private seconds = new Uint32Array(1024)
  private nanos = new Uint32Array(1024)
  private originalLengths = new Uint32Array(1024)
  private capturedLengths = new Uint32Array(1024)
  private offsets = new Float64Array(1024)
  private interfaceIndexes = new Uint16Array(1024)
  private flows = new Int32Array(1024)
  private readonly comments = new Map<number, string>()
  /** One string per distinct comment: a file where every packet names its process repeats a few texts. */
  private readonly commentTexts = new Map<string, string>()

  constructor(readonly bytes: PacketByteLog) {}

  /** Appends one packet and returns its index. */
  append(packet: RawPacket, flow: number): number {
    const index = this.count
    const needed = index + 1
    if (needed > this.seconds.length) {
      this.seconds = grown(this.seconds, needed)
      this.nanos = grown(this.nanos, needed)
      this.originalLengths = grown(this.originalLengths, needed)
      this.capturedLengths = grown(this.capturedLengths, needed)
      this.offsets = grown(this.offsets, needed)
      this.interfaceIndexes = grown(this.interfaceIndexes, needed)
      this.flows = grown(this.flows, needed)
    }
    this.seconds[index] = packet.timestampSeconds
    this.nanos[index] = packet.timestampNanos
    this.originalLengths[index] = packet.originalLength
    this.capturedLengths[index] = packet.data.length
    this.offsets[index] = this.bytes.append(packet.data)
    this.interfaceIndexes[index] = packet.interfaceIndex
    this.flows[index] = flow
    if (packet.comment) {
      let text = this.commentTexts.get(packet.comment)
      if (text === undefined) {
        text = packet.comment
        if (this.commentTexts.size < 100_000) this.commentTexts.set(text, text)
      }
      this.comments.set(index, text)
    }
    this.count = needed
    return index
  }

  flowOf(index: number): number {
    return this.flows[index]!
  }

  capturedLengthOf(index: number): number {
    return this.capturedLengths[index]!
  }

  /** The packet at `index`, its bytes read back. */
  async packet(index: number): Promise<RawPacket> {
    const data = await this.bytes.read(this.offsets[index]!, this.capturedLengths[index]!)
    return this.withData(index, data)
  }

  /**
   * Packets `first` to `last - 1`, read with one file read: they were appended in order, so
   * their bytes are contiguous.
   */
  async packetRange(first: number, last: number): Promise<RawPacket[]> {
    if (last <= first) return []
    const start = this.offsets[first]!
    const end = this.offsets[last - 1]! + this.capturedLengths[last - 1]!
    const block = await this.bytes.readRange(start, end - start)
    const packets: RawPacket[] = []
    for (let index = first; index < last; index++) {
      const offset = this.offsets[index]! - start
      packets.push(this.withData(index, block.subarray(offset, offset + this.capturedLengths[index]!)))
    }
    return packets
  }

  /** Packets at scattered indexes, in the order given; runs of neighbours share one read. */
  async packetsAt(indexes: ArrayLike<number>): Promise<RawPacket[]> {
    const packets: RawPacket[] = []
    let runStart = 0
    for (let position = 1; position <= indexes.length; position++) {
      if (position < indexes.length && indexes[position] === indexes[position - 1]! + 1) continue
      const first = indexes[runStart]!
      const last = indexes[position - 1]! + 1
      for (const packet of await this.packetRange(first, last)) packets.push(packet)
      runStart = position
    }
    return packets
  }

  private withData(index: number, data: Uint8Array): RawPacket {
    const comment = this.comments.get(index)
    return {
      interfaceIndex: this.interfaceIndexes[index]!,
      timestampSeconds: this.seconds[index]!,
      timestampNanos: this.nanos[index]!,
      originalLength: this.originalLengths[index]!,
      data,
      ...(comment === undefined ? {} : { comment })
    }
  }

  /** Bytes the columns take, for the memory figures. */
  get columnBytes(): number {
    return this.seconds.byteLength * 4 + this.offsets.byteLength + this.interfaceIndexes.byteLength + this.flows.byteLength
  }
}

/** Who owned a flow: from the live socket table, or from a capture file's packet comment. */
interface FlowOwner {
  readonly pid: number | null
  readonly process: string | null
  /** What an exported pcapng file keeps as each packet's comment. */
  readonly comment: string | undefined
}

/** `name (pid)` for the list, or null when nobody is known. */
function ownerText(owner: FlowOwner | null): string | null {
  if (owner === null) return null
  if (owner.pid === null) return owner.process
  return `${owner.process ?? '?'} (${owner.pid})`
}

/** Reads back the comment sockscope writes (`node (pid 1234)`); any other comment is a bare name. */
function ownerFromComment(comment: string): FlowOwner {
  const match = /^(.*) \(pid (\d+)\)$/.exec(comment)
  return match ? { process: match[1]!, pid: Number(match[2]), comment } : { process: comment.slice(0, 200), pid: null, comment }
}

/** Traffic of one process, counted as packets arrive. */
interface ProcessAccount {
  readonly key: string
  readonly owner: FlowOwner | null
  readonly flows: Set<number>
  packets: number
  bytesIn: number
  bytesOut: number
  /** The latest second with traffic and the bytes of that second and of the one before it. */
  second: number
  secondIn: number
  secondOut: number
  previousIn: number
  previousOut: number
}

/** A capture being shown: its packets, conversations, throughput and per-process traffic. */
class ViewSource {
  readonly id = randomUUID()
  state: CaptureViewSource['state']
  error: string | null = null
  notes: readonly string[] = []
  stats: CaptureStatistics | null = null
  bytes = 0
  private firstSeconds: number | null = null
  private firstNanos = 0
  private lastTime: number | null = null
  private readonly conversationTable = new ConversationTable()
  private readonly conversationNumbers = new Map<string, number>()
  private readonly conversations: Conversation[] = []
  private readonly owners: Array<FlowOwner | null> = []
  private readonly processes = new Map<string, ProcessAccount>()
  /** Flows no socket was found for yet, with a packet to try again with. */
  private readonly unowned = new Map<number, PacketSummary>()
  readonly throughput: ThroughputSeries

  constructor(
    readonly kind: 'live' | 'file',
    readonly label: string,
    readonly store: PacketStore,
    /** The interfaces packets point into; a file's list grows as its blocks are read. */
    private readonly interfaceList: () => readonly CaptureInterface[],
    localAddresses: readonly string[] | undefined
  ) {
    this.state = kind === 'live' ? 'running' : 'importing'
    this.throughput = new ThroughputSeries(localAddresses === undefined ? {} : { localAddresses })
  }

  get interfaces(): readonly CaptureInterface[] {
    return this.interfaceList()
  }

  linkTypeOf(packet: RawPacket): number {
    return this.interfaceList()[packet.interfaceIndex]?.linkType ?? -1
  }

  /**
   * Stores and counts one packet. `attribution` is the live table's answer (sent or received by
   * a local process); files fall back to the packet's comment.
   */
  add(packet: RawPacket, summary: PacketSummary, attribution: { readonly owner: FlowOwner; readonly sent: boolean } | null): number {
    const conversation = this.conversationTable.add(summary)
    let flow = -1
    if (conversation !== null) {
      flow = this.conversationNumbers.get(conversation.key) ?? -1
      if (flow === -1) {
        flow = this.conversations.length
        this.conversationNumbers.set(conversation.key, flow)
        this.conversations.push(conversation)
        this.owners.push(null)
      }
      if (this.owners[flow] === null) {
        if (attribution !== null) this.owners[flow] = attribution.owner
        else if (packet.comment) this.owners[flow] = ownerFromComment(packet.comment)
        else if (!this.unowned.has(flow)) this.unowned.set(flow, summary)
      }
    }
    const index = this.store.append(packet, flow)
    this.bytes += packet.data.length
    if (this.firstSeconds === null) {
      this.firstSeconds = packet.timestampSeconds
      this.firstNanos = packet.timestampNanos
    }
    this.lastTime = packet.timestampSeconds + packet.timestampNanos / 1e9
    this.throughput.add(summary)
    const owner = flow === -1 ? null : this.owners[flow]!
    const sent = attribution?.sent ?? (conversation === null || (summary.sourceAddress === conversation.addressA && summary.sourcePort === conversation.portA))
    this.countProcess(owner, flow, packet, sent)
    return index
  }

  private countProcess(owner: FlowOwner | null, flow: number, packet: RawPacket, sent: boolean): void {
    const key = owner === null ? 'unknown' : owner.pid !== null ? `pid ${owner.pid}` : `name ${owner.process ?? ''}`
    let account = this.processes.get(key)
    if (account === undefined) {
      account = { key, owner, flows: new Set(), packets: 0, bytesIn: 0, bytesOut: 0, second: 0, secondIn: 0, secondOut: 0, previousIn: 0, previousOut: 0 }
      this.processes.set(key, account)
    }
    if (flow !== -1) account.flows.add(flow)
    const bytes = packet.originalLength
    account.packets++
    if (packet.timestampSeconds !== account.second) {
      const adjacent = packet.timestampSeconds === account.second + 1
      account.previousIn = adjacent ? account.secondIn : 0
      account.previousOut = adjacent ? account.secondOut : 0
      account.second = packet.timestampSeconds
      account.secondIn = 0
      account.secondOut = 0
    }
    if (sent) {
      account.bytesOut += bytes
      account.secondOut += bytes
    } else {
      account.bytesIn += bytes
      account.secondIn += bytes
    }
  }

  /**
   * Asks again who owns the flows nobody owned yet: a connection can open and close between two
   * socket-table reads, but the listener it talked to is usually still there on the next one.
   */
  retryOwners(lookup: (summary: PacketSummary) => FlowOwner | null): void {
    for (const [flow, summary] of this.unowned) {
      const owner = lookup(summary)
      if (owner === null) continue
      this.owners[flow] = owner
      this.unowned.delete(flow)
    }
    // Flows still unknown after a fresh read stay unknown; keep the list from growing without bound.
    if (this.unowned.size > 10_000) this.unowned.clear()
  }

  /** Seconds since the first packet. */
  relativeSeconds(packet: RawPacket): number {
    if (this.firstSeconds === null) return 0
    return packet.timestampSeconds - this.firstSeconds + (packet.timestampNanos - this.firstNanos) / 1e9
  }

  conversationCount(): number {
    return this.conversations.length
  }

  conversation(flow: number): Conversation | null {
    return this.conversations[flow] ?? null
  }

  owner(flow: number): FlowOwner | null {
    return flow < 0 ? null : (this.owners[flow] ?? null)
  }

  conversationRows(limit: number): ConversationRow[] {
    const numbered = this.conversations.map((conversation, flow) => ({ conversation, flow }))
    const busiest = numbered
      .sort((first, second) => second.conversation.bytesAToB + second.conversation.bytesBToA - (first.conversation.bytesAToB + first.conversation.bytesBToA))
      .slice(0, limit)
    return busiest.map(({ conversation, flow }) => this.conversationRow(conversation, flow))
  }

  private conversationRow(conversation: Conversation, flow: number): ConversationRow {
    const owner = this.owners[flow] ?? null
    const first = conversation.firstTimestamp
    return {
      id: String(flow),
      transport: conversation.transport ?? `ip-${conversation.ipProtocol}`,
      endpointA: endpoint(conversation.addressA, conversation.portA),
      endpointB: endpoint(conversation.addressB, conversation.portB),
      portA: conversation.portA,
      portB: conversation.portB,
      packetsAToB: conversation.packetsAToB,
      packetsBToA: conversation.packetsBToA,
      bytesAToB: conversation.bytesAToB,
      bytesBToA: conversation.bytesBToA,
      startSeconds: this.firstSeconds === null ? 0 : first.seconds - this.firstSeconds + (first.nanos - this.firstNanos) / 1e9,
      durationSeconds: conversation.durationSeconds,
      handshake: conversation.handshakeComplete || (conversation.synSeen && conversation.synAckSeen),
      fin: conversation.finFromA || conversation.finFromB,
      reset: conversation.rstSeen,
      process: ownerText(owner),
      pid: owner?.pid ?? null
    }
  }

  /** Per-process totals; rates are the last complete second before `nowSeconds` (the last packet's second when omitted). */
  processRows(nowSeconds?: number): ProcessBandwidth[] {
    const latest = Math.floor(nowSeconds ?? this.lastTime ?? 0)
    const rows: ProcessBandwidth[] = []
    for (const account of this.processes.values()) {
      // The rate is the last complete second's traffic, or nothing if the process went quiet.
      const rateIn = account.second === latest ? account.previousIn : account.second === latest - 1 ? account.secondIn : 0
      const rateOut = account.second === latest ? account.previousOut : account.second === latest - 1 ? account.secondOut : 0
      rows.push({
        key: account.key,
        process: account.owner?.process ?? null,
        pid: account.owner?.pid ?? null,
        conversations: account.flows.size,
        packets: account.packets,
        bytesIn: account.bytesIn,
        bytesOut: account.bytesOut,
        rateIn,
        rateOut
      })
    }
    return rows.sort((first, second) => second.bytesIn + second.bytesOut - (first.bytesIn + first.bytesOut))
  }

  describe(): CaptureViewSource {
    return {
      id: this.id,
      kind: this.kind,
      label: this.label,
      state: this.state,
      packets: this.store.count,
      bytes: this.bytes,
      firstTimestamp: this.firstSeconds === null ? null : this.firstSeconds + this.firstNanos / 1e9,
      lastTimestamp: this.lastTime,
      stats: this.stats,
      error: this.error,
      notes: this.notes
    }
  }
}

/** `address:port` (IPv6 bracketed), or the bare address for protocols without ports. */
function endpoint(address: string, port: number | null): string {
  return port === null ? address : formatEndpoint(address, port, address.includes(':') ? 6 : 4)
}

/** Which stored packets pass the display filter, found by scanning in slices. */
class DisplayFilter {
  private matched = new Uint32Array(1024)
  matchedCount = 0
  /** Packets tested so far, from the first. */
  scanned = 0
  scanning = false
  private cancelled = false

  constructor(
    readonly text: string,
    private readonly query: CompiledQuery<PacketSummary>
  ) {}

  get active(): boolean {
    return !this.query.matchesEverything
  }

  matchedIndexes(): Uint32Array {
    return this.matched.subarray(0, this.matchedCount)
  }

  /** Tests a packet that just arrived, unless a scan is still on its way to it. */
  offer(index: number, record: PacketSummary): void {
    if (this.scanning || index !== this.scanned) return
    this.test(index, record)
    this.scanned = index + 1
  }

  private test(index: number, record: PacketSummary): void {
    if (!this.query.matches(record)) return
    if (this.matchedCount === this.matched.length) this.matched = grown(this.matched, this.matchedCount + 1)
    this.matched[this.matchedCount++] = index
  }

  /** Tests every stored packet not tested yet, yielding to the event loop between slices. */
  async scan(source: ViewSource, record: (index: number, summary: PacketSummary) => PacketSummary, onProgress: () => void): Promise<void> {
    this.scanning = true
    try {
      while (!this.cancelled && this.scanned < source.store.count) {
        const end = Math.min(source.store.count, this.scanned + SCAN_SLICE)
        const packets = await source.store.packetRange(this.scanned, end)
        if (this.cancelled) return
        for (let offset = 0; offset < packets.length; offset++) {
          const packet = packets[offset]!
          const index = this.scanned + offset
          this.test(index, record(index, summarizePacket(packet, source.linkTypeOf(packet))))
        }
        this.scanned = end
        onProgress()
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    } finally {
      this.scanning = false
    }
  }

  cancel(): void {
    this.cancelled = true
  }
}

/** Packets a filter scan decodes between two turns of the event loop. */
const SCAN_SLICE = 8192
/** Most bytes a followed stream returns unless asked for more. */
const DEFAULT_FOLLOW_BYTES = 4 * 1024 * 1024
/** Exports kept for reading; older ones are deleted. */
const MAX_EXPORTS = 4
/** Fewest milliseconds between two pushed states. */
const STATE_INTERVAL_MS = 250

/** This machine's addresses, so throughput can tell sent from received. */
function localAddresses(): string[] {
  const addresses: string[] = []
  for (const entries of Object.values(networkInterfaces())) for (const entry of entries ?? []) addresses.push(entry.address)
  return addresses
}

interface ExportFile {
  readonly path: string
  readonly ticket: ExportTicket
}

interface ImportJob {
  readonly source: ViewSource
  readonly parser: DetectingStreamParser
  received: number
  packetCount: number
}

/** Creates the capture view domain. */
export const captureViewModule: BackendModuleFactory = (context) => {
  const directory = join(context.options.dataDirectory, 'capture-view')
  const attributor = new ProcessAttributor(context.sockets)
  let source: ViewSource | null = null
  let filter: DisplayFilter | null = null
  const imports = new Map<string, ImportJob>()
  const exports = new Map<string, ExportFile>()
  let detachLive: (() => void) | null = null
  let stateTimer: NodeJS.Timeout | null = null
  let lastStateAt = 0
  let disposed = false

  /** The summary as the filter sees it: with the flow's owner as its comment, so proc: and pid: work live too. */
  const record = (index: number, summary: PacketSummary): PacketSummary => {
    if (summary.comment !== null) return summary
    const comment = source?.owner(source.store.flowOf(index))?.comment
    return comment === undefined ? summary : { ...summary, comment }
  }

  function state(): CaptureViewState {
    const current = source
    const active = filter !== null && filter.active
    return {
      source: current?.describe() ?? null,
      filter: filter?.text ?? '',
      matched: active ? filter!.matchedCount : (current?.store.count ?? 0),
      filtering: active && filter!.scanning,
      conversations: current?.conversationCount() ?? 0
    }
  }

  /** Pushes the state now, or once the interval since the last push is over. */
  function pushState(): void {
    if (disposed || stateTimer !== null) return
    const wait = Math.max(0, lastStateAt + STATE_INTERVAL_MS - Date.now())
    stateTimer = setTimeout(() => {
      stateTimer = null
      lastStateAt = Date.now()
      context.emit('capture-view/state', state())
    }, wait)
  }

  function requireSource(): ViewSource {
    if (source === null) throw new RequestError('not-found', 'no capture is shown: start one or import a file')
    return source
  }

  /** Replaces the shown capture; the previous one's file is deleted. */
  async function show(next: ViewSource | null, detach: (() => void) | null = null): Promise<void> {
    const previous = source
    detachLive?.()
    detachLive = detach
    source = next
    filter?.cancel()
    const text = filter?.text ?? ''
    filter = null
    if (text !== '') applyFilter(text)
    pushState()
    if (previous !== null) await previous.store.bytes.dispose()
  }

  function applyFilter(text: string): ReturnType<typeof compilePacketFilter> {
    const compiled = compilePacketFilter(text)
    if (!compiled.ok) return compiled
    filter?.cancel()
    const next = new DisplayFilter(text, compiled.query)
    filter = next
    const current = source
    if (next.active && current !== null) {
      void next.scan(current, record, pushState).then(pushState, (error: unknown) => {
        current.notes = [...current.notes, `display filter stopped: ${error instanceof Error ? error.message : String(error)}`]
        pushState()
      })
    }
    return compiled
  }

  /** Stores a packet of the current source and offers it to the filter. */
  function take(target: ViewSource, packet: RawPacket, attribution: { readonly owner: FlowOwner; readonly sent: boolean } | null, summary: PacketSummary): void {
    const index = target.add(packet, summary, attribution)
    if (filter !== null && filter.active && target === source) filter.offer(index, record(index, summary))
  }

  async function newSource(kind: 'live' | 'file', label: string, interfaces: () => readonly CaptureInterface[]): Promise<ViewSource> {
    const log = await PacketByteLog.create(join(directory, `${kind}-${process.pid}-${randomUUID()}.bytes`))
    return new ViewSource(kind, label, new PacketStore(log), interfaces, kind === 'live' ? localAddresses() : undefined)
  }

  /** Follows a live capture from its first packet to its end. */
  async function watch(session: CaptureSession): Promise<void> {
    const captureInterface = session.captureInterface
    // Packets that arrive while the store file opens wait here, in order.
    const early: Array<readonly { readonly index: number; readonly packet: RawPacket }[]> = []
    const holdEarly = (items: readonly { readonly index: number; readonly packet: RawPacket }[]) => early.push(items)
    session.on('packets', holdEarly)
    const target = await newSource('live', captureInterface.name, () => [captureInterface])
    target.notes = session.opened.notes
    let storing = true
    let retrying = false
    const attribute = (summary: PacketSummary) => {
      const found = attributor.attribute(summary, summary.timestampSeconds * 1000 + summary.timestampNanos / 1e6)
      if (!found) return null
      const socket = found.socket
      return { owner: { pid: socket.pid, process: socket.process, comment: ownerComment(socket) }, sent: found.direction === 'sent' }
    }
    const receive = (items: readonly { readonly index: number; readonly packet: RawPacket }[]) => {
      if (!storing) return
      try {
        let missed = false
        for (const { packet } of items) {
          const summary = summarizePacket(packet, captureInterface.linkType)
          const attribution = attribute(summary)
          if (attribution === null) missed = true
          take(target, packet, attribution, summary)
        }
        if (missed && !retrying) {
          // A miss asked for a fresh socket table; once it is read, try the unknown flows again.
          retrying = true
          void attributor.settled().then(() => {
            retrying = false
            target.retryOwners((summary) => attribute(summary)?.owner ?? null)
            pushState()
          })
        }
      } catch (error) {
        // A full disk must not take the capture down: the view keeps what it stored and says why it stopped.
        storing = false
        target.error = `packets after ${target.store.count} could not be stored: ${error instanceof Error ? error.message : String(error)}`
      }
      pushState()
    }
    const onTick = (progress: { readonly stats: CaptureStatistics | null }) => {
      target.stats = progress.stats
      pushState()
    }
    const onEnd = (summary: { readonly stats: CaptureStatistics; readonly end: { readonly reason: string; readonly message: string | null } }) => {
      target.stats = summary.stats
      target.state = 'ended'
      if (summary.end.reason === 'error') target.error = summary.end.message ?? 'the capture failed'
      pushState()
    }
    // Switch from holding to storing with no await in between, so no batch overtakes another.
    session.off('packets', holdEarly)
    for (const items of early) receive(items)
    session.on('packets', receive)
    session.on('tick', onTick)
    session.on('end', onEnd)
    await show(target, () => {
      session.off('packets', receive)
      session.off('tick', onTick)
      session.off('end', onEnd)
    })
  }

  const stopWatching = onCaptureStarted(context, (session) => {
    void watch(session).catch((error: unknown) => {
      if (source !== null) source.notes = [...source.notes, `packets could not be stored: ${error instanceof Error ? error.message : String(error)}`]
    })
  })

  function rowFor(target: ViewSource, index: number, packet: RawPacket): PacketListRow {
    const summary = summarizePacket(packet, target.linkTypeOf(packet))
    return {
      index,
      relativeSeconds: target.relativeSeconds(packet),
      source: summary.sourceAddress ?? '',
      destination: summary.destinationAddress ?? '',
      protocol: summary.protocol,
      length: summary.originalLength,
      process: ownerText(target.owner(target.store.flowOf(index))),
      info: summary.info,
      malformed: summary.malformed !== null,
      reset: summary.tcpFlags !== null && (summary.tcpFlags & 0x004) !== 0
    }
  }

  /** Capture indexes of one conversation, in capture order. */
  function conversationIndexes(target: ViewSource, flow: number): Uint32Array {
    let indexes = new Uint32Array(256)
    let count = 0
    for (let index = 0; index < target.store.count; index++) {
      if (target.store.flowOf(index) !== flow) continue
      if (count === indexes.length) indexes = grown(indexes, count + 1)
      indexes[count++] = index
    }
    return indexes.subarray(0, count)
  }

  function parseFlow(target: ViewSource, id: string): number {
    const flow = /^\d+$/.test(id) ? Number(id) : -1
    if (target.conversation(flow) === null) throw new RequestError('not-found', `no conversation ${id} in this capture`)
    return flow
  }

  /** The capture indexes an export scope covers, or null for every packet. */
  function exportIndexes(target: ViewSource, scope: 'all' | 'filtered' | 'conversation', conversationId: string | undefined): Uint32Array | null {
    if (scope === 'all') return null
    if (scope === 'conversation') {
      if (conversationId === undefined) throw new RequestError('invalid-arguments', 'conversationId is needed to export a conversation')
      return conversationIndexes(target, parseFlow(target, conversationId))
    }
    if (filter === null || !filter.active) throw new RequestError('invalid-arguments', 'no display filter is set')
    if (filter.scanning) throw new RequestError('busy', 'the display filter is still running; export when it is done')
    return filter.matchedIndexes().slice()
  }

  /** Writes the chosen packets to a file under the data folder, with progress events. */
  async function writeExport(format: 'pcapng' | 'pcap', scope: 'all' | 'filtered' | 'conversation', conversationId: string | undefined): Promise<ExportTicket> {
    const target = requireSource()
    const indexes = exportIndexes(target, scope, conversationId)
    const total = indexes === null ? target.store.count : indexes.length
    const exportId = randomUUID()
    const path = join(directory, `export-${exportId}.${format}`)
    await mkdir(directory, { recursive: true })
    let writer: CaptureFileWriter
    try {
      writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format, interfaces: [...target.interfaces] }))
    } catch (error) {
      await rm(path, { force: true })
      throw error instanceof CaptureWriteError ? new RequestError('unsupported', error.message) : error
    }
    let lastProgressAt = 0
    try {
      for (let start = 0; start < total; start += SCAN_SLICE) {
        const end = Math.min(total, start + SCAN_SLICE)
        const slice = indexes?.subarray(start, end) ?? null
        const packets = slice === null ? await target.store.packetRange(start, end) : await target.store.packetsAt(slice)
        for (let offset = 0; offset < packets.length; offset++) {
          const packet = packets[offset]!
          const comment = format === 'pcapng' && !packet.comment ? target.owner(target.store.flowOf(slice === null ? start + offset : slice[offset]!))?.comment : undefined
          await writer.writePacket(comment === undefined ? packet : { ...packet, comment })
        }
        if (Date.now() - lastProgressAt > STATE_INTERVAL_MS || end === total) {
          lastProgressAt = Date.now()
          context.emit('capture-view/progress', { id: exportId, phase: 'writing', done: end, total })
        }
      }
      await writer.close()
    } catch (error) {
      await writer.close().catch(() => undefined)
      await rm(path, { force: true })
      throw error instanceof CaptureWriteError ? new RequestError('unsupported', error.message) : error
    }
    const size = (await stat(path)).size
    const base = target.label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture'
    const what = scope === 'conversation' ? `conversation-${conversationId}` : scope
    const ticket: ExportTicket = { exportId, fileName: `${base}-${what}.${format}`, packets: total, totalBytes: size }
    exports.set(exportId, { path, ticket })
    for (const [oldId, file] of exports) {
      if (exports.size <= MAX_EXPORTS) break
      exports.delete(oldId)
      await rm(file.path, { force: true })
    }
    return ticket
  }

  function importProgress(importId: string, job: ImportJob): ImportProgress {
    return { importId, packets: job.packetCount, bytesRead: job.received, error: job.source.error }
  }

  function requireImport(importId: string): ImportJob {
    const job = imports.get(importId)
    if (!job) throw new RequestError('not-found', `no import ${importId} under way`)
    return job
  }

  function feedImport(job: ImportJob, packets: RawPacket[]): void {
    try {
      for (const packet of packets) {
        take(job.source, packet, null, summarizePacket(packet, job.source.linkTypeOf(packet)))
        job.packetCount++
      }
    } catch (error) {
      job.source.error = `packets after ${job.packetCount} could not be stored: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  return {
    handlers: {
      'capture-view/state': () => state(),

      'capture-view/packets': async ({ start, count }) => {
        const target = source
        const current = filter
        const filterText = current?.text ?? ''
        if (target === null) return { sourceId: null, filter: filterText, start, total: 0, rows: [] }
        const active = current !== null && current.active
        const total = active ? current.matchedCount : target.store.count
        const end = Math.min(total, start + count)
        if (end <= start) return { sourceId: target.id, filter: filterText, start, total, rows: [] }
        let indexes: number[]
        let packets: RawPacket[]
        if (active) {
          indexes = Array.from(current.matchedIndexes().subarray(start, end))
          packets = await target.store.packetsAt(indexes)
        } else {
          indexes = Array.from({ length: end - start }, (_, offset) => start + offset)
          packets = await target.store.packetRange(start, end)
        }
        const rows = packets.map((packet, offset) => rowFor(target, indexes[offset]!, packet))
        return { sourceId: target.id, filter: filterText, start, total, rows }
      },

      'capture-view/set-filter': ({ filter: text }) => {
        const trimmed = text.trim()
        const compiled = applyFilter(trimmed)
        if (!compiled.ok) return { error: compiled.error, filter: filter?.text ?? '', matched: state().matched }
        pushState()
        return { error: null, filter: trimmed, matched: state().matched }
      },

      'capture-view/position-of': ({ index }) => {
        const target = requireSource()
        if (index >= target.store.count) return { position: -1 }
        if (filter === null || !filter.active) return { position: index }
        const matched = filter.matchedIndexes()
        let low = 0
        let high = matched.length - 1
        while (low <= high) {
          const middle = (low + high) >> 1
          if (matched[middle]! === index) return { position: middle }
          if (matched[middle]! < index) low = middle + 1
          else high = middle - 1
        }
        return { position: -1 }
      },

      'capture-view/packet': async ({ index }) => {
        const target = requireSource()
        if (index >= target.store.count) throw new RequestError('not-found', `packet ${index + 1} is not in this capture`)
        const packet = await target.store.packet(index)
        const tree = decodePacketTree(packet, target.linkTypeOf(packet))
        const flow = target.store.flowOf(index)
        return {
          index,
          summary: tree.summary,
          layers: tree.layers,
          data: Buffer.from(packet.data.buffer, packet.data.byteOffset, packet.data.byteLength).toString('base64'),
          process: ownerText(target.owner(flow)),
          conversationId: flow < 0 ? null : String(flow)
        }
      },

      'capture-view/conversations': ({ limit }) => {
        const target = source
        if (target === null) return { total: 0, conversations: [] }
        return { total: target.conversationCount(), conversations: target.conversationRows(limit) }
      },

      'capture-view/follow': async ({ conversationId, maxBytes }) => {
        const target = requireSource()
        const flow = parseFlow(target, conversationId)
        const conversation = target.conversation(flow)!
        if (conversation.transport !== 'tcp') throw new RequestError('unsupported', 'only TCP conversations can be followed')
        const limit = maxBytes ?? DEFAULT_FOLLOW_BYTES
        const indexes = conversationIndexes(target, flow)
        const packets: SummarizedPacket[] = []
        let payload = 0
        let cut = false
        for (let start = 0; start < indexes.length && !cut; start += SCAN_SLICE) {
          for (const packet of await target.store.packetsAt(indexes.subarray(start, start + SCAN_SLICE))) {
            const summary = summarizePacket(packet, target.linkTypeOf(packet))
            packets.push({ summary, data: packet.data })
            payload += summary.payloadLength
            if (payload > limit) {
              cut = true
              break
            }
          }
        }
        const stream = followTcpStream(packets, conversation.key)
        if (stream === null) throw new RequestError('not-found', 'no TCP segment of this conversation is stored')
        const notes: string[] = []
        if (cut) notes.push(`Only the first ${Math.round(limit / 1024)} KiB of payload are shown.`)
        if (stream.missingBytes > 0) notes.push(`${stream.missingBytes} bytes were never captured (gaps).`)
        if (stream.duplicateBytes > 0) notes.push(`${stream.duplicateBytes} retransmitted bytes are shown once.`)
        return {
          conversationId,
          client: endpoint(conversation.addressA, conversation.portA),
          server: endpoint(conversation.addressB, conversation.portB),
          clientBytes: stream.bytesAToB,
          serverBytes: stream.bytesBToA,
          chunks: stream.segments.map((segment) => ({
            fromClient: segment.direction === 'a-to-b',
            data: Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength).toString('base64')
          })),
          notes
        }
      },

      'capture-view/throughput': ({ fromTime }) => source?.throughput.points().filter((point) => point.time >= fromTime) ?? [],

      // A running capture's rates follow the clock, so a process that went quiet drops to zero.
      'capture-view/processes': () => source?.processRows(source.state === 'running' ? Date.now() / 1000 : undefined) ?? [],

      'capture-view/export-start': ({ format, scope, conversationId }) => writeExport(format, scope, conversationId),

      'capture-view/export-read': async ({ exportId, offset }) => {
        const file = exports.get(exportId)
        if (!file) throw new RequestError('not-found', `no export ${exportId}; it was closed or replaced`)
        const size = file.ticket.totalBytes
        if (offset > size) throw new RequestError('invalid-arguments', `offset ${offset} is past the end (${size} bytes)`)
        const length = Math.min(EXPORT_CHUNK_BYTES, size - offset)
        const buffer = Buffer.alloc(length)
        const handle = await open(file.path, 'r')
        try {
          const { bytesRead } = await handle.read(buffer, 0, length, offset)
          return { offset, data: buffer.subarray(0, bytesRead).toString('base64'), done: offset + bytesRead >= size }
        } finally {
          await handle.close()
        }
      },

      'capture-view/export-close': async ({ exportId }) => {
        const file = exports.get(exportId)
        if (!file) return { closed: false }
        exports.delete(exportId)
        await rm(file.path, { force: true })
        return { closed: true }
      },

      'capture-view/import-begin': async ({ fileName }) => {
        const parser = new DetectingStreamParser()
        // The parser learns the interfaces as it reads, so the source asks it every time.
        const target = await newSource('file', fileName, () => parser.interfaces)
        const job: ImportJob = { source: target, parser, received: 0, packetCount: 0 }
        const importId = randomUUID()
        imports.clear()
        imports.set(importId, job)
        await show(target)
        return importProgress(importId, job)
      },

      'capture-view/import-chunk': ({ importId, offset, data }) => {
        const job = requireImport(importId)
        if (offset !== job.received) throw new RequestError('invalid-arguments', `expected the bytes at offset ${job.received}, got ${offset}`)
        const bytes = Buffer.from(data, 'base64')
        if (job.source.error === null) {
          const packets: RawPacket[] = []
          let error: string | null
          try {
            error = job.parser.feed(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), packets)?.message ?? null
          } catch (thrown) {
            error = `unreadable capture data (${thrown instanceof Error ? thrown.message : String(thrown)}) at byte offset ${job.parser.offset}`
          }
          feedImport(job, packets)
          if (error !== null) job.source.error = error
        }
        job.received += bytes.length
        pushState()
        return importProgress(importId, job)
      },

      'capture-view/import-end': ({ importId }) => {
        const job = requireImport(importId)
        imports.delete(importId)
        if (job.source.error === null) {
          const error = job.parser.finish()
          if (error !== null) job.source.error = error.message
        }
        job.source.state = 'imported'
        pushState()
        return importProgress(importId, job)
      },

      'capture-view/clear': async () => {
        await show(null)
        return state()
      }
    },
    async dispose() {
      disposed = true
      stopWatching()
      if (stateTimer !== null) clearTimeout(stateTimer)
      filter?.cancel()
      detachLive?.()
      await source?.store.bytes.dispose()
      source = null
      for (const file of exports.values()) await rm(file.path, { force: true })
      exports.clear()
      imports.clear()
    }
  }
}
