/**
 * Totals of a capture (or of the packets a filter kept): counts, bytes, time span, protocols
 * and conversations. Incremental, so it works on a file streamed in batches.
 */

import type { PacketSummary, PacketTimestamp } from '../../../../shared/model/decoded-packet'
import { packetTimestamp, secondsBetween } from '../../../../shared/model/decoded-packet'
import type { TcpAnalysisCounts, TcpConversationAnalysis } from '../../../../shared/model/tcp-analysis'
import { ConversationTable, type ConversationReader } from './conversations'
import { TcpAnalysisTally, TcpAnalyzer } from './tcp-analysis'

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
  /** TCP analysis judgements over every TCP segment, as tshark counts `tcp.analysis.*`. */
  readonly tcpAnalysis: TcpAnalysisCounts
  /** A TCP conversation's analysis by its flow number; null for other conversations, and for every one of a filtered summary. */
  readonly conversationAnalysis: (flow: number) => TcpConversationAnalysis | null
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
  /** Every packet's conversation, which the TCP analysis works in. */
  private readonly everyConversation = new ConversationTable()
  /** The conversations of the packets counted: the same table unless a filter leaves packets out. */
  private readonly conversations: ConversationTable
  private readonly analyzer = new TcpAnalyzer()
  private readonly judgements = new TcpAnalysisTally()
  private seen = 0

  /**
   * `filtered` when some packets will be offered but not counted (a display filter): they still
   * shape the TCP analysis of the ones counted, as in Wireshark, which judges every segment
   * before it filters.
   */
  constructor(private readonly filtered = false) {
    this.conversations = filtered ? new ConversationTable() : this.everyConversation
  }

  /** Judges and counts one packet: {@link judge}, then {@link count}. */
  add(summary: PacketSummary): void {
    this.judge(summary)
    this.count(summary)
  }

  /**
   * Runs the TCP analysis on a packet. Every packet goes through here, in capture order (a
   * segment is judged by the ones before it), counted or not; returns the analysis, which holds
   * this packet's judgement until the next call.
   */
  judge(summary: PacketSummary): TcpAnalyzer {
    const flow = this.everyConversation.add(summary)
    this.analyzer.addSummary(flow, this.everyConversation.lastFromA, this.seen++, summary)
    return this.analyzer
  }

  /** Counts the packet judged last. */
  count(summary: PacketSummary): void {
    this.judgements.add(this.analyzer.flags)
    this.packets += 1
    this.bytes += summary.originalLength
    this.capturedBytes += summary.capturedLength
    if (summary.malformed !== null) this.malformed += 1
    const timestamp = packetTimestamp(summary)
    if (this.first === null || secondsBetween(timestamp, this.first) > 0) this.first = timestamp
    if (this.last === null || secondsBetween(this.last, timestamp) > 0) this.last = timestamp
    this.protocols.set(summary.protocol, (this.protocols.get(summary.protocol) ?? 0) + 1)
    if (this.filtered) this.conversations.add(summary)
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
      conversations: this.conversations,
      tcpAnalysis: this.judgements.counts(),
      // A filtered summary's conversations hold only some of their segments: their counts would mislead.
      conversationAnalysis: (flow) => (this.filtered ? null : this.analyzer.conversation(flow))
    }
  }
}
