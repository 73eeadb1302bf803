/**
 * Throughput over time: bytes and packets per time bucket, split into "out" and "in".
 *
 * With a set of local addresses, out means sent by a local address and in means received by
 * one. A packet between two local addresses (loopback) is both: the capture sees it once, so it
 * is told by its conversation like a packet of a capture without local addresses. Then each
 * packet's direction within its conversation decides: from the initiator (A) is out, the
 * replies are in. Packets without an IP layer count as out.
 */

import type { PacketSummary, ThroughputPoint } from '../../../../shared/model/decoded-packet'
import { normalizeIpAddress } from '../../../../shared/net/ip-address'
import { ConversationTable } from './conversations'
import { elementAt } from '../../../../shared/element-at'

/** Options of {@link ThroughputSeries}. */
export interface ThroughputOptions {
  /** Bucket width in seconds (default 1). */
  readonly bucketSeconds?: number
  /** This machine's addresses; without them, conversation direction is used. */
  readonly localAddresses?: Iterable<string>
}

/** Most empty buckets filled in between two busy ones; a longer pause leaves a jump in time. */
const MAXIMUM_FILLED_GAP = 3600

/**
 * Most points one call of {@link ThroughputSeries.points} returns. A chart cannot show more, and
 * a file with packets hours apart would otherwise ask for millions of filled-in empty buckets.
 */
export const MAXIMUM_THROUGHPUT_POINTS = 10_000

interface MutablePoint {
  time: number
  bytesIn: number
  bytesOut: number
  packetsIn: number
  packetsOut: number
}

/** The first position in an ascending list whose value is at least `value`. */
function lowerBound(values: readonly number[], value: number): number {
  let low = 0
  let high = values.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (elementAt(values, middle) < value) low = middle + 1
    else high = middle
  }
  return low
}

/** Accumulates packets into time buckets. */
export class ThroughputSeries {
  private readonly bucketSeconds: number
  private readonly local: Set<string> | null
  /** Only for callers that do not say which way each packet went; see add(). */
  private conversations: ConversationTable | null = null
  private readonly buckets = new Map<number, MutablePoint>()
  /** The bucket counted last: packets come in time order, so most land in it. */
  private lastIndex = Number.NaN
  private lastPoint: MutablePoint | undefined = undefined
  /** The busy bucket indexes in ascending order, kept so as buckets appear (nearly always at the end). */
  private readonly order: number[] = []

  constructor(options: ThroughputOptions = {}) {
    this.bucketSeconds = options.bucketSeconds !== undefined && options.bucketSeconds > 0 ? options.bucketSeconds : 1
    this.local = options.localAddresses === undefined ? null : new Set([...options.localAddresses].map((address) => normalizeIpAddress(address) ?? address))
  }

  /**
   * Counts one packet (by its original length). `fromInitiator` says whether it went from its
   * conversation's first speaker; a caller that already keeps conversations passes it, so the
   * series does not count every conversation a second time.
   */
  add(summary: PacketSummary, fromInitiator?: boolean): void {
    this.addPacket(summary.timestampSeconds, summary.timestampNanos, summary.originalLength, this.isOutgoing(summary, fromInitiator))
  }

  /** Counts one packet of `length` bytes on the wire at the given time, out or in as the caller knows it went. */
  addPacket(seconds: number, nanos: number, length: number, outgoing: boolean): void {
    const index = Math.floor((seconds + nanos / 1e9) / this.bucketSeconds)
    let point = index === this.lastIndex ? this.lastPoint : this.buckets.get(index)
    if (point === undefined) {
      point = { time: this.timeOf(index), bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 }
      this.buckets.set(index, point)
      const last = this.order[this.order.length - 1]
      if (last === undefined || index > last) this.order.push(index)
      else this.order.splice(lowerBound(this.order, index), 0, index)
    }
    this.lastIndex = index
    this.lastPoint = point
    if (outgoing) {
      point.bytesOut += length
      point.packetsOut += 1
    } else {
      point.bytesIn += length
      point.packetsIn += 1
    }
  }

  /** Whether a series with local addresses tells the direction itself (else the caller's conversation does). */
  get knowsLocalAddresses(): boolean {
    return this.local !== null
  }

  /**
   * The buckets from the one starting at `fromTime` (epoch milliseconds) on, in time order, with
   * empty buckets filled in between busy ones.
   *
   * When that would be more than `maxPoints` points, neighbouring buckets are merged (2, 4, 8...
   * at a time) until it fits: a merged point holds the sums of its buckets and starts at the first
   * of them, so totals stay exact, and the first point never starts before `fromTime`.
   */
  points(fromTime = Number.NEGATIVE_INFINITY, maxPoints = MAXIMUM_THROUGHPUT_POINTS): ThroughputPoint[] {
    const limit = Math.max(1, Math.floor(maxPoints))
    const window = this.window(fromTime)
    if (window === null) return []
    for (let factor = 1; ; factor *= 2) {
      const points = this.merged(window.position, window.startIndex, factor, limit)
      if (points !== null) return points
    }
  }

  /** Where the window starting at `fromTime` begins: the first busy bucket's position and the first bucket shown. */
  private window(fromTime: number): { readonly position: number; readonly startIndex: number } | null {
    if (this.order.length === 0) return null
    if (!Number.isFinite(fromTime)) return { position: 0, startIndex: elementAt(this.order, 0) }
    let first = Math.ceil(fromTime / (this.bucketSeconds * 1000))
    while (this.timeOf(first - 1) >= fromTime) first -= 1
    while (this.timeOf(first) < fromTime) first += 1
    const position = lowerBound(this.order, first)
    if (position === this.order.length) return null
    const busy = elementAt(this.order, position)
    const previous = this.order[position - 1]
    // Quiet buckets before the first busy one are shown only when they were part of a filled gap.
    const startIndex = previous !== undefined && busy - previous - 1 <= MAXIMUM_FILLED_GAP ? Math.max(previous + 1, first) : busy
    return { position, startIndex }
  }

  /** The window's points with `factor` buckets per point, or null when there would be more than `limit`. */
  private merged(position: number, startIndex: number, factor: number, limit: number): ThroughputPoint[] | null {
    const points: MutablePoint[] = []
    const empty = (group: number): MutablePoint => ({
      time: this.timeOf(Math.max(group * factor, startIndex)),
      bytesIn: 0,
      bytesOut: 0,
      packetsIn: 0,
      packetsOut: 0
    })
    let group = Math.floor(startIndex / factor)
    const firstBusyGroup = Math.floor(elementAt(this.order, position) / factor)
    for (; group < firstBusyGroup; group += 1) {
      points.push(empty(group))
      if (points.length > limit) return null
    }
    let current = empty(group)
    points.push(current)
    for (let at = position; at < this.order.length; at += 1) {
      const index = elementAt(this.order, at)
      const indexGroup = Math.floor(index / factor)
      if (indexGroup !== group) {
        const previous = elementAt(this.order, at - 1)
        if (index - previous - 1 <= MAXIMUM_FILLED_GAP) {
          for (let quiet = group + 1; quiet < indexGroup; quiet += 1) {
            points.push(empty(quiet))
            if (points.length > limit) return null
          }
        }
        group = indexGroup
        current = empty(group)
        points.push(current)
        if (points.length > limit) return null
      }
      const bucket = this.buckets.get(index)
      if (bucket === undefined) throw new Error(`throughput: bucket ${index} is in the order but not stored`)
      current.bytesIn += bucket.bytesIn
      current.bytesOut += bucket.bytesOut
      current.packetsIn += bucket.packetsIn
      current.packetsOut += bucket.packetsOut
    }
    return points
  }

  private timeOf(index: number): number {
    return index * this.bucketSeconds * 1000
  }

  /**
   * Whether a packet went out: by this machine's addresses when the series has them, else by
   * `fromInitiator`, else by the series' own conversation table.
   */
  isOutgoing(summary: PacketSummary, fromInitiator?: boolean): boolean {
    if (this.local !== null) {
      const fromLocal = summary.sourceAddress !== null && this.local.has(summary.sourceAddress)
      const toLocal = summary.destinationAddress !== null && this.local.has(summary.destinationAddress)
      // Counted as out, every loopback packet would leave "in" at zero.
      if (fromLocal !== toLocal) return fromLocal
      if (!fromLocal) return true
    }
    if (fromInitiator !== undefined) return fromInitiator
    this.conversations ??= new ConversationTable()
    const flow = this.conversations.add(summary)
    return flow < 0 || this.conversations.directionOf(flow, summary) === 'a-to-b'
  }
}

/** The throughput series of a list of packets. */
export function throughputSeries(summaries: Iterable<PacketSummary>, options: ThroughputOptions = {}): ThroughputPoint[] {
  const series = new ThroughputSeries(options)
  for (const summary of summaries) series.add(summary)
  return series.points()
}
