/**
 * The conversation (flow) table: every IP 5-tuple, both directions folded into one entry,
 * with packets and bytes each way, timing and TCP connection milestones. Incremental, so a
 * live capture can feed it packet by packet.
 */

import {
  TCP_FLAG,
  packetTimestamp,
  secondsBetween,
  type Conversation,
  type FlowDirection,
  type PacketSummary,
  type TransportProtocol
} from '../../../../shared/model/decoded-packet'
import { formatHostPort } from '../../../../shared/format/socket-text'

/** A conversation while it is being counted. */
type ConversationRecord = {
  -readonly [Field in keyof Conversation]: Conversation[Field]
}

/** A conversation end as text (in keys and tables): `address` or `address:port`, with IPv6 bracketed when a port follows. */
export function endpointText(address: string, port: number | null): string {
  return port === null ? address : formatHostPort(address, port)
}

/**
 * The direction-independent key of a packet's flow, or null for packets without an IP layer.
 * Both directions give the same key: the lower endpoint (as text) comes first.
 */
export function conversationKey(summary: PacketSummary): string | null {
  if (summary.ipProtocol === null || summary.sourceAddress === null || summary.destinationAddress === null || summary.ipVersion === null) {
    return null
  }
  const source = endpointText(summary.sourceAddress, summary.sourcePort)
  const destination = endpointText(summary.destinationAddress, summary.destinationPort)
  return source <= destination
    ? `${summary.ipProtocol} ${source} ${destination}`
    : `${summary.ipProtocol} ${destination} ${source}`
}

/** Which way a packet of the conversation went. */
export function directionOf(conversation: Conversation, summary: PacketSummary): FlowDirection {
  return summary.sourceAddress === conversation.addressA && summary.sourcePort === conversation.portA ? 'a-to-b' : 'b-to-a'
}

/** Counts packets into conversations. */
export class ConversationTable {
  private readonly records = new Map<string, ConversationRecord>()

  /** Number of conversations. */
  get size(): number {
    return this.records.size
  }

  /** Counts a packet; returns its conversation, or null for a packet without an IP layer. */
  add(summary: PacketSummary): Conversation | null {
    const key = conversationKey(summary)
    if (key === null) return null
    let record = this.records.get(key)
    if (record === undefined) {
      record = newRecord(key, summary)
      this.records.set(key, record)
    }
    count(record, summary)
    return record
  }

  /** The conversation with this key. */
  get(key: string): Conversation | undefined {
    return this.records.get(key)
  }

  /** Every conversation, in the order each was first seen. */
  list(): Conversation[] {
    return [...this.records.values()]
  }
}

/** The conversations of a list of packets. */
export function buildConversations(summaries: Iterable<PacketSummary>): Conversation[] {
  const table = new ConversationTable()
  for (const summary of summaries) table.add(summary)
  return table.list()
}

function isSynAck(summary: PacketSummary): boolean {
  const flags = summary.tcpFlags ?? 0
  return (flags & TCP_FLAG.SYN) !== 0 && (flags & TCP_FLAG.ACK) !== 0
}

function newRecord(key: string, summary: PacketSummary): ConversationRecord {
  // A capture that starts at the SYN-ACK still names the connecting side A.
  const swap = isSynAck(summary)
  const timestamp = packetTimestamp(summary)
  return {
    key,
    ipProtocol: summary.ipProtocol!,
    transport: summary.transport ?? transportOfProtocol(summary.ipProtocol!),
    addressA: swap ? summary.destinationAddress! : summary.sourceAddress!,
    portA: swap ? summary.destinationPort : summary.sourcePort,
    addressB: swap ? summary.sourceAddress! : summary.destinationAddress!,
    portB: swap ? summary.sourcePort : summary.destinationPort,
    packetsAToB: 0,
    packetsBToA: 0,
    bytesAToB: 0,
    bytesBToA: 0,
    payloadBytesAToB: 0,
    payloadBytesBToA: 0,
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    durationSeconds: 0,
    synSeen: false,
    synAckSeen: false,
    handshakeComplete: false,
    finFromA: false,
    finFromB: false,
    rstSeen: false,
    comment: null
  }
}

function transportOfProtocol(protocol: number): TransportProtocol | null {
  return protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 1 ? 'icmp' : protocol === 58 ? 'icmpv6' : null
}

function count(record: ConversationRecord, summary: PacketSummary): void {
  const fromA = directionOf(record, summary) === 'a-to-b'
  if (fromA) {
    record.packetsAToB += 1
    record.bytesAToB += summary.originalLength
    record.payloadBytesAToB += summary.payloadLength
  } else {
    record.packetsBToA += 1
    record.bytesBToA += summary.originalLength
    record.payloadBytesBToA += summary.payloadLength
  }
  const timestamp = packetTimestamp(summary)
  if (secondsBetween(record.firstTimestamp, timestamp) < 0) record.firstTimestamp = timestamp
  if (secondsBetween(record.lastTimestamp, timestamp) > 0) record.lastTimestamp = timestamp
  record.durationSeconds = secondsBetween(record.firstTimestamp, record.lastTimestamp)
  if (record.comment === null && summary.comment !== null) record.comment = summary.comment
  const flags = summary.tcpFlags
  if (flags === null) return
  const syn = (flags & TCP_FLAG.SYN) !== 0
  const ack = (flags & TCP_FLAG.ACK) !== 0
  if (syn && !ack && fromA) record.synSeen = true
  else if (syn && ack && !fromA && record.synSeen) record.synAckSeen = true
  else if (!syn && ack && fromA && record.synAckSeen) record.handshakeComplete = true
  if ((flags & TCP_FLAG.FIN) !== 0) {
    if (fromA) record.finFromA = true
    else record.finFromB = true
  }
  if ((flags & TCP_FLAG.RST) !== 0) record.rstSeen = true
}
