/**
 * TCP sequence analysis as a capture shows it: what each segment was judged to be
 * (retransmission, duplicate ACK, zero window…) and the totals per conversation and capture.
 * The judgements follow Wireshark's `tcp.analysis.*` rules, so counts agree with tshark's.
 */

/** One bit per judgement a segment can carry. */
export const TCP_ANALYSIS = {
  RETRANSMISSION: 0x0001,
  FAST_RETRANSMISSION: 0x0002,
  SPURIOUS_RETRANSMISSION: 0x0004,
  OUT_OF_ORDER: 0x0008,
  /** A gap before this segment: the one before it was not captured. */
  LOST_SEGMENT: 0x0010,
  /** This ACK covers bytes the capture never saw. */
  ACKED_UNSEEN: 0x0020,
  DUPLICATE_ACK: 0x0040,
  ZERO_WINDOW: 0x0080,
  ZERO_WINDOW_PROBE: 0x0100,
  ZERO_WINDOW_PROBE_ACK: 0x0200,
  WINDOW_FULL: 0x0400,
  WINDOW_UPDATE: 0x0800,
  KEEP_ALIVE: 0x1000,
  KEEP_ALIVE_ACK: 0x2000,
  /** A SYN that starts a new connection on the endpoints of an earlier one. */
  PORTS_REUSED: 0x4000
} as const

/** Every bit that makes a segment a retransmission, as `tcp.analysis.retransmission` counts them. */
export const TCP_RETRANSMISSION_BITS = TCP_ANALYSIS.RETRANSMISSION | TCP_ANALYSIS.FAST_RETRANSMISSION | TCP_ANALYSIS.SPURIOUS_RETRANSMISSION

/** How bad a judgement is, in Wireshark's expert terms. */
export type TcpAnalysisSeverity = 'warning' | 'note' | 'chat'

/** One judgement: its bit, its filter name, how it reads and how bad it is. */
export interface TcpAnalysisKind {
  readonly bit: number
  /** The `analysis:` filter value, also the tshark field's last part. */
  readonly name: string
  readonly label: string
  readonly severity: TcpAnalysisSeverity
}

/** The judgements in the order the Expert column lists them. */
export const TCP_ANALYSIS_KINDS: readonly TcpAnalysisKind[] = [
  { bit: TCP_ANALYSIS.LOST_SEGMENT, name: 'lost_segment', label: 'Previous segment not captured', severity: 'warning' },
  { bit: TCP_ANALYSIS.ACKED_UNSEEN, name: 'ack_lost_segment', label: 'ACKed unseen segment', severity: 'warning' },
  { bit: TCP_ANALYSIS.OUT_OF_ORDER, name: 'out_of_order', label: 'Out-Of-Order', severity: 'warning' },
  { bit: TCP_ANALYSIS.FAST_RETRANSMISSION, name: 'fast_retransmission', label: 'Fast Retransmission', severity: 'note' },
  { bit: TCP_ANALYSIS.SPURIOUS_RETRANSMISSION, name: 'spurious_retransmission', label: 'Spurious Retransmission', severity: 'note' },
  { bit: TCP_ANALYSIS.RETRANSMISSION, name: 'retransmission', label: 'Retransmission', severity: 'note' },
  { bit: TCP_ANALYSIS.DUPLICATE_ACK, name: 'duplicate_ack', label: 'Dup ACK', severity: 'note' },
  { bit: TCP_ANALYSIS.ZERO_WINDOW, name: 'zero_window', label: 'ZeroWindow', severity: 'warning' },
  { bit: TCP_ANALYSIS.ZERO_WINDOW_PROBE, name: 'zero_window_probe', label: 'ZeroWindowProbe', severity: 'note' },
  { bit: TCP_ANALYSIS.ZERO_WINDOW_PROBE_ACK, name: 'zero_window_probe_ack', label: 'ZeroWindowProbeAck', severity: 'note' },
  { bit: TCP_ANALYSIS.WINDOW_FULL, name: 'window_full', label: 'Window Full', severity: 'warning' },
  { bit: TCP_ANALYSIS.WINDOW_UPDATE, name: 'window_update', label: 'Window Update', severity: 'chat' },
  { bit: TCP_ANALYSIS.KEEP_ALIVE, name: 'keep_alive', label: 'Keep-Alive', severity: 'note' },
  { bit: TCP_ANALYSIS.KEEP_ALIVE_ACK, name: 'keep_alive_ack', label: 'Keep-Alive ACK', severity: 'note' },
  { bit: TCP_ANALYSIS.PORTS_REUSED, name: 'reused_ports', label: 'Port numbers reused', severity: 'note' }
]

/** What the analysis found for one segment. */
export interface TcpSegmentAnalysis {
  /** A {@link TCP_ANALYSIS} bit set; 0 for an ordinary segment. */
  readonly flags: number
  /** The how-many-th duplicate of its ACK (1 for the first repeat); 0 when it is not one. */
  readonly duplicateAckNumber: number
  /** Seconds from the segment this packet acknowledges to this packet; null when it acknowledges none. */
  readonly ackRttSeconds: number | null
}

/** The Expert column's text: each judgement, a duplicate ACK with its number (`Dup ACK #2`). */
export function tcpAnalysisText(flags: number, duplicateAckNumber: number): string {
  const parts: string[] = []
  for (const kind of TCP_ANALYSIS_KINDS) {
    if ((flags & kind.bit) === 0) continue
    // A fast or spurious retransmission is also a retransmission: the more precise word is enough.
    if (kind.bit === TCP_ANALYSIS.RETRANSMISSION && (flags & (TCP_ANALYSIS.FAST_RETRANSMISSION | TCP_ANALYSIS.SPURIOUS_RETRANSMISSION)) !== 0) continue
    parts.push(kind.bit === TCP_ANALYSIS.DUPLICATE_ACK ? `Dup ACK #${duplicateAckNumber}` : kind.label)
  }
  return parts.join(', ')
}

/** The worst severity among the judgements, or null for none. */
export function tcpAnalysisSeverity(flags: number): TcpAnalysisSeverity | null {
  let worst: TcpAnalysisSeverity | null = null
  for (const kind of TCP_ANALYSIS_KINDS) {
    if ((flags & kind.bit) === 0) continue
    if (kind.severity === 'warning') return 'warning'
    if (kind.severity === 'note' || worst === null) worst = kind.severity
  }
  return worst
}

/** Counts of judgements over a conversation or a capture, as Wireshark counts its `tcp.analysis.*` fields. */
export interface TcpAnalysisCounts {
  /** Every kind of retransmission (plain, fast and spurious), as `tcp.analysis.retransmission` counts them. */
  readonly retransmissions: number
  readonly fastRetransmissions: number
  readonly spuriousRetransmissions: number
  readonly outOfOrder: number
  readonly lostSegments: number
  readonly ackedUnseen: number
  readonly duplicateAcks: number
  readonly zeroWindows: number
  readonly zeroWindowProbes: number
  readonly windowFull: number
  readonly windowUpdates: number
  readonly keepAlives: number
}

/** Round-trip times from data to its ACK, in seconds; null without a sample. */
export interface TcpRoundTrip {
  readonly samples: number
  readonly minSeconds: number | null
  readonly averageSeconds: number | null
  readonly maxSeconds: number | null
}

/** A conversation's analysis: its counts and its ACK round trips. */
export interface TcpConversationAnalysis extends TcpAnalysisCounts {
  readonly rtt: TcpRoundTrip
}

/** A conversation with nothing found and no round trip measured. */
export function emptyTcpAnalysis(): TcpConversationAnalysis {
  return {
    retransmissions: 0,
    fastRetransmissions: 0,
    spuriousRetransmissions: 0,
    outOfOrder: 0,
    lostSegments: 0,
    ackedUnseen: 0,
    duplicateAcks: 0,
    zeroWindows: 0,
    zeroWindowProbes: 0,
    windowFull: 0,
    windowUpdates: 0,
    keepAlives: 0,
    rtt: { samples: 0, minSeconds: null, averageSeconds: null, maxSeconds: null }
  }
}
