/**
 * Throughput over time: bytes and packets per time bucket, split into "out" and "in".
 *
 * With a set of local addresses, out means sent by a local address and in means received by
 * one (a packet between two local addresses, as on loopback, counts as out). Without one, each
 * packet's direction within its conversation decides: from the initiator (A) is out, the
 * replies are in. Packets without an IP layer count as out.
 */

import type { PacketSummary, ThroughputPoint } from '../../../../shared/model/decoded-packet'
import { normalizeIpAddress } from '../../../../shared/net/ip-address'
import { ConversationTable, directionOf } from './conversations'

/** Options of {@link ThroughputSeries}. */
export interface ThroughputOptions {
  /** Bucket width in seconds (default 1). */
  readonly bucketSeconds?: number
  /** This machine's addresses; without them, conversation direction is used. */
  readonly localAddresses?: Iterable<string>
}

/** Most empty buckets filled in between two busy ones; a longer pause leaves a jump in time. */
const MAXIMUM_FILLED_GAP = 3600

interface MutablePoint {
  time: number
  bytesIn: number
  bytesOut: number
  packetsIn: number
  packetsOut: number
}

/** Accumulates packets into time buckets. */
export class ThroughputSeries {
  private readonly bucketSeconds: number
  private readonly local: Set<string> | null
  private readonly conversations = new ConversationTable()
  private readonly buckets = new Map<number, MutablePoint>()

  constructor(options: ThroughputOptions = {}) {
    this.bucketSeconds = options.bucketSeconds !== undefined && options.bucketSeconds > 0 ? options.bucketSeconds : 1
    this.local =
      options.localAddresses === undefined
        ? null
        : new Set([...options.localAddresses].map((address) => normalizeIpAddress(address) ?? address))
  }

  /** Counts one packet (by its original length). */
  add(summary: PacketSummary): void {
    const index = Math.floor((summary.timestampSeconds + summary.timestampNanos / 1e9) / this.bucketSeconds)
    let point = this.buckets.get(index)
    if (point === undefined) {
      point = { time: index * this.bucketSeconds * 1000, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 }
      this.buckets.set(index, point)
    }
    if (this.isOutgoing(summary)) {
      point.bytesOut += summary.originalLength
      point.packetsOut += 1
    } else {
      point.bytesIn += summary.originalLength
      point.packetsIn += 1
    }
  }

  /** The buckets in time order, with empty buckets filled in between busy ones. */
  points(): ThroughputPoint[] {
    const indexes = [...this.buckets.keys()].sort((first, second) => first - second)
    const points: ThroughputPoint[] = []
    for (let position = 0; position < indexes.length; position += 1) {
      const index = indexes[position]!
      points.push({ ...this.buckets.get(index)! })
      const next = indexes[position + 1]
      if (next !== undefined && next - index - 1 <= MAXIMUM_FILLED_GAP) {
        for (let empty = index + 1; empty < next; empty += 1) {
          points.push({ time: empty * this.bucketSeconds * 1000, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 })
        }
      }
    }
    return points
  }

  private isOutgoing(summary: PacketSummary): boolean {
    if (this.local !== null) {
      if (summary.sourceAddress !== null && this.local.has(summary.sourceAddress)) return true
      return !(summary.destinationAddress !== null && this.local.has(summary.destinationAddress))
    }
    const conversation = this.conversations.add(summary)
    return conversation === null || directionOf(conversation, summary) === 'a-to-b'
  }
}

/** The throughput series of a list of packets. */
export function throughputSeries(summaries: Iterable<PacketSummary>, options: ThroughputOptions = {}): ThroughputPoint[] {
  const series = new ThroughputSeries(options)
  for (const summary of summaries) series.add(summary)
  return series.points()
}
