/** The packets of the shown capture in columns: what a million of them cost is memory per packet, not objects. */
import type { RawPacket } from '../../../../shared/model/packet'
import { grown } from '../typed-array-growth'
import type { PacketHeaders } from '../decode/header-scan'
import type { PacketByteLog } from './packet-byte-log'
import { elementAt } from '../../../../shared/element-at'

/** Packets one sequential read (a filter scan, an export, a followed stream) takes at a time. */
export const PACKETS_PER_SLICE = 8192

/**
 * Every packet of the shown capture: the bytes in a {@link PacketByteLog}, the per-packet
 * numbers in typed-array columns (about 30 bytes a packet), and nothing decoded. Summaries are
 * rebuilt from the bytes when a page is read, so a million packets cost tens of megabytes.
 */
export class PacketStore {
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
    // The bytes first: a full disk throws before the packet is counted.
    const offset = this.bytes.append(packet.data)
    return this.appendFields(offset, packet.timestampSeconds, packet.timestampNanos, packet.originalLength, packet.data.length, packet.interfaceIndex, flow, packet.comment)
  }

  /** Appends the packet `headers` describes, its bytes still where they sit in a file's `buffer` from `start`; returns its index. */
  appendRecord(buffer: Uint8Array, start: number, headers: PacketHeaders, flow: number): number {
    const offset = this.bytes.appendRange(buffer, start, headers.capturedLength)
    return this.appendFields(
      offset,
      headers.timestampSeconds,
      headers.timestampNanos,
      headers.originalLength,
      headers.capturedLength,
      headers.interfaceIndex,
      flow,
      headers.comment ?? undefined
    )
  }

  private appendFields(
    offset: number,
    seconds: number,
    nanos: number,
    originalLength: number,
    capturedLength: number,
    interfaceIndex: number,
    flow: number,
    comment: string | undefined
  ): number {
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
    this.offsets[index] = offset
    this.seconds[index] = seconds
    this.nanos[index] = nanos
    this.originalLengths[index] = originalLength
    this.capturedLengths[index] = capturedLength
    this.interfaceIndexes[index] = interfaceIndex
    this.flows[index] = flow
    if (comment) {
      let text = this.commentTexts.get(comment)
      if (text === undefined) {
        text = comment
        if (this.commentTexts.size < 100_000) this.commentTexts.set(text, text)
      }
      this.comments.set(index, text)
    }
    this.count = needed
    return index
  }

  /** Bytes on the wire of the packet at `index`. */
  originalLengthOf(index: number): number {
    return elementAt(this.originalLengths, index)
  }

  /** The comment stored with the packet at `index`, if any. */
  commentOf(index: number): string | undefined {
    return this.comments.get(index)
  }

  /** The conversation number of a packet, or -1 for a packet outside any conversation. */
  flowOf(index: number): number {
    return elementAt(this.flows, index)
  }

  /** The indexes of every packet of one conversation, in capture order. */
  indexesOfFlow(flow: number): Uint32Array {
    let indexes = new Uint32Array(256)
    let count = 0
    for (let index = 0; index < this.count; index++) {
      if (this.flows[index] !== flow) continue
      if (count === indexes.length) indexes = grown(indexes, count + 1)
      indexes[count++] = index
    }
    return indexes.subarray(0, count)
  }

  /** The packet at `index`, its bytes read back. */
  async packet(index: number): Promise<RawPacket> {
    const data = await this.bytes.read(elementAt(this.offsets, index), elementAt(this.capturedLengths, index))
    return this.withData(index, data)
  }

  /**
   * Packets `first` to `last - 1`, read with one file read: they were appended in order, so
   * their bytes are contiguous.
   */
  async packetRange(first: number, last: number): Promise<RawPacket[]> {
    if (last <= first) return []
    const start = elementAt(this.offsets, first)
    const end = elementAt(this.offsets, last - 1) + elementAt(this.capturedLengths, last - 1)
    const block = await this.bytes.readRange(start, end - start)
    const packets: RawPacket[] = []
    for (let index = first; index < last; index++) {
      const offset = elementAt(this.offsets, index) - start
      packets.push(this.withData(index, block.subarray(offset, offset + elementAt(this.capturedLengths, index))))
    }
    return packets
  }

  /** Packets at scattered indexes, in the order given; runs of neighbours share one read. */
  async packetsAt(indexes: ArrayLike<number>): Promise<RawPacket[]> {
    const packets: RawPacket[] = []
    let runStart = 0
    for (let position = 1; position <= indexes.length; position++) {
      if (position < indexes.length && indexes[position] === elementAt(indexes, position - 1) + 1) continue
      const first = elementAt(indexes, runStart)
      const last = elementAt(indexes, position - 1) + 1
      for (const packet of await this.packetRange(first, last)) packets.push(packet)
      runStart = position
    }
    return packets
  }

  private withData(index: number, data: Uint8Array): RawPacket {
    const comment = this.comments.get(index)
    return {
      interfaceIndex: elementAt(this.interfaceIndexes, index),
      timestampSeconds: elementAt(this.seconds, index),
      timestampNanos: elementAt(this.nanos, index),
      originalLength: elementAt(this.originalLengths, index),
      data,
      ...(comment === undefined ? {} : { comment })
    }
  }
}
