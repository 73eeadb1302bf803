/**
 * The conversation (flow) table: every IP 5-tuple, both directions folded into one entry,
 * with packets and bytes each way, timing and TCP connection milestones. Incremental, so a
 * live capture can feed it packet by packet.
 *
 * Conversations are numbered in the order they were first seen (the flow number) and kept in
 * typed-array columns indexed by that number, with addresses stored once each: a file with a
 * million conversations costs about a hundred bytes per conversation, not a million objects.
 * A {@link Conversation} object is built only when one is asked for.
 */

import { TCP_FLAG, secondsBetween, type Conversation, type FlowDirection, type PacketSummary, type TransportProtocol } from '../../../../shared/model/decoded-packet'
import { elementAt } from '../../../../shared/element-at'
import { formatHostPort } from '../../../../shared/format/socket-text'
import { grown } from '../typed-array-growth'
import { PacketHeaders } from '../decode/header-scan'
import { AddressTable } from './address-table'

/** A conversation end as text (in keys and tables): `address` or `address:port`, with IPv6 bracketed when a port follows. */
export function endpointText(address: string, port: number | null): string {
  return port === null ? address : formatHostPort(address, port)
}

/** The key of a conversation between two ends: the lower end (as text) comes first, so both directions share it. */
function keyOf(protocol: number, first: string, second: string): string {
  return first <= second ? `${protocol} ${first} ${second}` : `${protocol} ${second} ${first}`
}

/**
 * The direction-independent key of a packet's flow, or null for packets without an IP layer.
 * Both directions give the same key: the lower endpoint (as text) comes first.
 */
export function conversationKey(summary: PacketSummary): string | null {
  if (summary.ipProtocol === null || summary.sourceAddress === null || summary.destinationAddress === null || summary.ipVersion === null) {
    return null
  }
  return keyOf(summary.ipProtocol, endpointText(summary.sourceAddress, summary.sourcePort), endpointText(summary.destinationAddress, summary.destinationPort))
}

/** One bit per TCP milestone of a conversation. */
const MILESTONE = {
  SYN: 1,
  SYN_ACK: 2,
  HANDSHAKE: 4,
  FIN_FROM_A: 8,
  FIN_FROM_B: 16,
  RST: 32
} as const

/** Transport protocols by the number the table stores (0: none). */
const TRANSPORTS: readonly (TransportProtocol | null)[] = [null, 'tcp', 'udp', 'icmp', 'icmpv6']

function transportOfProtocol(protocol: number): TransportProtocol | null {
  return protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 1 ? 'icmp' : protocol === 58 ? 'icmpv6' : null
}

/** Texts stored once each and numbered from 0 in the order first seen. */
class TextNumbers {
  private readonly numbers = new Map<string, number>()
  private readonly texts: string[] = []

  number(text: string): number {
    let number = this.numbers.get(text)
    if (number === undefined) {
      number = this.texts.length
      this.texts.push(text)
      this.numbers.set(text, number)
    }
    return number
  }

  text(number: number): string {
    return elementAt(this.texts, number)
  }
}

/** A port as the table stores it: -1 for none. */
function storedPort(port: number | null): number {
  return port === null ? -1 : port
}

function portOf(stored: number): number | null {
  return stored < 0 ? null : stored
}

/** A well-mixed 32-bit hash of one conversation end. */
function endHash(address: number, port: number): number {
  let hash = Math.imul(address + 1, 0x9e3779b1) ^ Math.imul(port + 2, 0x85ebca6b)
  hash ^= hash >>> 15
  hash = Math.imul(hash, 0x2c1b3c6d)
  return hash ^ (hash >>> 12)
}

/** Conversations fill their columns in this many at a time at first; the columns double after. */
const FIRST_CAPACITY = 256

/** Counts packets into conversations. */
export class ConversationTable {
  private count = 0
  private capacity = 0
  private protocols = new Uint8Array(0)
  private transports = new Uint8Array(0)
  private milestones = new Uint8Array(0)
  private addressesA = new Uint32Array(0)
  private addressesB = new Uint32Array(0)
  private portsA = new Int32Array(0)
  private portsB = new Int32Array(0)
  private packetsAToB = new Float64Array(0)
  private packetsBToA = new Float64Array(0)
  private bytesAToB = new Float64Array(0)
  private bytesBToA = new Float64Array(0)
  private payloadAToB = new Float64Array(0)
  private payloadBToA = new Float64Array(0)
  private firstSeconds = new Float64Array(0)
  private firstNanos = new Uint32Array(0)
  private lastSeconds = new Float64Array(0)
  private lastNanos = new Uint32Array(0)
  /** The first packet comment of each conversation, as a number in `comments`; -1 for none. */
  private commentNumbers = new Int32Array(0)
  /** Open-addressing hash slots: a flow number plus one, 0 for an empty slot; at most half full. */
  private slots = new Int32Array(2 * FIRST_CAPACITY)
  private readonly addresses = new AddressTable()
  private readonly comments = new TextNumbers()
  /** The record {@link add} fills from a summary. */
  private readonly scratch = new PacketHeaders()

  /** Whether the packet {@link add} counted last went from A to B (the side that spoke first). */
  lastFromA = false

  /** Number of conversations. */
  get size(): number {
    return this.count
  }

  /** Counts a packet; returns its conversation's flow number, or -1 for a packet without an IP layer. */
  add(summary: PacketSummary): number {
    return this.addHeaders(this.scratch.fromSummary(summary))
  }

  /** Counts a packet read into headers (scanned or decoded); returns its flow number, or -1 for a packet without an IP layer. */
  addHeaders(headers: PacketHeaders): number {
    const protocol = headers.ipProtocol
    if (protocol < 0 || headers.ipVersion === 0) return -1
    let source: number
    let destination: number
    if (headers.addressesAsText) {
      if (headers.sourceText === null || headers.destinationText === null) return -1
      source = this.addresses.internText(headers.sourceText)
      destination = this.addresses.internText(headers.destinationText)
    } else {
      source = this.addresses.intern(headers.ipVersion, headers.source)
      destination = this.addresses.intern(headers.ipVersion, headers.destination)
    }
    const sourcePort = headers.sourcePort
    const destinationPort = headers.destinationPort
    let flow = this.lookup(protocol, source, sourcePort, destination, destinationPort)
    if (flow < 0) flow = this.insert(headers, protocol, source, sourcePort, destination, destinationPort)
    const fromA = this.addressesA[flow] === source && this.portsA[flow] === sourcePort
    this.lastFromA = fromA
    this.count1(flow, headers, fromA)
    return flow
  }

  /** The flow number of a packet's conversation without counting it, or -1 when the table has none. */
  flowOf(summary: PacketSummary): number {
    const { ipProtocol: protocol, sourceAddress, destinationAddress } = summary
    if (protocol === null || sourceAddress === null || destinationAddress === null || summary.ipVersion === null) return -1
    const source = this.addresses.findText(sourceAddress)
    const destination = this.addresses.findText(destinationAddress)
    if (source < 0 || destination < 0) return -1
    return this.lookup(protocol, source, storedPort(summary.sourcePort), destination, storedPort(summary.destinationPort))
  }

  /** Which way a packet of conversation `flow` went: from the side that spoke first (A), or back. */
  directionOf(flow: number, summary: PacketSummary): FlowDirection {
    const source = summary.sourceAddress === null ? -1 : this.addresses.findText(summary.sourceAddress)
    return this.addressesA[flow] === source && this.portsA[flow] === storedPort(summary.sourcePort) ? 'a-to-b' : 'b-to-a'
  }

  /** The address number of one end of conversation `flow` (A when `sideA`), for {@link addressText}. */
  addressOf(flow: number, sideA: boolean): number {
    return (sideA ? this.addressesA[flow] : this.addressesB[flow]) ?? -1
  }

  /** The text of an address number the table gave. */
  addressText(number: number): string {
    return this.addresses.text(number)
  }

  /** Bytes on the wire both ways. */
  totalBytes(flow: number): number {
    return elementAt(this.bytesAToB, flow) + elementAt(this.bytesBToA, flow)
  }

  /** Conversation `flow` as an object, or null when there is no such flow. */
  conversation(flow: number): Conversation | null {
    if (!Number.isInteger(flow) || flow < 0 || flow >= this.count) return null
    return this.conversationAt(flow)
  }

  /** Conversation `flow`, which the caller got from this table; throws a RangeError for any other number. */
  conversationAt(flow: number): Conversation {
    if (!Number.isInteger(flow) || flow < 0 || flow >= this.count) throw new RangeError(`no conversation ${flow} among ${this.count}`)
    const protocol = this.protocols[flow] ?? 0
    const addressA = this.addressText(this.addressesA[flow] ?? 0)
    const addressB = this.addressText(this.addressesB[flow] ?? 0)
    const portA = portOf(this.portsA[flow] ?? 0)
    const portB = portOf(this.portsB[flow] ?? 0)
    const milestones = this.milestones[flow] ?? 0
    const firstTimestamp = { seconds: this.firstSeconds[flow] ?? 0, nanos: this.firstNanos[flow] ?? 0 }
    const lastTimestamp = { seconds: this.lastSeconds[flow] ?? 0, nanos: this.lastNanos[flow] ?? 0 }
    const comment = this.commentNumbers[flow] ?? -1
    return {
      key: keyOf(protocol, endpointText(addressA, portA), endpointText(addressB, portB)),
      ipProtocol: protocol,
      transport: TRANSPORTS[this.transports[flow] ?? 0] ?? null,
      addressA,
      portA,
      addressB,
      portB,
      packetsAToB: this.packetsAToB[flow] ?? 0,
      packetsBToA: this.packetsBToA[flow] ?? 0,
      bytesAToB: this.bytesAToB[flow] ?? 0,
      bytesBToA: this.bytesBToA[flow] ?? 0,
      payloadBytesAToB: this.payloadAToB[flow] ?? 0,
      payloadBytesBToA: this.payloadBToA[flow] ?? 0,
      firstTimestamp,
      lastTimestamp,
      durationSeconds: secondsBetween(firstTimestamp, lastTimestamp),
      synSeen: (milestones & MILESTONE.SYN) !== 0,
      synAckSeen: (milestones & MILESTONE.SYN_ACK) !== 0,
      handshakeComplete: (milestones & MILESTONE.HANDSHAKE) !== 0,
      finFromA: (milestones & MILESTONE.FIN_FROM_A) !== 0,
      finFromB: (milestones & MILESTONE.FIN_FROM_B) !== 0,
      rstSeen: (milestones & MILESTONE.RST) !== 0,
      comment: comment < 0 ? null : this.comments.text(comment)
    }
  }

  /** Every conversation, in the order each was first seen, one object at a time. */
  *conversations(): IterableIterator<Conversation> {
    for (let flow = 0; flow < this.count; flow++) yield this.conversationAt(flow)
  }

  /** Every conversation as objects, in the order each was first seen (for small tables). */
  list(): Conversation[] {
    return [...this.conversations()]
  }

  /**
   * The flow numbers of the `limit` conversations with the most bytes, busiest first (the one
   * seen first among equals). Keeps only `limit` candidates, so a million conversations are
   * never sorted or turned into objects to find the top few.
   */
  busiest(limit: number): number[] {
    const wanted = Math.max(0, Math.min(Math.floor(limit), this.count))
    // A min-heap of the best so far: its root is the weakest, replaced by anything better.
    const heap = new Int32Array(wanted)
    let size = 0
    const weaker = (first: number, second: number): boolean => {
      const difference = this.totalBytes(first) - this.totalBytes(second)
      return difference !== 0 ? difference < 0 : first > second
    }
    const siftDown = (start: number): void => {
      let at = start
      for (;;) {
        const left = 2 * at + 1
        if (left >= size) return
        const right = left + 1
        const child = right < size && weaker(elementAt(heap, right), elementAt(heap, left)) ? right : left
        if (!weaker(elementAt(heap, child), elementAt(heap, at))) return
        const swap = elementAt(heap, at)
        heap[at] = elementAt(heap, child)
        heap[child] = swap
        at = child
      }
    }
    for (let flow = 0; flow < this.count && wanted > 0; flow++) {
      if (size < wanted) {
        let at = size++
        heap[at] = flow
        while (at > 0) {
          const parent = (at - 1) >> 1
          if (!weaker(elementAt(heap, at), elementAt(heap, parent))) break
          const swap = elementAt(heap, at)
          heap[at] = elementAt(heap, parent)
          heap[parent] = swap
          at = parent
        }
      } else if (weaker(elementAt(heap, 0), flow)) {
        heap[0] = flow
        siftDown(0)
      }
    }
    return Array.from(heap.subarray(0, size)).sort((first, second) => (weaker(first, second) ? 1 : weaker(second, first) ? -1 : 0))
  }

  private lookup(protocol: number, source: number, sourcePort: number, destination: number, destinationPort: number): number {
    const mask = this.slots.length - 1
    for (let slot = this.hash(protocol, source, sourcePort, destination, destinationPort) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot] ?? 0
      if (stored === 0) return -1
      const flow = stored - 1
      if (this.protocols[flow] !== protocol) continue
      const addressA = this.addressesA[flow]
      const portA = this.portsA[flow]
      const addressB = this.addressesB[flow]
      const portB = this.portsB[flow]
      if (addressA === source && portA === sourcePort && addressB === destination && portB === destinationPort) return flow
      if (addressA === destination && portA === destinationPort && addressB === source && portB === sourcePort) return flow
    }
  }

  /** The same for both directions: the two ends' hashes are added. */
  private hash(protocol: number, source: number, sourcePort: number, destination: number, destinationPort: number): number {
    return (endHash(source, sourcePort) + endHash(destination, destinationPort) + Math.imul(protocol + 1, 0x27d4eb2f)) | 0
  }

  private insert(headers: PacketHeaders, protocol: number, source: number, sourcePort: number, destination: number, destinationPort: number): number {
    const flow = this.count
    if (flow === this.capacity) this.growColumns(flow + 1)
    // A capture that starts at the SYN-ACK still names the connecting side A.
    const flags = headers.tcpFlags < 0 ? 0 : headers.tcpFlags
    const swap = (flags & TCP_FLAG.SYN) !== 0 && (flags & TCP_FLAG.ACK) !== 0
    this.protocols[flow] = protocol
    this.transports[flow] = TRANSPORTS.indexOf(headers.transport ?? transportOfProtocol(protocol))
    this.addressesA[flow] = swap ? destination : source
    this.portsA[flow] = swap ? destinationPort : sourcePort
    this.addressesB[flow] = swap ? source : destination
    this.portsB[flow] = swap ? sourcePort : destinationPort
    this.firstSeconds[flow] = headers.timestampSeconds
    this.firstNanos[flow] = headers.timestampNanos
    this.lastSeconds[flow] = headers.timestampSeconds
    this.lastNanos[flow] = headers.timestampNanos
    this.commentNumbers[flow] = -1
    this.count = flow + 1
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2)
    else this.place(flow)
    return flow
  }

  private place(flow: number): void {
    const mask = this.slots.length - 1
    let slot =
      this.hash(elementAt(this.protocols, flow), elementAt(this.addressesA, flow), elementAt(this.portsA, flow), elementAt(this.addressesB, flow), elementAt(this.portsB, flow)) &
      mask
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask
    this.slots[slot] = flow + 1
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount)
    for (let flow = 0; flow < this.count; flow++) this.place(flow)
  }

  private growColumns(needed: number): void {
    this.protocols = grown(this.protocols, needed, FIRST_CAPACITY)
    this.transports = grown(this.transports, needed, FIRST_CAPACITY)
    this.milestones = grown(this.milestones, needed, FIRST_CAPACITY)
    this.addressesA = grown(this.addressesA, needed, FIRST_CAPACITY)
    this.addressesB = grown(this.addressesB, needed, FIRST_CAPACITY)
    this.portsA = grown(this.portsA, needed, FIRST_CAPACITY)
    this.portsB = grown(this.portsB, needed, FIRST_CAPACITY)
    this.packetsAToB = grown(this.packetsAToB, needed, FIRST_CAPACITY)
    this.packetsBToA = grown(this.packetsBToA, needed, FIRST_CAPACITY)
    this.bytesAToB = grown(this.bytesAToB, needed, FIRST_CAPACITY)
    this.bytesBToA = grown(this.bytesBToA, needed, FIRST_CAPACITY)
    this.payloadAToB = grown(this.payloadAToB, needed, FIRST_CAPACITY)
    this.payloadBToA = grown(this.payloadBToA, needed, FIRST_CAPACITY)
    this.firstSeconds = grown(this.firstSeconds, needed, FIRST_CAPACITY)
    this.firstNanos = grown(this.firstNanos, needed, FIRST_CAPACITY)
    this.lastSeconds = grown(this.lastSeconds, needed, FIRST_CAPACITY)
    this.lastNanos = grown(this.lastNanos, needed, FIRST_CAPACITY)
    this.commentNumbers = grown(this.commentNumbers, needed, FIRST_CAPACITY)
    this.capacity = this.protocols.length
  }

  /** Counts one packet of `flow`; `fromA` when the side that spoke first sent it. */
  private count1(flow: number, headers: PacketHeaders, fromA: boolean): void {
    if (fromA) {
      this.packetsAToB[flow] = (this.packetsAToB[flow] ?? 0) + 1
      this.bytesAToB[flow] = (this.bytesAToB[flow] ?? 0) + headers.originalLength
      this.payloadAToB[flow] = (this.payloadAToB[flow] ?? 0) + headers.payloadLength
    } else {
      this.packetsBToA[flow] = (this.packetsBToA[flow] ?? 0) + 1
      this.bytesBToA[flow] = (this.bytesBToA[flow] ?? 0) + headers.originalLength
      this.payloadBToA[flow] = (this.payloadBToA[flow] ?? 0) + headers.payloadLength
    }
    const seconds = headers.timestampSeconds
    const nanos = headers.timestampNanos
    const firstSeconds = this.firstSeconds[flow] ?? 0
    if (seconds < firstSeconds || (seconds === firstSeconds && nanos < (this.firstNanos[flow] ?? 0))) {
      this.firstSeconds[flow] = seconds
      this.firstNanos[flow] = nanos
    }
    const lastSeconds = this.lastSeconds[flow] ?? 0
    if (seconds > lastSeconds || (seconds === lastSeconds && nanos > (this.lastNanos[flow] ?? 0))) {
      this.lastSeconds[flow] = seconds
      this.lastNanos[flow] = nanos
    }
    if (this.commentNumbers[flow] === -1 && headers.comment !== null) this.commentNumbers[flow] = this.comments.number(headers.comment)
    const flags = headers.tcpFlags
    if (flags < 0) return
    const syn = (flags & TCP_FLAG.SYN) !== 0
    const ack = (flags & TCP_FLAG.ACK) !== 0
    let milestones = this.milestones[flow] ?? 0
    if (syn && !ack && fromA) milestones |= MILESTONE.SYN
    else if (syn && ack && !fromA && (milestones & MILESTONE.SYN) !== 0) milestones |= MILESTONE.SYN_ACK
    else if (!syn && ack && fromA && (milestones & MILESTONE.SYN_ACK) !== 0) milestones |= MILESTONE.HANDSHAKE
    if ((flags & TCP_FLAG.FIN) !== 0) milestones |= fromA ? MILESTONE.FIN_FROM_A : MILESTONE.FIN_FROM_B
    if ((flags & TCP_FLAG.RST) !== 0) milestones |= MILESTONE.RST
    this.milestones[flow] = milestones
  }
}

/** What readers of a finished table may ask of it. */
export type ConversationReader = Pick<ConversationTable, 'size' | 'conversation' | 'conversationAt' | 'conversations' | 'busiest'>

/** The conversations of a list of packets. */
export function buildConversations(summaries: Iterable<PacketSummary>): Conversation[] {
  const table = new ConversationTable()
  for (const summary of summaries) table.add(summary)
  return table.list()
}
