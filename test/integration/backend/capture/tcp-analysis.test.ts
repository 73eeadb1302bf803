/**
 * The TCP analysis against tshark's on real captures: a transfer through a router namespace
 * that drops a few percent of the data segments (seen at the receiver, where the gaps show,
 * and at the sender, where the retransmissions do), and crafted files for a shut window and
 * for keep-alives. Every finding's count must be tshark's within 1 or 5 %, whichever is larger;
 * in practice the frames, duplicate ACK numbers and ACK round trips are the same.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBuiltCli } from '../../../support/built-cli'
import {
  fastRetransmissionScript,
  keepAliveScript,
  repeatedSegmentsScript,
  writeScriptedTcpCapture,
  zeroWindowScript,
  type ScriptedSegment
} from '../../../support/capture/crafted-tcp-capture'
import { captureLossyTransfer, leftoverNamespaces, namespaceCaptureMissingReason } from '../../../support/capture/namespace-transfer'
import { allowedDifference, FINDINGS, sockscopeAnalysis, tsharkAnalysis, type AnalysisFrames } from '../../../support/capture/tshark-analysis'
import { wiresharkMissingReason } from '../../../support/capture/wireshark-tools'

let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-tcp-analysis-'))
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

/**
 * Compares both analyses of `path` finding by finding; returns tshark's counts for the caller's
 * own checks. `exact` for crafted files, whose findings depend on no timing heuristic: the very
 * same frames, not just counts within the tolerance.
 */
async function expectAgreement(path: string, exact = false): Promise<{ tshark: AnalysisFrames; ours: AnalysisFrames; counts: Record<string, number> }> {
  const [ours, tshark] = [await sockscopeAnalysis(path), tsharkAnalysis(path)]
  const counts: Record<string, number> = {}
  for (const name of FINDINGS) {
    const theirs = tshark.findings.get(name) ?? []
    const mine = ours.findings.get(name) ?? []
    counts[name] = theirs.length
    if (exact) expect(mine, `frames marked ${name}`).toEqual(theirs)
    expect(Math.abs(mine.length - theirs.length), `${name}: sockscope ${mine.length}, tshark ${theirs.length}`).toBeLessThanOrEqual(allowedDifference(theirs.length))
    // Beyond the counts: the same frames, so a count that agrees by luck does not pass.
    const shared = mine.filter((frame) => theirs.includes(frame)).length
    expect(shared, `${name}: frames both mark`).toBeGreaterThanOrEqual(theirs.length - allowedDifference(theirs.length))
  }
  for (const [frame, number] of tshark.duplicateAckNumbers) expect(ours.duplicateAckNumbers.get(frame), `duplicate ACK number of frame ${frame}`).toBe(number)
  expect(ours.ackRtts.size).toBe(tshark.ackRtts.size)
  for (const [frame, seconds] of tshark.ackRtts) expect(ours.ackRtts.get(frame), `ACK RTT of frame ${frame}`).toBeCloseTo(seconds, 6)
  return { tshark, ours, counts }
}

describe.skipIf(wiresharkMissingReason !== null)(`TCP analysis on crafted captures${wiresharkMissingReason ? ` (skipped: ${wiresharkMissingReason})` : ''}`, () => {
  const crafted = async (name: string, script: ScriptedSegment[]) => {
    const path = join(directory, `${name}.pcap`)
    await writeScriptedTcpCapture(path, script)
    return expectAgreement(path, true)
  }

  it('a shut window: zero windows, probes and their ACKs, the segment that filled it, the window opening again', async () => {
    const { counts } = await crafted('zero-window', zeroWindowScript())
    expect(counts).toMatchObject({ zero_window: 5, zero_window_probe: 3, zero_window_probe_ack: 3, window_full: 1 })
  })

  it('keep-alives with and without their byte, each with its ACK', async () => {
    const { counts } = await crafted('keep-alive', keepAliveScript())
    expect(counts).toMatchObject({ keep_alive: 4, keep_alive_ack: 4, retransmission: 0, duplicate_ack: 0 })
  })

  it('a repeated SYN, a spurious retransmission and a gap filled late', async () => {
    const { counts } = await crafted('repeated', repeatedSegmentsScript())
    expect(counts).toMatchObject({ retransmission: 3, spurious_retransmission: 1, lost_segment: 1, out_of_order: 0 })
  })

  it('fast retransmissions only within 20 ms of the duplicate ACKs, out of order only within the handshake round trip', async () => {
    const { counts } = await crafted('fast-retransmission', fastRetransmissionScript())
    expect(counts).toMatchObject({ fast_retransmission: 1, retransmission: 2, duplicate_ack: 9, out_of_order: 1, lost_segment: 3 })
  })
})

const namespaceReason = namespaceCaptureMissingReason()

describe.skipIf(namespaceReason !== null)(`TCP analysis on a lossy transfer between network namespaces${namespaceReason ? ` (skipped: ${namespaceReason})` : ''}`, () => {
  afterAll(() => {
    expect(leftoverNamespaces()).toEqual([])
  })

  it('at the receiver: gaps, duplicate ACKs, fast and plain retransmissions and out-of-order segments as tshark sees them; read --summary --json counts them alike', async () => {
    const path = join(directory, 'receiver.pcap')
    await captureLossyTransfer({ file: path, bytes: 4 * 1024 * 1024, dropPercent: 3, captureAt: 'receiver' })
    const { counts } = await expectAgreement(path)
    // The rule dropped segments: without findings the comparison would prove nothing.
    expect(counts.lost_segment).toBeGreaterThan(5)
    expect(counts.retransmission).toBeGreaterThan(5)
    expect(counts.duplicate_ack).toBeGreaterThan(5)

    const run = await runBuiltCli('read', path, '--summary', '--json')
    expect(run.code, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as {
      tcpAnalysis: Record<string, number>
      conversations: { tcpAnalysis: { retransmissions: number; rtt: { samples: number } } | null }[]
    }
    const pairs: [string, string][] = [
      ['retransmissions', 'retransmission'],
      ['duplicateAcks', 'duplicate_ack'],
      ['outOfOrder', 'out_of_order'],
      ['lostSegments', 'lost_segment'],
      ['zeroWindows', 'zero_window']
    ]
    for (const [field, name] of pairs) {
      const expected = counts[name] ?? 0
      expect(Math.abs((summary.tcpAnalysis[field] ?? -1) - expected), `${field}: ${summary.tcpAnalysis[field]} vs tshark ${expected}`).toBeLessThanOrEqual(
        allowedDifference(expected)
      )
    }
    const [conversation] = summary.conversations
    expect(conversation?.tcpAnalysis?.retransmissions).toBe(summary.tcpAnalysis.retransmissions)
    expect(conversation?.tcpAnalysis?.rtt.samples).toBeGreaterThan(0)
  }, 90_000)

  it('at the sender: its own retransmissions and the receiver duplicate ACKs, as tshark sees them', async () => {
    const path = join(directory, 'sender.pcap')
    await captureLossyTransfer({ file: path, bytes: 3 * 1024 * 1024, dropPercent: 5, captureAt: 'sender' })
    const { counts } = await expectAgreement(path)
    expect(counts.retransmission).toBeGreaterThan(5)
    expect(counts.duplicate_ack).toBeGreaterThan(5)
  }, 90_000)
})
