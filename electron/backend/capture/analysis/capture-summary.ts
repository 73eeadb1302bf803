/**
 * Totals of a capture (or of the packets a filter kept): counts, bytes, time span, protocols
 * and conversations. Incremental, so it works on a file streamed in batches.
 */

import type { PacketSummary, PacketTimestamp } from '../../../../shared/model/decoded-packet'
import { packetTimestamp, secondsBetween } from '../../../../shared/model/decoded-packet'
import { ConversationTable, type ConversationReader } from './conversations'

/** What {@link CaptureSummaryBuilder} reports. */
export interface CaptureTotals {
  readonly packets: number
  /** Sum of the packets' original (wire) lengths, as capinfos counts "data size". */
  readonly bytes: number
  /** Sum of the captured lengths (less than `bytes` when a snaplen cut packets). */
  readonly capturedBytes: number
  /** Earliest and latest packet time; null without packets. */
  readonly firstTimestamp: PacketTimestamp | null
  readonly lastTimestamp: PacketTimestamp | null
  readonly durationSeconds: number
  /** Packets per protocol column value, e.g. { TCP: 40, DNS: 14 }. */
  readonly protocols: Readonly<Record<string, number>>
  readonly malformedPackets: number
  /** Read one at a time: a file can hold millions. */
  readonly conversations: ConversationReader
}

/** Adds packets up. */
export class CaptureSummaryBuilder {
  private packets = 0
  private bytes = 0
  private capturedBytes = 0
  private malformed = 0
  private first: PacketTimestamp | null = null
  private last: PacketTimestamp | null = null
  private readonly protocols = new Map<string, number>()
  private readonly conversations = new ConversationTable()

  /** Counts one packet. */
  add(summary: PacketSummary): void {
    this.packets += 1
    this.bytes += summary.originalLength
    this.capturedBytes += summary.capturedLength
    if (summary.malformed !== null) this.malformed += 1
    const timestamp = packetTimestamp(summary)
    if (this.first === null || secondsBetween(timestamp, this.first) > 0) this.first = timestamp
    if (this.last === null || secondsBetween(this.last, timestamp) > 0) this.last = timestamp
    this.protocols.set(summary.protocol, (this.protocols.get(summary.protocol) ?? 0) + 1)
    this.conversations.add(summary)
  }

  /** The totals so far. */
  totals(): CaptureTotals {
    return {
      packets: this.packets,
      bytes: this.bytes,
      capturedBytes: this.capturedBytes,
      firstTimestamp: this.first,
      lastTimestamp: this.last,
      durationSeconds: this.first === null || this.last === null ? 0 : secondsBetween(this.first, this.last),
      protocols: Object.fromEntries(this.protocols),
      malformedPackets: this.malformed,
      conversations: this.conversations
    }
  }
}
