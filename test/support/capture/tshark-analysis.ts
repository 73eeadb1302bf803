/**
 * sockscope's TCP analysis of a capture file next to tshark's: which frames each finding
 * marks, the duplicate ACK numbers and the ACK round trips, from both.
 */
import { CaptureSummaryBuilder } from '../../../electron/backend/capture/analysis/capture-summary'
import { summarizePacket } from '../../../electron/backend/capture/decode/packet-decoder'
import { CaptureFileReader } from '../../../electron/backend/capture/files/capture-file-reader'
import { TCP_ANALYSIS_KINDS, TCP_RETRANSMISSION_BITS } from '../../../shared/model/tcp-analysis'
import { tsharkFields } from './wireshark-tools'

/** Every finding both sides name, by its tshark field (`tcp.analysis.<name>`). */
export const FINDINGS = TCP_ANALYSIS_KINDS.map((kind) => kind.name).filter((name) => name !== 'reused_ports')

/** Frame numbers (from 1) per finding, duplicate ACK numbers and ACK round trips (seconds) per frame. */
export interface AnalysisFrames {
  readonly findings: ReadonlyMap<string, readonly number[]>
  readonly duplicateAckNumbers: ReadonlyMap<number, number>
  readonly ackRtts: ReadonlyMap<number, number>
}

/** What sockscope's analysis finds in a file, through the same path `read` takes. */
export async function sockscopeAnalysis(path: string): Promise<AnalysisFrames> {
  const findings = new Map<string, number[]>(FINDINGS.map((name) => [name, []]))
  const duplicateAckNumbers = new Map<number, number>()
  const ackRtts = new Map<number, number>()
  const builder = new CaptureSummaryBuilder()
  let frame = 0
  for await (const batch of new CaptureFileReader(path)) {
    for (const packet of batch.packets) {
      frame += 1
      const analysis = builder.judge(summarizePacket(packet, batch.interfaces[packet.interfaceIndex]?.linkType ?? -1))
      for (const kind of TCP_ANALYSIS_KINDS) {
        const bits = kind.name === 'retransmission' ? TCP_RETRANSMISSION_BITS : kind.bit
        if ((analysis.flags & bits) !== 0) findings.get(kind.name)?.push(frame)
      }
      if (analysis.duplicateAckNumber !== 0) duplicateAckNumbers.set(frame, analysis.duplicateAckNumber)
      if (!Number.isNaN(analysis.ackRttSeconds)) ackRtts.set(frame, analysis.ackRttSeconds)
    }
  }
  return { findings, duplicateAckNumbers, ackRtts }
}

/** What tshark finds in the same file, in one run: each finding's field prints 1 on the frames it marks. */
export function tsharkAnalysis(path: string): AnalysisFrames {
  const fields = [...FINDINGS.map((name) => `tcp.analysis.${name}`), 'tcp.analysis.duplicate_ack_num', 'tcp.analysis.ack_rtt']
  const findings = new Map<string, number[]>(FINDINGS.map((name) => [name, []]))
  const duplicateAckNumbers = new Map<number, number>()
  const ackRtts = new Map<number, number>()
  for (const [frameText, ...values] of tsharkFields(path, ['frame.number', ...fields], undefined, [], 'first')) {
    const frame = Number(frameText)
    FINDINGS.forEach((name, position) => {
      if (values[position] === '1') findings.get(name)?.push(frame)
    })
    const [duplicateAck = '', ackRtt = ''] = values.slice(FINDINGS.length)
    if (duplicateAck !== '') duplicateAckNumbers.set(frame, Number(duplicateAck))
    if (ackRtt !== '') ackRtts.set(frame, Number(ackRtt))
  }
  return { findings, duplicateAckNumbers, ackRtts }
}

/** The difference the issue allows between two counts of one finding: 1, or 5 % of tshark's, whichever is larger. */
export function allowedDifference(tsharkCount: number): number {
  return Math.max(1, Math.floor(tsharkCount * 0.05))
}
