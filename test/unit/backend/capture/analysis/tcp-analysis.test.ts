/**
 * The TCP analysis's own rules where no capture tool is needed: the bound on what it remembers
 * per direction, a new connection on reused ports, and what it leaves alone.
 */
import { describe, expect, it } from 'vitest'
import { MAXIMUM_UNACKED_SEGMENTS, TcpAnalyzer, type TcpSegmentInput } from '../../../../../electron/backend/capture/analysis/tcp-analysis'
import { TCP_FLAG } from '../../../../../shared/model/decoded-packet'
import { TCP_ANALYSIS } from '../../../../../shared/model/tcp-analysis'

const { SYN, ACK, FIN } = TCP_FLAG
let clock = 0

/** A segment of flow 0 at the next millisecond. */
function segment(fields: Partial<TcpSegmentInput> & Pick<TcpSegmentInput, 'sequence' | 'flags'>): TcpSegmentInput {
  clock += 1
  return {
    index: clock,
    timestampSeconds: 1_700_000_000 + Math.floor(clock / 1000),
    timestampNanos: (clock % 1000) * 1_000_000,
    acknowledgment: 0,
    window: 1000,
    windowScale: null,
    payloadLength: 0,
    ...fields
  }
}

/** A handshake between client sequence 1000 and server sequence 5000 on flow 0. */
function connect(analyzer: TcpAnalyzer, clientIsn = 1000): void {
  analyzer.add(0, true, segment({ sequence: clientIsn, flags: SYN }))
  analyzer.add(0, false, segment({ sequence: 5000, acknowledgment: clientIsn + 1, flags: SYN | ACK }))
  analyzer.add(0, true, segment({ sequence: clientIsn + 1, acknowledgment: 5001, flags: ACK }))
}

/** Sends `count` 10-byte segments from the client without an ACK; returns the next sequence number. */
function sendUnacked(analyzer: TcpAnalyzer, count: number): number {
  let sequence = 1001
  for (let sent = 0; sent < count; sent++) {
    analyzer.add(0, true, segment({ sequence, acknowledgment: 5001, flags: ACK, payloadLength: 10 }))
    sequence += 10
  }
  return sequence
}

describe('TcpAnalyzer', () => {
  it(`remembers at most ${MAXIMUM_UNACKED_SEGMENTS} unacknowledged segments a direction: the last one that fits gets its round trip`, () => {
    const analyzer = new TcpAnalyzer()
    connect(analyzer)
    // The SYN took one place until the SYN-ACK acknowledged it; now the data has them all.
    const end = sendUnacked(analyzer, MAXIMUM_UNACKED_SEGMENTS)
    expect(analyzer.unackedSegments).toBe(MAXIMUM_UNACKED_SEGMENTS)
    analyzer.add(0, false, segment({ sequence: 5001, acknowledgment: end, flags: ACK }))
    expect(analyzer.ackRttSeconds).toBeGreaterThan(0)
    expect(analyzer.ackedIndex).toBeGreaterThan(0)
    expect(analyzer.unackedSegments).toBe(0)
  })

  it('does not remember the segment past the limit, so its ACK has no round trip', () => {
    const analyzer = new TcpAnalyzer()
    connect(analyzer)
    const end = sendUnacked(analyzer, MAXIMUM_UNACKED_SEGMENTS + 1)
    expect(analyzer.unackedSegments).toBe(MAXIMUM_UNACKED_SEGMENTS)
    analyzer.add(0, false, segment({ sequence: 5001, acknowledgment: end, flags: ACK }))
    expect(analyzer.ackRttSeconds).toBeNaN()
    expect(analyzer.ackedIndex).toBe(-1)
    // The ACK still covers every remembered segment: nothing is kept for ever.
    expect(analyzer.unackedSegments).toBe(0)
  })

  it('keeps its state bounded over a long transfer that is acknowledged as it goes', () => {
    const analyzer = new TcpAnalyzer()
    connect(analyzer)
    let sequence = 1001
    for (let round = 0; round < 20_000; round++) {
      analyzer.add(0, true, segment({ sequence, acknowledgment: 5001, flags: ACK, payloadLength: 1000 }))
      sequence += 1000
      if (round % 2 === 1) analyzer.add(0, false, segment({ sequence: 5001, acknowledgment: sequence, flags: ACK }))
    }
    expect(analyzer.unackedSegments).toBe(0)
    expect(analyzer.conversation(0)?.rtt.samples).toBe(10_000 + 2)
  })

  it('starts over for a new SYN on the endpoints of a finished connection, instead of calling its data a gap', () => {
    const analyzer = new TcpAnalyzer()
    connect(analyzer)
    analyzer.add(0, true, segment({ sequence: 1001, acknowledgment: 5001, flags: FIN | ACK }))
    analyzer.add(0, false, segment({ sequence: 5001, acknowledgment: 1002, flags: FIN | ACK }))
    analyzer.add(0, true, segment({ sequence: 1002, acknowledgment: 5002, flags: ACK }))
    analyzer.add(0, true, segment({ sequence: 900_000, flags: SYN }))
    expect(analyzer.flags & TCP_ANALYSIS.PORTS_REUSED).not.toBe(0)
    analyzer.add(0, false, segment({ sequence: 70_000, acknowledgment: 900_001, flags: SYN | ACK }))
    analyzer.add(0, true, segment({ sequence: 900_001, acknowledgment: 70_001, flags: ACK }))
    analyzer.add(0, true, segment({ sequence: 900_001, acknowledgment: 70_001, flags: ACK, payloadLength: 100 }))
    expect(analyzer.flags).toBe(0)
    // The same SYN sent again, a second later, is a retransmission, not another new connection.
    clock += 1000
    analyzer.add(0, true, segment({ sequence: 900_000, flags: SYN }))
    expect(analyzer.flags & TCP_ANALYSIS.PORTS_REUSED).toBe(0)
    expect(analyzer.flags & TCP_ANALYSIS.RETRANSMISSION).not.toBe(0)
  })

  it('judges nothing and counts nothing for a packet that is not a whole TCP segment', () => {
    const analyzer = new TcpAnalyzer()
    const base = { interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 0, capturedLength: 60, originalLength: 60, linkType: 1, protocol: 'UDP', info: '' }
    const udp = { ...base, ipVersion: 4, sourceAddress: '10.0.0.1', destinationAddress: '10.0.0.2', ipProtocol: 17, transport: 'udp', sourcePort: 1, destinationPort: 2 } as const
    const blanks = {
      tcpFlags: null,
      tcpSequence: null,
      tcpAcknowledgment: null,
      tcpWindow: null,
      tcpWindowScale: null,
      icmpType: null,
      icmpCode: null,
      payloadOffset: 42,
      payloadLength: 10,
      fragment: false,
      malformed: null,
      comment: null
    }
    expect(analyzer.addSummary(0, true, 0, { ...udp, ...blanks })).toBe(false)
    const fragment = { ...udp, ...blanks, transport: 'tcp', ipProtocol: 6, tcpFlags: ACK, tcpSequence: 1, tcpAcknowledgment: 1, tcpWindow: 0, fragment: true } as const
    expect(analyzer.addSummary(0, true, 1, fragment)).toBe(false)
    expect(analyzer.addSummary(0, true, 2, { ...fragment, fragment: false })).toBe(true)
    // The same segment whole: its zero window is found, and counted once.
    expect(analyzer.flags & TCP_ANALYSIS.ZERO_WINDOW).not.toBe(0)
    expect(analyzer.captureCounts().zeroWindows).toBe(1)
    expect(analyzer.conversation(1)).toBeNull()
  })

  it('keeps each conversation its own counts and round trips, and none for one without findings', () => {
    const analyzer = new TcpAnalyzer()
    const on = (flow: number, fromA: boolean, fields: Parameters<typeof segment>[0]) => analyzer.add(flow, fromA, segment(fields))
    // Flow 0: a lone SYN. Flow 1: data, a retransmission of it, then its ACK. Flow 2: data and its ACK.
    on(0, true, { sequence: 100, flags: SYN })
    on(1, true, { sequence: 1000, acknowledgment: 1, flags: ACK, payloadLength: 10 })
    on(2, true, { sequence: 7000, acknowledgment: 1, flags: ACK, payloadLength: 10 })
    on(1, true, { sequence: 1000, acknowledgment: 1, flags: ACK, payloadLength: 10 })
    on(2, false, { sequence: 1, acknowledgment: 7010, flags: ACK })
    on(1, false, { sequence: 1, acknowledgment: 1010, flags: ACK })
    const [lone, lossy, clean] = [0, 1, 2].map((flow) => analyzer.conversation(flow))
    expect(lone).toMatchObject({ retransmissions: 0, rtt: { samples: 0, minSeconds: null } })
    expect(lossy).toMatchObject({ retransmissions: 1, rtt: { samples: 1 } })
    expect(clean).toMatchObject({ retransmissions: 0, rtt: { samples: 1 } })
    // Flow 1's ACK came 4 ms after its first copy, flow 2's 2 ms after its segment.
    expect(lossy?.rtt.minSeconds).toBeCloseTo(0.004, 9)
    expect(clean?.rtt.minSeconds).toBeCloseTo(0.002, 9)
    expect(analyzer.conversation(3)).toBeNull()
  })
})
