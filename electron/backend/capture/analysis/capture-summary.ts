/**
 * Totals of a capture (or of the packets a filter kept): counts, bytes, time span, protocols
 * and conversations. Incremental, so it works on a file streamed in batches.
 */

import type { PacketSummary, PacketTimestamp } from '../../../../shared/model/decoded-packet'
import { secondsBetween } from '../../../../shared/model/decoded-packet'
import { PacketHeaders } from '../decode/header-scan'
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
  /** Earliest and latest packet time; `firstSeconds` is NaN before the first packet. */
  private firstSeconds = Number.NaN
  private firstNanos = 0
  private lastSeconds = Number.NaN
  private lastNanos = 0
  /** Protocol column values in the order first seen, with their packet counts. */
  private readonly protocolNames: string[] = []
  private readonly protocolCounts: number[] = []
  private lastProtocol = -1
  /** Every packet's conversation, which the TCP analysis works in. */
  private readonly everyConversation = new ConversationTable()
  /** The conversations of the packets counted: the same table unless a filter leaves packets out. */
  private readonly conversations: ConversationTable
  private readonly analyzer = new TcpAnalyzer()
  private readonly judgements = new TcpAnalysisTally()
  /** The record a summary is read into. */
  private readonly scratch = new PacketHeaders()
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
    this.addHeaders(this.scratch.fromSummary(summary))
  }

  /** Judges and counts one packet read into headers (see readRecordHeaders). */
  addHeaders(headers: PacketHeaders): void {
    this.judgeHeaders(headers)
    this.countHeaders(headers)
  }

  /**
   * Runs the TCP analysis on a packet. Every packet goes through here, in capture order (a
   * segment is judged by the ones before it), counted or not; returns the analysis, which holds
   * this packet's judgement until the next call.
   */
  judge(summary: PacketSummary): TcpAnalyzer {
    return this.judgeHeaders(this.scratch.fromSummary(summary))
  }

  /** {@link judge} for a packet read into headers; sets their `index` to the packet's place in the capture. */
  judgeHeaders(headers: PacketHeaders): TcpAnalyzer {
    headers.index = this.seen++
    const flow = this.everyConversation.addHeaders(headers)
    this.analyzer.addHeaders(flow, this.everyConversation.lastFromA, headers)
    return this.analyzer
  }

  /** Counts the packet judged last. */
  count(summary: PacketSummary): void {
    this.countHeaders(this.scratch.fromSummary(summary))
  }

  /** {@link count} for a packet read into headers. */
  countHeaders(headers: PacketHeaders): void {
    this.judgements.add(this.analyzer.flags)
    this.packets += 1
    this.bytes += headers.originalLength
    this.capturedBytes += headers.capturedLength
    if (headers.malformed !== null) this.malformed += 1
    const seconds = headers.timestampSeconds
    const nanos = headers.timestampNanos
    if (!(seconds >= this.firstSeconds) || (seconds === this.firstSeconds && nanos < this.firstNanos)) {
      this.firstSeconds = seconds
      this.firstNanos = nanos
    }
    if (!(seconds <= this.lastSeconds) || (seconds === this.lastSeconds && nanos > this.lastNanos)) {
      this.lastSeconds = seconds
      this.lastNanos = nanos
    }
    this.countProtocol(headers.protocol)
    if (this.filtered) this.conversations.addHeaders(headers)
  }

  /** One more packet of a protocol: nearly always the one before, or one of a handful. */
  private countProtocol(name: string): void {
    let number = this.lastProtocol
    if (number < 0 || this.protocolNames[number] !== name) {
      number = this.protocolNames.indexOf(name)
      if (number < 0) {
        number = this.protocolNames.length
        this.protocolNames.push(name)
        this.protocolCounts.push(0)
      }
      this.lastProtocol = number
    }
    this.protocolCounts[number] = (this.protocolCounts[number] ?? 0) + 1
  }

  /** The totals so far. */
  totals(): CaptureTotals {
    const first = Number.isNaN(this.firstSeconds) ? null : { seconds: this.firstSeconds, nanos: this.firstNanos }
    const last = Number.isNaN(this.lastSeconds) ? null : { seconds: this.lastSeconds, nanos: this.lastNanos }
    return {
      packets: this.packets,
      bytes: this.bytes,
      capturedBytes: this.capturedBytes,
      firstTimestamp: first,
      lastTimestamp: last,
      durationSeconds: first === null || last === null ? 0 : secondsBetween(first, last),
      protocols: Object.fromEntries(this.protocolNames.map((name, number) => [name, this.protocolCounts[number] ?? 0])),
      malformedPackets: this.malformed,
      conversations: this.conversations,
      tcpAnalysis: this.judgements.counts(),
      // A filtered summary's conversations hold only some of their segments: their counts would mislead.
      conversationAnalysis: (flow) => (this.filtered ? null : this.analyzer.conversation(flow))
    }
  }
}
