import { describe, expect, it } from 'vitest'
import { TCP_FLAG } from '../../../../../shared/model/decoded-packet'
import { summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { buildConversations, conversationKey, ConversationTable } from '../../../../../electron/backend/capture/analysis/conversations'
import { throughputSeries } from '../../../../../electron/backend/capture/analysis/throughput'
import { ascii, ipv4Packet, ipv6Packet, tcpSegment, udpDatagram } from '../../../../support/capture/packet-builder'

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
    expect(table.add(summarizePacket({ interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 0, originalLength: 3, data: Uint8Array.of(1, 2, 3) }, 1))).toBeNull()
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
    expect(points[0]!.bytesOut).toBe(packets[0]!.originalLength)
    expect(points[3]!.bytesOut).toBe(packets[2]!.originalLength)
  })

  it('uses local addresses when given', () => {
    const points = throughputSeries(packets, { localAddresses: ['127.0.0.2'], bucketSeconds: 10 })
    expect(points).toEqual([
      {
        time: 100_000,
        packetsOut: 1,
        packetsIn: 2,
        bytesOut: packets[1]!.originalLength,
        bytesIn: packets[0]!.originalLength + packets[2]!.originalLength
      }
    ])
  })
})
