/**
 * The mutable state one packet's decode fills in. The summary fast path reuses one instance
 * for every packet, so decoding a long list allocates little more than the summaries.
 */

import type { DnsMessage, HttpStartLine, LayerKind, MalformedInfo, PacketSummary, TcpOptions, TlsHandshakeInfo, TransportProtocol } from '../../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../../shared/model/packet'
import { macText } from './address-text'
import type { PacketTreeBuilder } from './packet-tree-builder'

/** What the decoders learn about one packet. */
export class DecodeState {
  data: Uint8Array = new Uint8Array(0)
  /** Bytes captured: decoders never read at or past this offset. */
  captured = 0
  /** True when the snaplen cut the frame, so lengths pointing past the data are expected. */
  cutBySnaplen = false
  tree: PacketTreeBuilder | null = null

  protocol = ''
  info = ''
  ipVersion: 4 | 6 | null = null
  sourceAddress: string | null = null
  destinationAddress: string | null = null
  ipProtocol: number | null = null
  transport: TransportProtocol | null = null
  sourcePort: number | null = null
  destinationPort: number | null = null
  tcpFlags: number | null = null
  tcpSequence: number | null = null
  tcpAcknowledgment: number | null = null
  tcpWindow: number | null = null
  tcpWindowScale: number | null = null
  icmpType: number | null = null
  icmpCode: number | null = null
  payloadOffset = 0
  payloadLength = 0
  fragment = false
  malformed: MalformedInfo | null = null

  /** Link-layer addresses, formatted only when no IP address replaces them. */
  linkSourceOffset = -1
  linkDestinationOffset = -1
  linkAddressLength = 0

  tcpOptions: TcpOptions | null = null
  dns: DnsMessage | null = null
  tls: TlsHandshakeInfo | null = null
  http: HttpStartLine | null = null

  /** Clears everything for the next packet. */
  reset(packet: RawPacket, tree: PacketTreeBuilder | null): void {
    this.data = packet.data
    this.captured = packet.data.length
    this.cutBySnaplen = packet.originalLength > packet.data.length
    this.tree = tree
    this.protocol = ''
    this.info = ''
    this.ipVersion = null
    this.sourceAddress = null
    this.destinationAddress = null
    this.ipProtocol = null
    this.transport = null
    this.sourcePort = null
    this.destinationPort = null
    this.tcpFlags = null
    this.tcpSequence = null
    this.tcpAcknowledgment = null
    this.tcpWindow = null
    this.tcpWindowScale = null
    this.icmpType = null
    this.icmpCode = null
    this.payloadOffset = 0
    this.payloadLength = 0
    this.fragment = false
    this.malformed = null
    this.linkSourceOffset = -1
    this.linkDestinationOffset = -1
    this.linkAddressLength = 0
    this.tcpOptions = null
    this.dns = null
    this.tls = null
    this.http = null
  }

  /** Records the first problem found; later ones are consequences of it. */
  markMalformed(layer: LayerKind, message: string, offset: number): void {
    if (this.malformed === null) this.malformed = { layer, message, offset }
  }

  /**
   * True when a `length`-byte header of the current protocol fits at `offset` (captured, and
   * before `end`); otherwise marks the packet malformed with a "Truncated … header" info line.
   */
  headerFits(layer: LayerKind, offset: number, length: number, end = this.captured): boolean {
    if (this.has(offset, length) && offset + length <= end) return true
    this.markMalformed(layer, `${this.protocol} header truncated`, offset)
    this.info = `Truncated ${this.protocol} header`
    return false
  }

  /** True when `length` bytes from `offset` were captured. */
  has(offset: number, length: number): boolean {
    return offset >= 0 && offset + length <= this.captured
  }

  /** The flat summary of what was decoded. */
  toSummary(packet: RawPacket, linkType: number): PacketSummary {
    let sourceAddress = this.sourceAddress
    let destinationAddress = this.destinationAddress
    if (sourceAddress === null && this.linkSourceOffset >= 0) sourceAddress = macText(this.data, this.linkSourceOffset, this.linkAddressLength)
    if (destinationAddress === null && this.linkDestinationOffset >= 0) {
      destinationAddress = macText(this.data, this.linkDestinationOffset, this.linkAddressLength)
    }
    return {
      interfaceIndex: packet.interfaceIndex,
      timestampSeconds: packet.timestampSeconds,
      timestampNanos: packet.timestampNanos,
      capturedLength: packet.data.length,
      originalLength: packet.originalLength,
      linkType,
      protocol: this.protocol,
      info: this.info,
      ipVersion: this.ipVersion,
      sourceAddress,
      destinationAddress,
      ipProtocol: this.ipProtocol,
      transport: this.transport,
      sourcePort: this.sourcePort,
      destinationPort: this.destinationPort,
      tcpFlags: this.tcpFlags,
      tcpSequence: this.tcpSequence,
      tcpAcknowledgment: this.tcpAcknowledgment,
      tcpWindow: this.tcpWindow,
      tcpWindowScale: this.tcpWindowScale,
      icmpType: this.icmpType,
      icmpCode: this.icmpCode,
      payloadOffset: this.payloadOffset,
      payloadLength: this.payloadLength,
      fragment: this.fragment,
      malformed: this.malformed,
      comment: packet.comment ?? null
    }
  }
}
