/**
 * The capture on show, live or imported: its packets in a {@link PacketStore}, plus what is
 * counted once as each packet arrives (conversations and their owners, throughput, per-process
 * bandwidth). Each packet comes in already decoded; nothing decoded is kept per packet, so
 * rows and details are decoded again from the stored bytes when asked for.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { CaptureStatistics } from '../../../../shared/model/capture'
import type { CaptureViewSource, ConversationRow, PacketDetails, PacketListRow, ProcessBandwidth } from '../../../../shared/model/capture-view'
import { RequestError } from '../../../../shared/contract/envelope'
import { TCP_FLAG, type Conversation, type DecodedLayer, type PacketSummary } from '../../../../shared/model/decoded-packet'
import { tcpAnalysisSeverity, tcpAnalysisText } from '../../../../shared/model/tcp-analysis'
import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import { ConversationTable, endpointText } from '../analysis/conversations'
import { TcpAnalyzer } from '../analysis/tcp-analysis'
import { ThroughputSeries } from '../analysis/throughput'
import { decodePacketTree, summarizePacket } from '../decode/packet-decoder'
import { PacketHeaders } from '../decode/header-scan'
import type { PacketAttribution } from '../process-attribution'
import { FlowOwners, ownerFromAttribution, ownerFromComment, ownerText, sentByOwner, type FlowOwner } from './flow-owner'
import { PacketAnalysisColumns } from './packet-analysis-columns'
import { PacketByteLog } from './packet-byte-log'
import { PacketFilterColumns, type ColumnPacketRecord } from './packet-filter-columns'
import { PacketStore } from './packet-store'
import { ProcessBandwidthTable } from './process-bandwidth'

/** Where the shown capture came from. */
export type ShownCaptureKind = CaptureViewSource['kind']

/** A capture being shown. Create one with {@link ShownCapture.create}. */
export class ShownCapture {
  readonly id = randomUUID()
  state: CaptureViewSource['state']
  error: string | null = null
  notes: readonly string[] = []
  stats: CaptureStatistics | null = null
  private bytes = 0
  private firstSeconds: number | null = null
  private firstNanos = 0
  private lastTime: number | null = null
  /** Conversations by flow number, in columns: a file with a million of them stays compact. */
  private readonly conversations = new ConversationTable()
  private readonly owners = new FlowOwners()
  private readonly processes = new ProcessBandwidthTable()
  /** TCP analysis, run once per packet as it arrives; its findings are kept per packet. */
  private readonly analyzer = new TcpAnalyzer()
  private readonly analysis = new PacketAnalysisColumns()
  /** The fields most filters test, per packet, so a scan decodes only what they cannot answer. */
  private readonly filterColumns = new PacketFilterColumns()
  /** The record a decoded summary is read into. */
  private readonly scratch = new PacketHeaders()
  readonly throughput: ThroughputSeries

  private constructor(
    readonly kind: ShownCaptureKind,
    readonly label: string,
    readonly store: PacketStore,
    /** The interfaces packets point into; a file's list grows as its blocks are read. */
    private readonly interfaceList: () => readonly CaptureInterface[],
    localAddresses: readonly string[] | undefined
  ) {
    this.state = kind === 'live' ? 'running' : 'importing'
    this.throughput = new ThroughputSeries(localAddresses === undefined ? {} : { localAddresses })
  }

  /**
   * Opens an empty capture whose bytes go to a new file in `directory`. `localAddresses` lets
   * throughput tell sent from received on a live capture; without them the conversation decides.
   */
  static async create(
    kind: ShownCaptureKind,
    label: string,
    directory: string,
    interfaceList: () => readonly CaptureInterface[],
    localAddresses?: readonly string[]
  ): Promise<ShownCapture> {
    const bytes = await PacketByteLog.create(join(directory, `${kind}-${process.pid}-${randomUUID()}.bytes`))
    return new ShownCapture(kind, label, new PacketStore(bytes), interfaceList, localAddresses)
  }

  get interfaces(): readonly CaptureInterface[] {
    return this.interfaceList()
  }

  /** The LINKTYPE_* of the packet's interface, -1 when the file never declared it. */
  linkTypeOf(packet: Pick<RawPacket, 'interfaceIndex'>): number {
    return this.interfaceList()[packet.interfaceIndex]?.linkType ?? -1
  }

  /**
   * Stores and counts one packet, decoded by the caller. `attribution` is the live socket
   * table's answer; a file's packets have none and fall back to their comment. Returns the
   * packet's index.
   */
  add(packet: RawPacket, summary: PacketSummary, attribution: PacketAttribution | null): number {
    const headers = this.scratch.fromSummary(summary)
    const flow = this.conversations.addHeaders(headers)
    // Packets outside any conversation count as sent by the side that spoke first.
    const fromA = flow < 0 || this.conversations.lastFromA
    if (flow >= 0) this.learnOwner(flow, fromA, packet.comment, attribution)
    headers.index = this.store.append(packet, flow)
    // A live capture knows this machine's addresses, which tell sent from received better than who spoke first.
    const outgoing = this.throughput.knowsLocalAddresses ? this.throughput.isOutgoing(summary) : fromA
    return this.count(headers, flow, fromA, outgoing)
  }

  /**
   * Stores and counts one packet of a file, read into `headers` (see readRecordHeaders) while
   * its bytes still sit in the file's `buffer` from `start`: nothing is decoded to text and no
   * object is made for it. Returns the packet's index.
   */
  addRecord(buffer: Uint8Array, start: number, headers: PacketHeaders): number {
    const flow = this.conversations.addHeaders(headers)
    const fromA = flow < 0 || this.conversations.lastFromA
    if (flow >= 0 && headers.comment !== null) this.learnOwner(flow, fromA, headers.comment, null)
    headers.index = this.store.appendRecord(buffer, start, headers, flow)
    return this.count(headers, flow, fromA, fromA)
  }

  /** What every stored packet adds up to: analysis, filter columns, totals, throughput and per-process traffic. */
  private count(headers: PacketHeaders, flow: number, fromA: boolean, outgoing: boolean): number {
    const index = headers.index
    if (this.analyzer.addHeaders(flow, fromA, headers)) this.analysis.record(index, this.analyzer)
    this.filterColumns.record(index, headers)
    this.bytes += headers.capturedLength
    const seconds = headers.timestampSeconds
    if (this.firstSeconds === null) {
      this.firstSeconds = seconds
      this.firstNanos = headers.timestampNanos
    }
    this.lastTime = seconds + headers.timestampNanos / 1e9
    this.throughput.addPacket(seconds, headers.timestampNanos, headers.originalLength, outgoing)
    const owner = this.owner(flow)
    this.processes.count(owner, flow, seconds, headers.originalLength, owner === null ? fromA : sentByOwner(owner, fromA))
    return index
  }

  /** Offers the flow the owner this packet names: the live socket table's, or a file's comment. */
  private learnOwner(flow: number, fromA: boolean, comment: string | undefined | null, attribution: PacketAttribution | null): void {
    if (this.owners.confirmed(flow)) return
    const found = attribution !== null ? ownerFromAttribution(attribution, fromA) : comment ? ownerFromComment(comment) : null
    if (found !== null) this.owners.offer(flow, found)
  }

  /** The TCP analysis findings of the packet at `index` (TCP_ANALYSIS bits; 0 for none). */
  analysisFlagsOf(index: number): number {
    return this.analysis.flagsOf(index)
  }

  /** The owner of a conversation, or null. */
  owner(flow: number): FlowOwner | null {
    return this.owners.get(flow)
  }

  /**
   * The summary as the display filter sees it: with the flow's owner as its comment, so proc:
   * and pid: work live too, and with the TCP analysis findings, for analysis:.
   */
  filterRecord(index: number, summary: PacketSummary): PacketSummary {
    const flags = this.analysis.flagsOf(index)
    const comment = summary.comment === null ? this.owner(this.store.flowOf(index))?.comment : undefined
    if (comment === undefined) return flags === 0 ? summary : { ...summary, tcpAnalysis: flags }
    return flags === 0 ? { ...summary, comment } : { ...summary, comment, tcpAnalysis: flags }
  }

  /** A record of the filter columns, for a display filter's scan over stored packets (see ColumnPacketRecord). */
  filterView(): ColumnPacketRecord {
    return this.filterColumns.view(this.store, this.analysis, (index) => this.owner(this.store.flowOf(index))?.comment)
  }

  /** Seconds since the first packet. */
  relativeSeconds(packet: RawPacket): number {
    if (this.firstSeconds === null) return 0
    return packet.timestampSeconds - this.firstSeconds + (packet.timestampNanos - this.firstNanos) / 1e9
  }

  /** The packet-list line of a stored packet, decoded again from its bytes. */
  row(index: number, packet: RawPacket): PacketListRow {
    const summary = summarizePacket(packet, this.linkTypeOf(packet))
    const flow = this.store.flowOf(index)
    const owner = this.owner(flow)
    const found = this.analysis.segment(index)
    return {
      index,
      relativeSeconds: this.relativeSeconds(packet),
      source: summary.sourceAddress ?? '',
      destination: summary.destinationAddress ?? '',
      transport: summary.transport,
      sourcePort: summary.sourcePort,
      destinationPort: summary.destinationPort,
      protocol: summary.protocol,
      length: summary.originalLength,
      process: ownerText(owner),
      pid: owner?.pid ?? null,
      direction: owner === null ? null : sentByOwner(owner, this.conversations.directionOf(flow, summary) === 'a-to-b') ? 'sent' : 'received',
      info: summary.info,
      malformed: summary.malformed !== null,
      reset: summary.tcpFlags !== null && (summary.tcpFlags & TCP_FLAG.RST) !== 0,
      expert: tcpAnalysisText(found.flags, found.duplicateAckNumber),
      expertSeverity: tcpAnalysisSeverity(found.flags),
      ackRttSeconds: found.ackRttSeconds
    }
  }

  /** One stored packet in full: every layer and its bytes. */
  async details(index: number): Promise<PacketDetails> {
    if (index >= this.store.count) throw new RequestError('not-found', `packet ${index + 1} is not in this capture`)
    const packet = await this.store.packet(index)
    const tree = decodePacketTree(packet, this.linkTypeOf(packet))
    const flow = this.store.flowOf(index)
    return {
      index,
      summary: tree.summary,
      layers: this.withAnalysis(index, tree.layers),
      data: Buffer.from(packet.data.buffer, packet.data.byteOffset, packet.data.byteLength).toString('base64'),
      process: ownerText(this.owner(flow)),
      conversationId: flow < 0 ? null : String(flow)
    }
  }

  /** The layers with the TCP analysis findings added under TCP, as generated fields. */
  private withAnalysis(index: number, layers: readonly DecodedLayer[]): readonly DecodedLayer[] {
    const field = this.analysis.treeField(index)
    if (field === null) return layers
    return layers.map((layer) => (layer.kind === 'tcp' ? { ...layer, fields: [...layer.fields, field] } : layer))
  }

  conversationCount(): number {
    return this.conversations.size
  }

  /** Conversation `flow` as an object, or null when there is none. */
  conversation(flow: number): Conversation | null {
    return this.conversations.conversation(flow)
  }

  /** The conversation number a client's conversation id names; 'not-found' when there is none. */
  flowOfConversationId(id: string): number {
    const flow = /^\d+$/.test(id) ? Number(id) : -1
    if (this.conversation(flow) === null) throw new RequestError('not-found', `no conversation ${id} in this capture`)
    return flow
  }

  /** The `limit` busiest conversations (by bytes both ways), busiest first. */
  conversationRows(limit: number): ConversationRow[] {
    return this.conversations.busiest(limit).map((flow) => this.conversationRow(flow))
  }

  private conversationRow(flow: number): ConversationRow {
    const conversation = this.conversations.conversationAt(flow)
    const owner = this.owner(flow)
    const first = conversation.firstTimestamp
    return {
      id: String(flow),
      transport: conversation.transport ?? `ip-${conversation.ipProtocol}`,
      endpointA: endpointText(conversation.addressA, conversation.portA),
      endpointB: endpointText(conversation.addressB, conversation.portB),
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
      pid: owner?.pid ?? null,
      tcpAnalysis: this.analyzer.conversation(flow)
    }
  }

  /** Per-process totals; rates are the last complete second before `nowSeconds` (the last packet's second when omitted). */
  processRows(nowSeconds?: number): ProcessBandwidth[] {
    return this.processes.rows(nowSeconds ?? this.lastTime ?? 0)
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

  /** Deletes the stored bytes. */
  async dispose(): Promise<void> {
    await this.store.bytes.dispose()
  }
}
