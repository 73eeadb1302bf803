/**
 * What the TCP analysis found for each stored packet, in columns beside the packet store's:
 * about ten bytes a packet, so a million of them stay small. The analysis itself runs once, as
 * packets arrive; rows, details and the display filter read its findings from here.
 */
import type { DecodedField } from '../../../../shared/model/decoded-packet'
import { TCP_ANALYSIS, TCP_ANALYSIS_KINDS, type TcpSegmentAnalysis } from '../../../../shared/model/tcp-analysis'
import type { TcpAnalyzer } from '../analysis/tcp-analysis'
import { grown } from '../typed-array-growth'

/** One segment's findings plus the packet its ACK covers. */
export interface StoredSegmentAnalysis extends TcpSegmentAnalysis {
  /** The capture index of the segment this packet acknowledges, or null. */
  readonly ackedIndex: number | null
}

/** How the details tree words each finding, in the style of Wireshark's expert lines. */
const FINDING_TEXT: Readonly<Record<number, string>> = {
  [TCP_ANALYSIS.RETRANSMISSION]: 'This frame is a (suspected) retransmission',
  [TCP_ANALYSIS.FAST_RETRANSMISSION]: 'This frame is a (suspected) fast retransmission',
  [TCP_ANALYSIS.SPURIOUS_RETRANSMISSION]: 'This frame is a (suspected) spurious retransmission',
  [TCP_ANALYSIS.OUT_OF_ORDER]: 'This frame is a (suspected) out-of-order segment',
  [TCP_ANALYSIS.LOST_SEGMENT]: 'Previous segment(s) not captured',
  [TCP_ANALYSIS.ACKED_UNSEEN]: "ACKed segment that wasn't captured",
  [TCP_ANALYSIS.ZERO_WINDOW]: 'TCP Zero Window segment',
  [TCP_ANALYSIS.ZERO_WINDOW_PROBE]: 'TCP Zero Window Probe',
  [TCP_ANALYSIS.ZERO_WINDOW_PROBE_ACK]: 'TCP Zero Window Probe ACK',
  [TCP_ANALYSIS.WINDOW_FULL]: 'TCP window specified by the receiver is now completely full',
  [TCP_ANALYSIS.WINDOW_UPDATE]: 'TCP window update',
  [TCP_ANALYSIS.KEEP_ALIVE]: 'TCP keep-alive segment',
  [TCP_ANALYSIS.KEEP_ALIVE_ACK]: 'ACK to a TCP keep-alive segment',
  [TCP_ANALYSIS.PORTS_REUSED]: 'A new tcp session is started with the same ports as an earlier session in this trace'
}

/** A field made by the analysis rather than read from the packet: it points at no byte. */
function generated(name: string, label: string, value: string | number | boolean | null, display: string, children: DecodedField[] = []): DecodedField {
  return { name, label, value, display, offset: 0, length: 0, children }
}

/** The findings of every stored packet, by capture index. */
export class PacketAnalysisColumns {
  private flags = new Uint16Array(1024)
  /** Seconds, NaN for a packet that acknowledges no segment. */
  private ackRtts = new Float32Array(1024)
  /** The capture index plus one of the segment acknowledged, 0 for none. */
  private acked = new Uint32Array(1024)
  /** Duplicate ACKs are few: their numbers by capture index. */
  private readonly duplicateAckNumbers = new Map<number, number>()

  /** Keeps what `analyzer` found for the packet at `index`, added last. */
  record(index: number, analyzer: TcpAnalyzer): void {
    if (index >= this.flags.length) {
      this.flags = grown(this.flags, index + 1)
      this.ackRtts = grown(this.ackRtts, index + 1)
      this.acked = grown(this.acked, index + 1)
    }
    this.flags[index] = analyzer.flags
    this.ackRtts[index] = analyzer.ackRttSeconds
    this.acked[index] = analyzer.ackedIndex + 1
    if (analyzer.duplicateAckNumber !== 0) this.duplicateAckNumbers.set(index, analyzer.duplicateAckNumber)
  }

  /** The finding bits of the packet at `index` (0 for none, or one never analysed). */
  flagsOf(index: number): number {
    return this.flags[index] ?? 0
  }

  /** Everything found for the packet at `index`. */
  segment(index: number): StoredSegmentAnalysis {
    const rtt = this.ackRtts[index] ?? Number.NaN
    const acked = this.acked[index] ?? 0
    return {
      flags: this.flagsOf(index),
      duplicateAckNumber: this.duplicateAckNumbers.get(index) ?? 0,
      ackRttSeconds: Number.isNaN(rtt) ? null : rtt,
      ackedIndex: acked === 0 ? null : acked - 1
    }
  }

  /** The "SEQ/ACK analysis" group the details tree shows under TCP, or null when there is nothing to say. */
  treeField(index: number): DecodedField | null {
    const found = this.segment(index)
    const children: DecodedField[] = []
    if (found.ackedIndex !== null) children.push(generated('tcp.analysis.acks_frame', 'This is an ACK to the segment in frame', found.ackedIndex + 1, String(found.ackedIndex + 1)))
    if (found.ackRttSeconds !== null) {
      children.push(generated('tcp.analysis.ack_rtt', 'The RTT to ACK the segment was', found.ackRttSeconds, `${found.ackRttSeconds.toFixed(9)} seconds`))
    }
    if (found.duplicateAckNumber !== 0) {
      children.push(generated('tcp.analysis.duplicate_ack_num', 'Duplicate ACK number', found.duplicateAckNumber, `#${found.duplicateAckNumber}`))
    }
    const findings = TCP_ANALYSIS_KINDS.filter((kind) => (found.flags & kind.bit) !== 0).map((kind) =>
      generated(`tcp.analysis.${kind.name}`, FINDING_TEXT[kind.bit] ?? kind.label, true, kind.severity === 'warning' ? 'Warning' : kind.severity === 'note' ? 'Note' : 'Chat')
    )
    if (findings.length > 0) children.push(generated('tcp.analysis.flags', 'TCP Analysis Flags', null, `${findings.length} finding${findings.length === 1 ? '' : 's'}`, findings))
    if (children.length === 0) return null
    return generated('tcp.analysis', 'SEQ/ACK analysis', null, '', children)
  }
}
