/**
 * Reassembles a TCP conversation's payload in both directions, by sequence number:
 * out-of-order segments wait for the bytes before them, retransmitted and overlapping bytes
 * are kept once, and gaps that never fill are reported. The output is in the order the bytes
 * became contiguous, which for a normal exchange is the order they were sent.
 *
 * Sequence numbers are compared modulo 2^32, so a stream that wraps around is handled; a
 * single direction longer than 2 GiB between two packets is not.
 */

import type { FlowDirection, ReassembledStream, PacketSummary, StreamSegment } from '../../../../shared/model/decoded-packet'
import { TCP_FLAG } from '../../../../shared/model/decoded-packet'
import { concatenateBytes } from '../../../../shared/bytes'
import { conversationKey, ConversationTable } from './conversations'
import { elementAt } from '../../../../shared/element-at'

/** A decoded packet: its summary and its bytes. */
export interface SummarizedPacket {
  readonly summary: PacketSummary
  readonly data: Uint8Array
  /** The TCP analysis called the segment a retransmission: bytes it delivers are marked. */
  readonly retransmitted?: boolean
}

/** Most out-of-order segments one direction keeps waiting before it gives up on a gap. */
const MAXIMUM_PENDING = 4096

interface PendingSegment {
  readonly sequence: number
  readonly bytes: Uint8Array
  readonly retransmitted: boolean
}

/** One direction's reassembly state. */
class DirectionAssembler {
  nextSequence: number | null = null
  pending: PendingSegment[] = []
  delivered = 0
  duplicate = 0
  missing = 0

  constructor(
    readonly direction: FlowDirection,
    private readonly emit: (direction: FlowDirection, bytes: Uint8Array, missingBefore: number, retransmitted: boolean) => void
  ) {}

  /** Notes a SYN: data starts one past its sequence number. */
  synchronize(sequence: number): void {
    if (this.nextSequence === null) this.nextSequence = (sequence + 1) >>> 0
  }

  add(sequence: number, bytes: Uint8Array, retransmitted = false): void {
    if (bytes.length === 0) return
    if (this.nextSequence === null) this.nextSequence = sequence
    const ahead = (sequence - this.nextSequence) | 0
    if (ahead > 0) {
      this.pending.push({ sequence, bytes, retransmitted })
      if (this.pending.length > MAXIMUM_PENDING) this.flushPending()
      return
    }
    this.deliver({ sequence, bytes, retransmitted }, 0)
    this.drain()
  }

  /** Emits every waiting segment in sequence order, counting the gaps between them. */
  flushPending(): void {
    this.drain()
    while (this.pending.length > 0) {
      this.pending.sort((first, second) => ((first.sequence - this.expectedSequence()) | 0) - ((second.sequence - this.expectedSequence()) | 0))
      const next = this.pending.shift()
      if (next === undefined) break
      const gap = (next.sequence - this.expectedSequence()) | 0
      if (gap > 0) {
        this.missing += gap
        this.nextSequence = next.sequence
      }
      this.deliver(next, Math.max(gap, 0))
      this.drain()
    }
  }

  /** The sequence number the next byte should carry; set by the first segment, before anything waits or is delivered. */
  private expectedSequence(): number {
    if (this.nextSequence === null) throw new Error('stream reassembly: a segment was handled before the stream had a starting sequence')
    return this.nextSequence
  }

  private deliver({ sequence, bytes, retransmitted }: PendingSegment, missingBefore: number): void {
    const overlap = (this.expectedSequence() - sequence) | 0
    if (overlap >= bytes.length) {
      this.duplicate += bytes.length
      return
    }
    const fresh = overlap > 0 ? bytes.subarray(overlap) : bytes
    this.duplicate += Math.max(overlap, 0)
    this.emit(this.direction, fresh, missingBefore, retransmitted)
    this.delivered += fresh.length
    this.nextSequence = (this.expectedSequence() + fresh.length) >>> 0
  }

  private drain(): void {
    for (let progress = true; progress && this.pending.length > 0;) {
      progress = false
      for (let index = 0; index < this.pending.length; index += 1) {
        const candidate = elementAt(this.pending, index)
        if (((candidate.sequence - this.expectedSequence()) | 0) <= 0) {
          this.pending.splice(index, 1)
          this.deliver(candidate, 0)
          progress = true
          break
        }
      }
    }
  }
}

/**
 * Follows one TCP conversation through a list of packets.
 *
 * @param packets decoded packets in capture order; packets of other conversations are ignored.
 * @param key the conversation to follow (see conversationKey); by default the first TCP one.
 * @returns null when no TCP packet of that conversation is in the list.
 */
export function followTcpStream(packets: Iterable<SummarizedPacket>, key?: string): ReassembledStream | null {
  const table = new ConversationTable()
  const segments: { direction: FlowDirection; parts: Uint8Array[]; missingBefore: number; retransmitted: boolean }[] = []
  const emit = (direction: FlowDirection, bytes: Uint8Array, missingBefore: number, retransmitted: boolean) => {
    const last = segments[segments.length - 1]
    if (last !== undefined && last.direction === direction && missingBefore === 0 && last.retransmitted === retransmitted) last.parts.push(bytes)
    else segments.push({ direction, parts: [bytes], missingBefore, retransmitted })
  }
  const assemblers = { 'a-to-b': new DirectionAssembler('a-to-b', emit), 'b-to-a': new DirectionAssembler('b-to-a', emit) }
  let followed: string | null = key ?? null
  let flow = -1
  for (const { summary, data, retransmitted } of packets) {
    if (summary.transport !== 'tcp' || summary.tcpSequence === null || summary.tcpFlags === null) continue
    const packetKey = conversationKey(summary)
    if (packetKey === null) continue
    followed ??= packetKey
    if (packetKey !== followed) continue
    flow = table.add(summary)
    const assembler = assemblers[table.directionOf(flow, summary)]
    if ((summary.tcpFlags & TCP_FLAG.SYN) !== 0) assembler.synchronize(summary.tcpSequence)
    const dataSequence = (summary.tcpFlags & TCP_FLAG.SYN) !== 0 ? (summary.tcpSequence + 1) >>> 0 : summary.tcpSequence
    const capturedEnd = Math.min(data.length, summary.payloadOffset + summary.payloadLength)
    if (capturedEnd > summary.payloadOffset) assembler.add(dataSequence, data.subarray(summary.payloadOffset, capturedEnd), retransmitted === true)
  }
  if (flow < 0) return null
  assemblers['a-to-b'].flushPending()
  assemblers['b-to-a'].flushPending()
  const finished: StreamSegment[] = segments.map((segment) => ({
    direction: segment.direction,
    bytes: segment.parts.length === 1 ? elementAt(segment.parts, 0).slice() : concatenateBytes(segment.parts),
    missingBefore: segment.missingBefore,
    retransmitted: segment.retransmitted
  }))
  return {
    conversation: table.conversationAt(flow),
    segments: finished,
    bytesAToB: assemblers['a-to-b'].delivered,
    bytesBToA: assemblers['b-to-a'].delivered,
    duplicateBytes: assemblers['a-to-b'].duplicate + assemblers['b-to-a'].duplicate,
    missingBytes: assemblers['a-to-b'].missing + assemblers['b-to-a'].missing
  }
}
