/**
 * The fields the display filter asks most, kept per stored packet in typed-array columns filled
 * once at import: transport, protocol name, IP version, ports, TCP flags, fragment and malformed
 * marks (about nine bytes a packet). A filter runs first on a {@link ColumnPacketRecord}, a view
 * of one row of these columns; only a packet whose test touched a field the columns do not hold
 * (the info line, an address…) is read back from the file and decoded. `lport:40007` over a
 * million packets then never reads a byte of them.
 */
import type { LayerKind, MalformedInfo, PacketSummary, TransportProtocol } from '../../../../shared/model/decoded-packet'
import { grown } from '../typed-array-growth'
import type { PacketHeaders } from '../decode/header-scan'
import type { PacketAnalysisColumns } from './packet-analysis-columns'
import type { PacketStore } from './packet-store'

/** Transports by the number the columns store (0: none). */
const TRANSPORTS: readonly (TransportProtocol | null)[] = [null, 'tcp', 'udp', 'icmp', 'icmpv6']

/** Bits of the `marks` column. */
const MARK = {
  IPV4: 1,
  IPV6: 2,
  FRAGMENT: 4,
  MALFORMED: 8,
  PORTS: 16,
  TCP_FLAGS: 32
} as const

/** What a malformed packet's record says before it is decoded: only that it is malformed. */
const MALFORMED_UNREAD: MalformedInfo = { layer: 'data' as LayerKind, message: 'malformed', offset: 0 }

/** Per-packet filter columns of the shown capture. */
export class PacketFilterColumns {
  private transports = new Uint8Array(1024)
  private marks = new Uint8Array(1024)
  private protocols = new Uint8Array(1024)
  private sourcePorts = new Uint16Array(1024)
  private destinationPorts = new Uint16Array(1024)
  private tcpFlags = new Uint16Array(1024)
  /** Protocol column texts, numbered in the order first seen; past 255 of them, a packet's protocol is read by decoding. */
  private readonly protocolNames: string[] = []
  private readonly protocolNumbers = new Map<string, number>()
  private lastProtocolName: string | null = null
  private lastProtocolNumber = 0

  /** Fills row `index` from the packet's headers (scanned or decoded). */
  record(index: number, headers: PacketHeaders): void {
    if (index >= this.transports.length) {
      this.transports = grown(this.transports, index + 1)
      this.marks = grown(this.marks, index + 1)
      this.protocols = grown(this.protocols, index + 1)
      this.sourcePorts = grown(this.sourcePorts, index + 1)
      this.destinationPorts = grown(this.destinationPorts, index + 1)
      this.tcpFlags = grown(this.tcpFlags, index + 1)
    }
    this.transports[index] = Math.max(0, TRANSPORTS.indexOf(headers.transport))
    let marks = headers.ipVersion === 4 ? MARK.IPV4 : headers.ipVersion === 6 ? MARK.IPV6 : 0
    if (headers.fragment) marks |= MARK.FRAGMENT
    if (headers.malformed !== null) marks |= MARK.MALFORMED
    if (headers.sourcePort >= 0 && headers.destinationPort >= 0) {
      marks |= MARK.PORTS
      this.sourcePorts[index] = headers.sourcePort
      this.destinationPorts[index] = headers.destinationPort
    }
    if (headers.tcpFlags >= 0) {
      marks |= MARK.TCP_FLAGS
      this.tcpFlags[index] = headers.tcpFlags
    }
    this.marks[index] = marks
    this.protocols[index] = this.protocolNumber(headers.protocol)
  }

  /** The protocol's number plus one, 0 when the table is full. */
  private protocolNumber(name: string): number {
    // Runs of one protocol are the rule: the number of the last name needs no lookup.
    if (name === this.lastProtocolName) return this.lastProtocolNumber
    const number = this.lookUpProtocol(name)
    this.lastProtocolName = name
    this.lastProtocolNumber = number
    return number
  }

  private lookUpProtocol(name: string): number {
    const known = this.protocolNumbers.get(name)
    if (known !== undefined) return known
    if (this.protocolNames.length >= 255) return 0
    this.protocolNames.push(name)
    this.protocolNumbers.set(name, this.protocolNames.length)
    return this.protocolNames.length
  }

  /** A record that reads row by row from these columns; move it with {@link ColumnPacketRecord.moveTo}. */
  view(store: PacketStore, analysis: PacketAnalysisColumns, ownerComment: (index: number) => string | undefined): ColumnPacketRecord {
    return new ColumnPacketRecord(this, store, analysis, ownerComment)
  }

  /** Column reads for the record; `index` is always a stored packet. */
  transportAt(index: number): TransportProtocol | null {
    return TRANSPORTS[this.transports[index] ?? 0] ?? null
  }
  marksAt(index: number): number {
    return this.marks[index] ?? 0
  }
  protocolAt(index: number): string | null {
    const number = this.protocols[index] ?? 0
    return number === 0 ? null : (this.protocolNames[number - 1] ?? null)
  }
  sourcePortAt(index: number): number {
    return this.sourcePorts[index] ?? 0
  }
  destinationPortAt(index: number): number {
    return this.destinationPorts[index] ?? 0
  }
  tcpFlagsAt(index: number): number {
    return this.tcpFlags[index] ?? 0
  }
}

/**
 * One stored packet as the filter sees it, read from the columns. A field the columns do not
 * hold sets {@link needsDecode} and answers a neutral value: the caller then throws the result
 * away and tests the decoded packet instead.
 */
export class ColumnPacketRecord implements PacketSummary {
  private index = 0
  /** Set when the last test read a field only decoding gives. */
  needsDecode = false

  constructor(
    private readonly columns: PacketFilterColumns,
    private readonly store: PacketStore,
    private readonly analysis: PacketAnalysisColumns,
    private readonly ownerComment: (index: number) => string | undefined
  ) {}

  /** Points the record at stored packet `index` and clears {@link needsDecode}. */
  moveTo(index: number): this {
    this.index = index
    this.needsDecode = false
    return this
  }

  private undecoded<T>(neutral: T): T {
    this.needsDecode = true
    return neutral
  }

  get interfaceIndex(): number {
    return this.undecoded(0)
  }
  get timestampSeconds(): number {
    return this.undecoded(0)
  }
  get timestampNanos(): number {
    return this.undecoded(0)
  }
  get capturedLength(): number {
    return this.undecoded(0)
  }
  get originalLength(): number {
    return this.store.originalLengthOf(this.index)
  }
  get linkType(): number {
    return this.undecoded(-1)
  }
  get protocol(): string {
    return this.columns.protocolAt(this.index) ?? this.undecoded('')
  }
  get info(): string {
    return this.undecoded('')
  }
  get ipVersion(): 4 | 6 | null {
    const marks = this.columns.marksAt(this.index)
    return (marks & MARK.IPV4) !== 0 ? 4 : (marks & MARK.IPV6) !== 0 ? 6 : null
  }
  get sourceAddress(): string | null {
    return this.undecoded(null)
  }
  get destinationAddress(): string | null {
    return this.undecoded(null)
  }
  get ipProtocol(): number | null {
    return this.undecoded(null)
  }
  get transport(): TransportProtocol | null {
    return this.columns.transportAt(this.index)
  }
  get sourcePort(): number | null {
    return (this.columns.marksAt(this.index) & MARK.PORTS) !== 0 ? this.columns.sourcePortAt(this.index) : null
  }
  get destinationPort(): number | null {
    return (this.columns.marksAt(this.index) & MARK.PORTS) !== 0 ? this.columns.destinationPortAt(this.index) : null
  }
  get tcpFlags(): number | null {
    return (this.columns.marksAt(this.index) & MARK.TCP_FLAGS) !== 0 ? this.columns.tcpFlagsAt(this.index) : null
  }
  get tcpSequence(): number | null {
    return this.undecoded(null)
  }
  get tcpAcknowledgment(): number | null {
    return this.undecoded(null)
  }
  get tcpWindow(): number | null {
    return this.undecoded(null)
  }
  get tcpWindowScale(): number | null {
    return this.undecoded(null)
  }
  get icmpType(): number | null {
    return this.undecoded(null)
  }
  get icmpCode(): number | null {
    return this.undecoded(null)
  }
  get payloadOffset(): number {
    return this.undecoded(0)
  }
  get payloadLength(): number {
    return this.undecoded(0)
  }
  get fragment(): boolean {
    return (this.columns.marksAt(this.index) & MARK.FRAGMENT) !== 0
  }
  get malformed(): MalformedInfo | null {
    // Whether it is malformed is known; what is wrong with it only decoding says.
    return (this.columns.marksAt(this.index) & MARK.MALFORMED) !== 0 ? this.undecoded(MALFORMED_UNREAD) : null
  }
  get comment(): string | null {
    return this.store.commentOf(this.index) ?? this.ownerComment(this.index) ?? null
  }
  get tcpAnalysis(): number {
    return this.analysis.flagsOf(this.index)
  }
}
