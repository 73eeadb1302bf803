/**
 * TCP sequence analysis, fed one packet at a time in capture order: each segment is judged a
 * retransmission (plain, fast or spurious), out of order, after a gap, a duplicate ACK, a zero
 * window, a full window, a keep-alive…, and each ACK gets the round trip since the segment it
 * acknowledges. The rules are Wireshark's `tcp.analysis.*` rules (its TCP dissector's
 * sequence analysis), rewritten here, so what a user sees agrees with tshark.
 *
 * State is kept per TCP conversation in typed-array columns: per direction the few numbers the
 * rules compare against, and the segments not acknowledged yet in a shared pool, at most
 * {@link MAXIMUM_UNACKED_SEGMENTS} per direction. Nothing grows with the number of packets.
 */

import { TCP_FLAG, type PacketSummary } from '../../../../shared/model/decoded-packet'
import { TCP_ANALYSIS, TCP_RETRANSMISSION_BITS, type TcpConversationAnalysis, type TcpAnalysisCounts } from '../../../../shared/model/tcp-analysis'
import { elementAt } from '../../../../shared/element-at'
import { grown } from '../typed-array-growth'
import type { PacketHeaders } from '../decode/header-scan'

/** Segments one direction remembers until they are acknowledged (the limit Wireshark uses). */
export const MAXIMUM_UNACKED_SEGMENTS = 1000

/** A fast retransmission comes within this many nanoseconds of the last duplicate ACK. */
const FAST_RETRANSMISSION_NANOS = 20_000_000

/** Out of order means within this many nanoseconds of the highest segment, until the handshake gave a round trip. */
const DEFAULT_OUT_OF_ORDER_NANOS = 3_000_000

/** Per-direction state bits. */
const DIRECTION = {
  BASE_SEQUENCE_SET: 1,
  /** The window this direction last advertised came with its SYN, which is never scaled. */
  WINDOW_FROM_SYN: 2
} as const

/** Window scale states besides a shift count: not known yet, and known to be off. */
const SCALE_UNKNOWN = -1
const SCALE_OFF = -2

/** What one segment is, as the analysis reads it. */
export interface TcpSegmentInput {
  /** The packet's position in the capture. */
  readonly index: number
  readonly timestampSeconds: number
  readonly timestampNanos: number
  readonly sequence: number
  readonly acknowledgment: number
  readonly flags: number
  /** The window as written in the header (not scaled). */
  readonly window: number
  /** The window scale option's shift, or null when the segment has none. */
  readonly windowScale: number | null
  /** Payload bytes on the wire. */
  readonly payloadLength: number
}

/** The bits each counter column counts, in the order {@link countsFrom} names them. */
const COUNTED_BITS: readonly number[] = [
  TCP_RETRANSMISSION_BITS,
  TCP_ANALYSIS.FAST_RETRANSMISSION,
  TCP_ANALYSIS.SPURIOUS_RETRANSMISSION,
  TCP_ANALYSIS.OUT_OF_ORDER,
  TCP_ANALYSIS.LOST_SEGMENT,
  TCP_ANALYSIS.ACKED_UNSEEN,
  TCP_ANALYSIS.DUPLICATE_ACK,
  TCP_ANALYSIS.ZERO_WINDOW,
  TCP_ANALYSIS.ZERO_WINDOW_PROBE,
  TCP_ANALYSIS.WINDOW_FULL,
  TCP_ANALYSIS.WINDOW_UPDATE,
  TCP_ANALYSIS.KEEP_ALIVE
]

/** Judgement counts being added up, one number per kind counted. */
export class TcpAnalysisTally {
  private readonly columns = new Float64Array(COUNTED_BITS.length)

  /** Counts the judgements of one segment. */
  add(flags: number): void {
    if (flags === 0) return
    for (let column = 0; column < COUNTED_BITS.length; column++) {
      if ((flags & elementAt(COUNTED_BITS, column)) !== 0) this.columns[column] = elementAt(this.columns, column) + 1
    }
  }

  counts(): TcpAnalysisCounts {
    return countsFrom((column) => elementAt(this.columns, column))
  }
}

/** Names the counter columns `read` gives. */
function countsFrom(read: (column: number) => number): TcpAnalysisCounts {
  return {
    retransmissions: read(0),
    fastRetransmissions: read(1),
    spuriousRetransmissions: read(2),
    outOfOrder: read(3),
    lostSegments: read(4),
    ackedUnseen: read(5),
    duplicateAcks: read(6),
    zeroWindows: read(7),
    zeroWindowProbes: read(8),
    windowFull: read(9),
    windowUpdates: read(10),
    keepAlives: read(11)
  }
}

/** True when `a` comes after `b` in 32-bit sequence space. */
function after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0
}

/** True when `a` comes before `b` in 32-bit sequence space. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0
}

/** True when `a` is `b` or before it in 32-bit sequence space. */
function notAfter(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0
}

/**
 * The analysis of every TCP conversation of a capture. Feed each TCP packet with {@link add}
 * in capture order; read what it found from the public fields right after, and the totals
 * per conversation and capture at any time.
 */
export class TcpAnalyzer {
  /** Judgements of the segment last added (a {@link TCP_ANALYSIS} bit set). */
  flags = 0
  /** Its duplicate ACK number, 0 when it is not a duplicate ACK. */
  duplicateAckNumber = 0
  /** Seconds from the segment it acknowledges, or NaN. */
  ackRttSeconds = Number.NaN
  /** The capture index of the segment it acknowledges, or -1. */
  ackedIndex = -1
  private ackRttNanos = 0

  /** Judgement totals over every conversation. */
  private readonly totals = new TcpAnalysisTally()
  /**
   * Epoch second every time is counted from. Times are whole nanoseconds since then, so the
   * comparisons against thresholds are exact, as they are in Wireshark.
   */
  private baseSecond: number | null = null

  /** Analysis slot of each conversation number, plus one (0: not a TCP conversation seen yet). */
  private slotOfFlow = new Int32Array(0)
  private slots = 0

  // Per conversation.
  private lastSynTime = new Float64Array(0)
  private handshakeRtt = new Float64Array(0)
  /**
   * The row of a conversation's counts and round trips, plus one; 0 until it has one. A row is
   * made at its first finding or round trip: most conversations of a scan or a busy server never
   * get one, and a row is most of a conversation's state.
   */
  private statisticsRow = new Int32Array(0)
  private statisticsRows = 0

  // Per statistics row.
  private counts = new Uint32Array(0)
  private rttSamples = new Uint32Array(0)
  private rttSum = new Float64Array(0)
  private rttMin = new Float64Array(0)
  private rttMax = new Float64Array(0)

  // Per direction: slot * 2, plus 1 for the side that did not speak first.
  private state = new Uint8Array(0)
  private baseSequence = new Uint32Array(0)
  private nextSequence = new Uint32Array(0)
  private nextSequenceTime = new Float64Array(0)
  private maxSequenceToAck = new Uint32Array(0)
  private lastAck = new Uint32Array(0)
  private lastAckTime = new Float64Array(0)
  private window = new Uint32Array(0)
  private windowScale = new Int8Array(0)
  private lastFlags = new Uint16Array(0)
  private duplicateAcks = new Int32Array(0)
  private unackedHead = new Int32Array(0)
  private unackedCount = new Uint16Array(0)

  // The pool of unacknowledged segments, linked per direction; `segmentLink` chains free ones too.
  private segmentSequence = new Uint32Array(0)
  private segmentNext = new Uint32Array(0)
  private segmentTime = new Float64Array(0)
  private segmentIndex = new Uint32Array(0)
  private segmentLink = new Int32Array(0)
  private segmentsUsed = 0
  private freeSegment = -1
  private segmentsHeld = 0

  /**
   * Analyses one TCP segment of conversation `flow`; `fromA` when the side that spoke first
   * sent it. The findings are in {@link flags}, {@link duplicateAckNumber},
   * {@link ackRttSeconds} and {@link ackedIndex} until the next call.
   */
  add(flow: number, fromA: boolean, segment: TcpSegmentInput): void {
    this.addSegment(
      flow,
      fromA,
      segment.index,
      segment.timestampSeconds,
      segment.timestampNanos,
      segment.sequence,
      segment.acknowledgment,
      segment.flags,
      segment.window,
      segment.windowScale,
      segment.payloadLength
    )
  }

  /**
   * Analyses the packet at capture position `index` when it is a TCP segment the analysis can
   * read (not an IP fragment, its TCP header whole); returns false, with nothing found, for any
   * other packet.
   */
  addSummary(flow: number, fromA: boolean, index: number, summary: PacketSummary): boolean {
    const { tcpSequence, tcpAcknowledgment, tcpFlags, tcpWindow } = summary
    if (
      flow < 0 ||
      summary.transport !== 'tcp' ||
      summary.fragment ||
      tcpSequence === null ||
      tcpAcknowledgment === null ||
      tcpFlags === null ||
      tcpWindow === null ||
      summary.malformed?.layer === 'tcp'
    ) {
      this.clearFindings()
      return false
    }
    this.addSegment(
      flow,
      fromA,
      index,
      summary.timestampSeconds,
      summary.timestampNanos,
      tcpSequence,
      tcpAcknowledgment,
      tcpFlags,
      tcpWindow,
      summary.tcpWindowScale,
      summary.payloadLength
    )
    return true
  }

  /** The same for a packet read into headers (its `index` set): false, with nothing found, for a packet that is no such segment. */
  addHeaders(flow: number, fromA: boolean, headers: PacketHeaders): boolean {
    if (flow < 0 || !headers.analysable) {
      this.clearFindings()
      return false
    }
    this.addSegment(
      flow,
      fromA,
      headers.index,
      headers.timestampSeconds,
      headers.timestampNanos,
      headers.sequence,
      headers.acknowledgment,
      headers.tcpFlags,
      headers.window,
      headers.windowScale,
      headers.payloadLength
    )
    return true
  }

  private clearFindings(): void {
    this.flags = 0
    this.duplicateAckNumber = 0
    this.ackRttSeconds = Number.NaN
    this.ackedIndex = -1
  }

  private addSegment(
    flow: number,
    fromA: boolean,
    index: number,
    seconds: number,
    nanos: number,
    seq: number,
    ack: number,
    tcpFlags: number,
    window: number,
    windowScale: number | null,
    length: number
  ): void {
    this.clearFindings()
    this.ackRttNanos = 0
    const slot = this.slotFor(flow)
    this.baseSecond ??= seconds
    const time = (seconds - this.baseSecond) * 1e9 + nanos
    let forward = slot * 2 + (fromA ? 0 : 1)
    let reverse = forward ^ 1
    const syn = (tcpFlags & TCP_FLAG.SYN) !== 0
    const synOnly = syn && (tcpFlags & TCP_FLAG.ACK) === 0
    // A new SYN on the endpoints of an earlier connection starts the analysis over.
    if (synOnly && (elementAt(this.state, forward) & DIRECTION.BASE_SEQUENCE_SET) !== 0 && elementAt(this.baseSequence, forward) !== seq) {
      this.resetConversation(slot)
      forward = slot * 2 + (fromA ? 0 : 1)
      reverse = forward ^ 1
      this.flags |= TCP_ANALYSIS.PORTS_REUSED
    } else if (syn && !synOnly && (elementAt(this.state, forward) & DIRECTION.BASE_SEQUENCE_SET) !== 0 && elementAt(this.baseSequence, forward) !== seq) {
      this.flags |= TCP_ANALYSIS.PORTS_REUSED
    }
    this.analyse(slot, forward, reverse, time, seq, ack, tcpFlags, window, length, index)
    if (synOnly) this.lastSynTime[slot] = time
    if ((tcpFlags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.ACK && !Number.isNaN(elementAt(this.lastSynTime, slot)) && elementAt(this.handshakeRtt, slot) === 0) {
      this.handshakeRtt[slot] = time - elementAt(this.lastSynTime, slot)
    }
    if (windowScale !== null) this.windowScale[forward] = Math.min(windowScale, 14)
    if (syn) this.settleWindowScaling(forward, reverse, !synOnly)
    this.count(slot)
  }

  /** Segments waiting for their ACK, over every conversation: all the state that is not fixed per conversation. */
  get unackedSegments(): number {
    return this.segmentsHeld
  }

  /** Totals over every conversation so far. */
  captureCounts(): TcpAnalysisCounts {
    return this.totals.counts()
  }

  /** Conversation `flow`'s counts and round trips, or null when it carried no TCP segment. */
  conversation(flow: number): TcpConversationAnalysis | null {
    const slot = (this.slotOfFlow[flow] ?? 0) - 1
    if (slot < 0) return null
    const row = (this.statisticsRow[slot] ?? 0) - 1
    const samples = row < 0 ? 0 : (this.rttSamples[row] ?? 0)
    return {
      ...countsFrom((column) => (row < 0 ? 0 : (this.counts[row * COUNTED_BITS.length + column] ?? 0))),
      rtt: {
        samples,
        minSeconds: samples === 0 ? null : (this.rttMin[row] ?? 0) / 1e9,
        averageSeconds: samples === 0 ? null : (this.rttSum[row] ?? 0) / samples / 1e9,
        maxSeconds: samples === 0 ? null : (this.rttMax[row] ?? 0) / 1e9
      }
    }
  }

  private count(slot: number): void {
    const flags = this.flags
    const rtt = this.ackRttNanos
    if (flags === 0 && rtt <= 0) return
    const row = this.statisticsRowOf(slot)
    if (flags !== 0) {
      this.totals.add(flags)
      for (let column = 0; column < COUNTED_BITS.length; column++) {
        if ((flags & elementAt(COUNTED_BITS, column)) === 0) continue
        const at = row * COUNTED_BITS.length + column
        this.counts[at] = elementAt(this.counts, at) + 1
      }
    }
    if (rtt > 0) {
      const samples = elementAt(this.rttSamples, row)
      this.rttSamples[row] = samples + 1
      this.rttSum[row] = elementAt(this.rttSum, row) + rtt
      if (samples === 0 || rtt < elementAt(this.rttMin, row)) this.rttMin[row] = rtt
      if (samples === 0 || rtt > elementAt(this.rttMax, row)) this.rttMax[row] = rtt
    }
  }

  /** The statistics row of a conversation's slot, made on first use. */
  private statisticsRowOf(slot: number): number {
    const known = elementAt(this.statisticsRow, slot)
    if (known > 0) return known - 1
    const row = this.statisticsRows++
    this.statisticsRow[slot] = row + 1
    if (row >= this.rttSamples.length) {
      this.rttSamples = grown(this.rttSamples, row + 1, 64)
      const capacity = this.rttSamples.length
      this.counts = grown(this.counts, capacity * COUNTED_BITS.length, capacity * COUNTED_BITS.length)
      this.rttSum = grown(this.rttSum, capacity, capacity)
      this.rttMin = grown(this.rttMin, capacity, capacity)
      this.rttMax = grown(this.rttMax, capacity, capacity)
    }
    return row
  }

  /** The judgement proper, in Wireshark's order: each check sees what the earlier ones found. */
  private analyse(slot: number, forward: number, reverse: number, time: number, seq: number, ack: number, flags: number, window: number, length: number, index: number): void {
    const synFinRst = (flags & (TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST)) !== 0
    if ((elementAt(this.state, forward) & DIRECTION.BASE_SEQUENCE_SET) === 0) {
      this.baseSequence[forward] = (flags & TCP_FLAG.SYN) !== 0 ? seq : (seq - 1) >>> 0
      this.state[forward] = elementAt(this.state, forward) | DIRECTION.BASE_SEQUENCE_SET
    }
    if ((elementAt(this.state, reverse) & DIRECTION.BASE_SEQUENCE_SET) === 0 && (flags & TCP_FLAG.ACK) !== 0) {
      this.baseSequence[reverse] = (ack - 1) >>> 0
      this.state[reverse] = elementAt(this.state, reverse) | DIRECTION.BASE_SEQUENCE_SET
    }
    const nextSeq = elementAt(this.nextSequence, forward)
    const forwardLastAck = elementAt(this.lastAck, forward)
    const forwardWindow = elementAt(this.window, forward)
    // One byte at the next sequence number while the other side's window is shut probes it;
    // a probe is nothing else of this first group.
    if (length === 1 && seq === nextSeq && elementAt(this.window, reverse) === 0) {
      this.flags |= TCP_ANALYSIS.ZERO_WINDOW_PROBE
    } else {
      if (window === 0 && !synFinRst) this.flags |= TCP_ANALYSIS.ZERO_WINDOW
      // Starting past the highest byte seen so far: something in between was not captured.
      if (nextSeq !== 0 && after(seq, nextSeq) && (flags & TCP_FLAG.RST) === 0) this.flags |= TCP_ANALYSIS.LOST_SEGMENT
      // Zero or one byte, one before the next sequence number: a keep-alive.
      if ((length === 0 || length === 1) && seq === (nextSeq - 1) >>> 0 && !synFinRst) this.flags |= TCP_ANALYSIS.KEEP_ALIVE
      const repeatsAck = length === 0 && seq === nextSeq && ack === forwardLastAck && !synFinRst
      if (length === 0 && window !== 0 && window !== forwardWindow && seq === nextSeq && ack === forwardLastAck && !synFinRst) this.flags |= TCP_ANALYSIS.WINDOW_UPDATE
      if (length > 0 && elementAt(this.windowScale, reverse) !== SCALE_UNKNOWN && !synFinRst && (seq + length) >>> 0 === this.windowEdge(reverse)) {
        this.flags |= TCP_ANALYSIS.WINDOW_FULL
      }
      if (repeatsAck && window !== 0 && window === forwardWindow && (elementAt(this.lastFlags, reverse) & TCP_ANALYSIS.KEEP_ALIVE) !== 0) {
        this.flags |= TCP_ANALYSIS.KEEP_ALIVE_ACK
      } else if (repeatsAck && window === 0 && forwardWindow === 0 && (elementAt(this.lastFlags, reverse) & TCP_ANALYSIS.ZERO_WINDOW_PROBE) !== 0) {
        this.flags |= TCP_ANALYSIS.ZERO_WINDOW_PROBE_ACK
      } else if (repeatsAck && window !== 0 && window === forwardWindow) {
        // After an "ACKed unseen segment" the count starts again at one.
        const number = elementAt(this.duplicateAcks, forward) === -1 ? 1 : elementAt(this.duplicateAcks, forward) + 1
        this.duplicateAcks[forward] = number
        this.flags |= TCP_ANALYSIS.DUPLICATE_ACK
        this.duplicateAckNumber = number
      }
    }

    if (ack !== forwardLastAck) this.duplicateAcks[forward] = 0
    // Acknowledging past the highest contiguous byte the other side sent: the capture missed some.
    const reverseMaxToAck = elementAt(this.maxSequenceToAck, reverse)
    if (reverseMaxToAck !== 0 && after(ack, reverseMaxToAck) && (flags & TCP_FLAG.ACK) !== 0) {
      const reverseNext = elementAt(this.nextSequence, reverse)
      if (reverseMaxToAck !== reverseNext) {
        // Move the boundary on, so the same missing bytes are reported once.
        this.maxSequenceToAck[reverse] = reverseNext
        this.flags |= TCP_ANALYSIS.ACKED_UNSEEN
      } else {
        if (elementAt(this.duplicateAcks, reverse) === 0) this.flags |= TCP_ANALYSIS.ACKED_UNSEEN
        this.duplicateAcks[reverse] = -1
      }
    }

    if (length > 0 || (flags & (TCP_FLAG.SYN | TCP_FLAG.FIN)) !== 0) this.judgeRepeat(slot, forward, reverse, time, seq, length, flags)
    this.remember(forward, time, seq, ack, flags, window, length, index)
    this.acknowledge(reverse, time, ack)
  }

  /** Retransmission, fast or spurious retransmission, or out of order, for a segment that carries sequence space. */
  private judgeRepeat(slot: number, forward: number, reverse: number, time: number, seq: number, length: number, flags: number): void {
    if ((this.flags & TCP_ANALYSIS.KEEP_ALIVE) !== 0) return
    const nextSeq = elementAt(this.nextSequence, forward)
    let behind = nextSeq !== 0 && before(seq, nextSeq)
    // More than one byte starting just before the next sequence number follows a zero window probe: new data.
    if (length > 1 && (nextSeq - 1) >>> 0 === seq) behind = false
    const reverseLastAck = elementAt(this.lastAck, reverse)
    if (length > 0 && reverseLastAck !== 0 && notAfter((seq + length) >>> 0, reverseLastAck)) {
      this.flags |= TCP_ANALYSIS.SPURIOUS_RETRANSMISSION
      return
    }
    const sinceDuplicateAck = time - elementAt(this.lastAckTime, reverse)
    if (behind && elementAt(this.duplicateAcks, reverse) >= 2 && reverseLastAck === seq && sinceDuplicateAck >= 0 && sinceDuplicateAck < FAST_RETRANSMISSION_NANOS) {
      this.flags |= TCP_ANALYSIS.FAST_RETRANSMISSION
      return
    }
    const sinceHighest = time - elementAt(this.nextSequenceTime, forward)
    const handshakeRtt = elementAt(this.handshakeRtt, slot)
    const outOfOrderNanos = handshakeRtt === 0 ? DEFAULT_OUT_OF_ORDER_NANOS : handshakeRtt
    const end = (seq + length + ((flags & (TCP_FLAG.SYN | TCP_FLAG.FIN)) !== 0 ? 1 : 0)) >>> 0
    if (behind && sinceHighest >= 0 && sinceHighest < outOfOrderNanos && nextSeq !== end) {
      this.flags |= TCP_ANALYSIS.OUT_OF_ORDER
      return
    }
    if (behind) this.flags |= TCP_ANALYSIS.RETRANSMISSION
  }

  /** Notes the segment: in the unacknowledged list, as the new highest sequence, and its ACK and window. */
  private remember(forward: number, time: number, seq: number, ack: number, flags: number, window: number, length: number, index: number): void {
    const synOrFin = (flags & (TCP_FLAG.SYN | TCP_FLAG.FIN)) !== 0
    let end = (seq + length) >>> 0
    if ((length > 0 || synOrFin) && elementAt(this.unackedCount, forward) < MAXIMUM_UNACKED_SEGMENTS) {
      if (synOrFin) end = (end + 1) >>> 0
      this.pushSegment(forward, seq, end, time, index)
    }
    const probe = (this.flags & TCP_ANALYSIS.ZERO_WINDOW_PROBE) !== 0
    const nextSeq = elementAt(this.nextSequence, forward)
    if ((after(end, nextSeq) || nextSeq === 0) && !probe) {
      this.nextSequence[forward] = end
      this.nextSequenceTime[forward] = time
    }
    const maxToAck = elementAt(this.maxSequenceToAck, forward)
    if ((seq === maxToAck || maxToAck === 0) && !probe) this.maxSequenceToAck[forward] = elementAt(this.nextSequence, forward)
    this.window[forward] = window
    let state = elementAt(this.state, forward) & ~DIRECTION.WINDOW_FROM_SYN
    if ((flags & TCP_FLAG.SYN) !== 0) state |= DIRECTION.WINDOW_FROM_SYN
    this.state[forward] = state
    this.lastAck[forward] = ack
    this.lastAckTime[forward] = time
    this.lastFlags[forward] = this.flags
  }

  /** Drops the other direction's segments `ack` covers; an exact match gives the ACK's round trip. */
  private acknowledge(reverse: number, time: number, ack: number): void {
    let previous = -1
    let segment = elementAt(this.unackedHead, reverse)
    while (segment >= 0) {
      const next = elementAt(this.segmentLink, segment)
      const segmentEnd = elementAt(this.segmentNext, segment)
      if (ack === segmentEnd) {
        // The list runs newest first, so the oldest copy of a retransmitted segment wins.
        this.ackedIndex = elementAt(this.segmentIndex, segment)
        this.ackRttNanos = time - elementAt(this.segmentTime, segment)
      } else if (after(ack, elementAt(this.segmentSequence, segment)) && notAfter(ack, segmentEnd)) {
        this.segmentSequence[segment] = ack
        continue
      } else if (after(segmentEnd, ack)) {
        previous = segment
        segment = next
        continue
      }
      if (previous < 0) this.unackedHead[reverse] = next
      else this.segmentLink[previous] = next
      this.releaseSegment(segment)
      this.unackedCount[reverse] = elementAt(this.unackedCount, reverse) - 1
      segment = next
    }
    this.ackRttSeconds = this.ackRttNanos > 0 ? this.ackRttNanos / 1e9 : Number.NaN
  }

  /** Where the window direction `side` advertised ends, in sequence space. */
  private windowEdge(side: number): number {
    const scale = elementAt(this.windowScale, side)
    const shift = (elementAt(this.state, side) & DIRECTION.WINDOW_FROM_SYN) !== 0 || scale === SCALE_OFF ? 0 : scale
    return (elementAt(this.lastAck, side) + ((elementAt(this.window, side) << shift) >>> 0)) >>> 0
  }

  /** After a SYN: scaling is off unless both SYNs offered it. */
  private settleWindowScaling(forward: number, reverse: number, synAck: boolean): void {
    if (elementAt(this.windowScale, forward) === SCALE_UNKNOWN) {
      this.windowScale[forward] = SCALE_OFF
      this.windowScale[reverse] = SCALE_OFF
    } else if (synAck && elementAt(this.windowScale, reverse) === SCALE_OFF) {
      this.windowScale[forward] = SCALE_OFF
    }
  }

  private slotFor(flow: number): number {
    if (flow >= this.slotOfFlow.length) this.slotOfFlow = grown(this.slotOfFlow, flow + 1, 256)
    const known = elementAt(this.slotOfFlow, flow)
    if (known > 0) return known - 1
    const slot = this.slots++
    this.slotOfFlow[flow] = slot + 1
    if (slot >= this.lastSynTime.length) this.growSlots(slot + 1)
    this.clearSlot(slot)
    return slot
  }

  private clearSlot(slot: number): void {
    this.lastSynTime[slot] = Number.NaN
    this.handshakeRtt[slot] = 0
    for (const direction of [slot * 2, slot * 2 + 1]) {
      let segment = elementAt(this.unackedHead, direction)
      // A fresh slot's head is 0 from the typed array: only a reset slot has a list to free.
      while (segment >= 0 && elementAt(this.unackedCount, direction) > 0) {
        const next = elementAt(this.segmentLink, segment)
        this.releaseSegment(segment)
        this.unackedCount[direction] = elementAt(this.unackedCount, direction) - 1
        segment = next
      }
      this.state[direction] = 0
      this.baseSequence[direction] = 0
      this.nextSequence[direction] = 0
      this.nextSequenceTime[direction] = Number.NEGATIVE_INFINITY
      this.maxSequenceToAck[direction] = 0
      this.lastAck[direction] = 0
      this.lastAckTime[direction] = Number.NEGATIVE_INFINITY
      this.window[direction] = 0xffffffff
      this.windowScale[direction] = SCALE_UNKNOWN
      this.lastFlags[direction] = 0
      this.duplicateAcks[direction] = 0
      this.unackedHead[direction] = -1
      this.unackedCount[direction] = 0
    }
  }

  /** Forgets a connection whose endpoints a new SYN reuses; its counts stay with the conversation. */
  private resetConversation(slot: number): void {
    this.clearSlot(slot)
  }

  private growSlots(needed: number): void {
    this.lastSynTime = grown(this.lastSynTime, needed, 64)
    const capacity = this.lastSynTime.length
    this.handshakeRtt = grown(this.handshakeRtt, capacity, capacity)
    this.statisticsRow = grown(this.statisticsRow, capacity, capacity)
    const directions = capacity * 2
    this.state = grown(this.state, directions, directions)
    this.baseSequence = grown(this.baseSequence, directions, directions)
    this.nextSequence = grown(this.nextSequence, directions, directions)
    this.nextSequenceTime = grown(this.nextSequenceTime, directions, directions)
    this.maxSequenceToAck = grown(this.maxSequenceToAck, directions, directions)
    this.lastAck = grown(this.lastAck, directions, directions)
    this.lastAckTime = grown(this.lastAckTime, directions, directions)
    this.window = grown(this.window, directions, directions)
    this.windowScale = grown(this.windowScale, directions, directions)
    this.lastFlags = grown(this.lastFlags, directions, directions)
    this.duplicateAcks = grown(this.duplicateAcks, directions, directions)
    this.unackedHead = grown(this.unackedHead, directions, directions)
    this.unackedCount = grown(this.unackedCount, directions, directions)
  }

  private pushSegment(direction: number, seq: number, end: number, time: number, index: number): void {
    let segment = this.freeSegment
    if (segment >= 0) this.freeSegment = elementAt(this.segmentLink, segment)
    else {
      segment = this.segmentsUsed++
      if (segment >= this.segmentSequence.length) {
        this.segmentSequence = grown(this.segmentSequence, segment + 1, 1024)
        const capacity = this.segmentSequence.length
        this.segmentNext = grown(this.segmentNext, capacity, capacity)
        this.segmentTime = grown(this.segmentTime, capacity, capacity)
        this.segmentIndex = grown(this.segmentIndex, capacity, capacity)
        this.segmentLink = grown(this.segmentLink, capacity, capacity)
      }
    }
    this.segmentSequence[segment] = seq
    this.segmentNext[segment] = end
    this.segmentTime[segment] = time
    this.segmentIndex[segment] = index
    this.segmentLink[segment] = elementAt(this.unackedHead, direction)
    this.unackedHead[direction] = segment
    this.unackedCount[direction] = elementAt(this.unackedCount, direction) + 1
    this.segmentsHeld += 1
  }

  private releaseSegment(segment: number): void {
    this.segmentLink[segment] = this.freeSegment
    this.freeSegment = segment
    this.segmentsHeld -= 1
  }
}
