import { describe, expect, it } from 'vitest'
import { TCP_FLAG, type ThroughputPoint } from '../../../../../shared/model/decoded-packet'
import { summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { buildConversations, conversationKey, ConversationTable } from '../../../../../electron/backend/capture/analysis/conversations'
import { MAXIMUM_THROUGHPUT_POINTS, ThroughputSeries, throughputSeries } from '../../../../../electron/backend/capture/analysis/throughput'
import { ascii, ipv4Packet, ipv6Packet, tcpSegment, udpDatagram } from '../../../../support/capture/packet-builder'
import { elementAt } from '../../../../../shared/element-at'

function tcpPacket(fromClient: boolean, flags: number, payload = '', seconds = 100, nanos = 0, comment?: string) {
  const data = ipv4Packet({
    protocol: 6,
    source: fromClient ? [127, 0, 0, 1] : [127, 0, 0, 2],
    destination: fromClient ? [127, 0, 0, 2] : [127, 0, 0, 1],
    payload: tcpSegment({ sourcePort: fromClient ? 40000 : 443, destinationPort: fromClient ? 443 : 40000, flags, payload: ascii(payload) })
  })
  return summarizePacket({ interfaceIndex: 0, timestampSeconds: seconds, timestampNanos: nanos, originalLength: data.length, data, comment }, 101)
}

const { SYN, ACK, FIN, RST } = TCP_FLAG

describe('conversations', () => {
  it('folds both directions into one entry with counts each way and the handshake', () => {
    const packets = [
      tcpPacket(true, SYN, '', 100, 0, 'process: curl (pid 42)'),
      tcpPacket(false, SYN | ACK, '', 100, 500),
      tcpPacket(true, ACK, '', 100, 900),
      tcpPacket(true, ACK, 'hello', 101, 0),
      tcpPacket(false, ACK | FIN, 'bye', 102, 250_000_000),
      tcpPacket(true, RST)
    ]
    const [conversation, ...rest] = buildConversations(packets)
    expect(rest).toHaveLength(0)
    expect(conversation).toMatchObject({
      ipProtocol: 6,
      transport: 'tcp',
      addressA: '127.0.0.1',
      portA: 40000,
      addressB: '127.0.0.2',
      portB: 443,
      packetsAToB: 4,
      packetsBToA: 2,
      payloadBytesAToB: 5,
      payloadBytesBToA: 3,
      synSeen: true,
      synAckSeen: true,
      handshakeComplete: true,
      finFromA: false,
      finFromB: true,
      rstSeen: true,
      comment: 'process: curl (pid 42)',
      firstTimestamp: { seconds: 100, nanos: 0 },
      lastTimestamp: { seconds: 102, nanos: 250_000_000 }
    })
    expect(conversation!.durationSeconds).toBeCloseTo(2.25, 9)
    expect(conversation!.bytesAToB + conversation!.bytesBToA).toBe(packets.reduce((sum, p) => sum + p.originalLength, 0))
  })

  it('names the connecting side A even when the capture starts at the SYN-ACK', () => {
    const [conversation] = buildConversations([tcpPacket(false, SYN | ACK), tcpPacket(true, ACK)])
    expect(conversation).toMatchObject({ addressA: '127.0.0.1', portA: 40000, packetsAToB: 1, packetsBToA: 1, handshakeComplete: false })
  })

  it('gives both directions the same key and keeps protocols apart', () => {
    expect(conversationKey(tcpPacket(true, ACK))).toBe(conversationKey(tcpPacket(false, ACK)))
    const udp = (payload: Uint8Array) => summarizePacket({ interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 0, originalLength: payload.length, data: payload }, 101)
    const v6 = udp(ipv6Packet({ nextHeader: 17, payload: udpDatagram(40000, 443, ascii('q')) }))
    expect(conversationKey(v6)).toBe('17 [::1]:40000 [::1]:443')
    const table = new ConversationTable()
    table.add(tcpPacket(true, ACK))
    table.add(udp(ipv4Packet({ protocol: 17, payload: udpDatagram(40000, 443, ascii('q')) })))
    expect(table.size).toBe(2)
    expect(table.add(summarizePacket({ interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 0, originalLength: 3, data: Uint8Array.of(1, 2, 3) }, 1))).toBe(-1)
  })
})

/** A UDP packet of conversation `index` (out of many), from its client or back, `length` bytes of payload. */
function udpOf(index: number, fromClient: boolean, length: number, seconds = 100) {
  const client = [10, (index >> 16) & 255, (index >> 8) & 255, index & 255]
  const clientPort = 1024 + (index % 7)
  const data = ipv4Packet({
    protocol: 17,
    source: fromClient ? client : [192, 0, 2, 1],
    destination: fromClient ? [192, 0, 2, 1] : client,
    payload: udpDatagram(fromClient ? clientPort : 53, fromClient ? 53 : clientPort, new Uint8Array(length))
  })
  return summarizePacket({ interfaceIndex: 0, timestampSeconds: seconds, timestampNanos: 0, originalLength: data.length, data }, 101)
}

describe('conversation table', () => {
  const COUNT = 20_000

  it('finds each of many conversations again from either direction, numbered in the order first seen', () => {
    const table = new ConversationTable()
    for (let index = 0; index < COUNT; index++) expect(table.add(udpOf(index, true, index % 50))).toBe(index)
    // Answers come back in another order, after the table grew and rehashed many times.
    for (let index = COUNT - 1; index >= 0; index--) expect(table.add(udpOf(index, false, 1, 101))).toBe(index)
    expect(table.size).toBe(COUNT)
    expect(table.flowOf(udpOf(1234, false, 0))).toBe(1234)
    expect(table.flowOf(udpOf(COUNT, true, 0))).toBe(-1)
    expect(table.directionOf(77, udpOf(77, true, 0))).toBe('a-to-b')
    expect(table.directionOf(77, udpOf(77, false, 0))).toBe('b-to-a')
    const conversation = table.conversation(4321)!
    expect(conversation).toMatchObject({ addressA: '10.0.16.225', portA: 1024 + (4321 % 7), addressB: '192.0.2.1', portB: 53, packetsAToB: 1, packetsBToA: 1 })
    expect(conversation.key).toBe(conversationKey(udpOf(4321, false, 0)))
    expect(conversation.durationSeconds).toBe(1)
    expect(table.conversation(COUNT)).toBeNull()
    expect(table.conversation(-1)).toBeNull()
  })

  it('names the busiest conversations as a full sort would, whatever the limit', () => {
    const table = new ConversationTable()
    // Sizes repeat, so ties are settled by which conversation was seen first.
    const sizes = Array.from({ length: COUNT }, (_, index) => (index * 7919) % 997)
    sizes.forEach((size, index) => table.add(udpOf(index, true, size)))
    const sorted = sizes.map((size, index) => ({ size, index })).sort((first, second) => second.size - first.size || first.index - second.index)
    for (const limit of [0, 1, 10, 999, COUNT - 1, COUNT, COUNT + 1]) {
      expect(table.busiest(limit)).toEqual(sorted.slice(0, limit).map((entry) => entry.index))
    }
  })
})

describe('throughput', () => {
  const packets = [tcpPacket(true, SYN, '', 100, 100), tcpPacket(false, SYN | ACK, '', 100, 900_000_000), tcpPacket(true, ACK, 'data', 103, 0)]

  it('buckets bytes and packets per second by conversation direction, filling quiet seconds', () => {
    const points = throughputSeries(packets)
    expect(points.map((p) => [p.time, p.packetsOut, p.packetsIn])).toEqual([
      [100_000, 1, 1],
      [101_000, 0, 0],
      [102_000, 0, 0],
      [103_000, 1, 0]
    ])
    expect(elementAt(points, 0).bytesOut).toBe(elementAt(packets, 0).originalLength)
    expect(elementAt(points, 3).bytesOut).toBe(elementAt(packets, 2).originalLength)
  })

  it('uses local addresses when given', () => {
    const points = throughputSeries(packets, { localAddresses: ['127.0.0.2'], bucketSeconds: 10 })
    expect(points).toEqual([
      {
        time: 100_000,
        packetsOut: 1,
        packetsIn: 2,
        bytesOut: elementAt(packets, 1).originalLength,
        bytesIn: elementAt(packets, 0).originalLength + elementAt(packets, 2).originalLength
      }
    ])
  })
})

describe('throughput between two local addresses', () => {
  const exchange = [tcpPacket(true, SYN, '', 100), tcpPacket(false, SYN | ACK, '', 100), tcpPacket(true, ACK, 'request', 100), tcpPacket(false, ACK, 'a longer answer', 100)]

  it('counts what the opening side sent as out and the replies as in, as loopback sees each packet once', () => {
    const [point] = throughputSeries(exchange, { localAddresses: ['127.0.0.1', '127.0.0.2'] })
    expect(point).toEqual({
      time: 100_000,
      packetsOut: 2,
      packetsIn: 2,
      bytesOut: elementAt(exchange, 0).originalLength + elementAt(exchange, 2).originalLength,
      bytesIn: elementAt(exchange, 1).originalLength + elementAt(exchange, 3).originalLength
    })
    // The direction a caller already knows (the capture view's conversations) is taken as given.
    const series = new ThroughputSeries({ localAddresses: ['127.0.0.1', '127.0.0.2'] })
    for (const packet of exchange) series.add(packet, packet.sourceAddress === '127.0.0.2')
    expect(series.points().map((each) => [each.packetsOut, each.packetsIn])).toEqual([[2, 2]])
  })

  it('counts a packet between two addresses that are not local as out', () => {
    expect(throughputSeries(exchange, { localAddresses: ['10.0.0.1'] }).map((each) => [each.packetsOut, each.packetsIn])).toEqual([[4, 0]])
  })
})

describe('throughput of packets hours apart', () => {
  /** One small UDP packet every 3,601 s: each gap is just short enough to be filled in. */
  function sparseSeries(count: number): ThroughputSeries {
    const series = new ThroughputSeries()
    for (let index = 0; index < count; index += 1) {
      series.add(
        summarizePacket(
          {
            interfaceIndex: 0,
            timestampSeconds: 1_000_000 + index * 3601,
            timestampNanos: 0,
            originalLength: 60,
            data: ipv4Packet({ protocol: 17, payload: udpDatagram(40000, 53, ascii('q')) })
          },
          index
        )
      )
    }
    return series
  }
  const totals = (points: readonly ThroughputPoint[]) =>
    points.reduce((sum, point) => ({ packets: sum.packets + point.packetsIn + point.packetsOut, bytes: sum.bytes + point.bytesIn + point.bytesOut }), { packets: 0, bytes: 0 })

  it('merges buckets instead of returning millions of filled-in seconds, keeping the totals', () => {
    const points = sparseSeries(2000).points()
    expect(points.length).toBeLessThanOrEqual(MAXIMUM_THROUGHPUT_POINTS)
    expect(points.length).toBeGreaterThan(2000)
    expect(totals(points)).toEqual({ packets: 2000, bytes: 2000 * 60 })
    expect(elementAt(points, 0).time).toBe(1_000_000_000)
    for (let index = 1; index < points.length; index += 1) expect(elementAt(points, index).time).toBeGreaterThan(elementAt(points, index - 1).time)
  })

  it('stays serializable with 5,000 such packets', () => {
    const points = sparseSeries(5000).points()
    expect(points.length).toBeLessThanOrEqual(MAXIMUM_THROUGHPUT_POINTS)
    expect(totals(JSON.parse(JSON.stringify(points)) as ThroughputPoint[])).toEqual({ packets: 5000, bytes: 5000 * 60 })
  })

  it('fills gaps only inside the requested window, at full resolution when it fits', () => {
    const series = sparseSeries(2000)
    const lastBusy = (1_000_000 + 1999 * 3601) * 1000
    const fromTime = lastBusy - 10_000
    const points = series.points(fromTime)
    expect(points.map((point) => point.time)).toEqual(Array.from({ length: 11 }, (_, offset) => fromTime + offset * 1000))
    expect(totals(points)).toEqual({ packets: 1, bytes: 60 })
    expect(series.points(lastBusy + 1000)).toEqual([])
  })

  it('keeps buckets in time order when packets arrive out of order', () => {
    const series = new ThroughputSeries()
    for (const second of [5, 2, 9, 2, 7]) {
      series.add(
        summarizePacket(
          { interfaceIndex: 0, timestampSeconds: second, timestampNanos: 0, originalLength: 10, data: ipv4Packet({ protocol: 17, payload: udpDatagram(1, 2, ascii('q')) }) },
          second
        )
      )
    }
    const points = series.points()
    expect(points.map((point) => point.time)).toEqual([2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000])
    expect(points.map((point) => point.packetsIn + point.packetsOut)).toEqual([2, 0, 0, 1, 0, 1, 0, 1])
    expect(series.points(3500).map((point) => point.time)).toEqual([4000, 5000, 6000, 7000, 8000, 9000])
    expect(series.points(0, 3).reduce((sum, point) => sum + point.packetsOut + point.packetsIn, 0)).toBe(5)
  })
})
