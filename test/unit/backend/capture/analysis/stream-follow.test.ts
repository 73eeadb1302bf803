import { describe, expect, it } from 'vitest'
import { TCP_FLAG } from '../../../../../shared/model/decoded-packet'
import { summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { followTcpStream, type SummarizedPacket } from '../../../../../electron/backend/capture/analysis/stream-follow'
import { ascii, ipv4Packet, tcpSegment } from '../../../../support/capture/packet-builder'
import { elementAt } from '../../../../../shared/element-at'

const CLIENT = [127, 0, 0, 1]
const SERVER = [127, 0, 0, 2]

/** A segment from the client (port 40000) or the server (port 80). */
function segment(fromClient: boolean, sequence: number, flags: number, payload = '', time = 0): SummarizedPacket {
  const data = ipv4Packet({
    protocol: 6,
    source: fromClient ? CLIENT : SERVER,
    destination: fromClient ? SERVER : CLIENT,
    payload: tcpSegment({ sourcePort: fromClient ? 40000 : 80, destinationPort: fromClient ? 80 : 40000, sequence, flags, payload: ascii(payload) })
  })
  const packet = { interfaceIndex: 0, timestampSeconds: 100 + time, timestampNanos: 0, originalLength: data.length, data }
  return { summary: summarizePacket(packet, 101), data }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const { SYN, ACK, PSH, FIN } = TCP_FLAG

describe('followTcpStream', () => {
  it('orders both directions and skips the SYN sequence number', () => {
    const stream = followTcpStream([
      segment(true, 1000, SYN),
      segment(false, 5000, SYN | ACK),
      segment(true, 1001, ACK),
      segment(true, 1001, ACK | PSH, 'GET / '),
      segment(true, 1007, ACK | PSH, 'HTTP/1.0\r\n'),
      segment(false, 5001, ACK | PSH, 'HTTP/1.0 200 OK\r\n'),
      segment(true, 1017, FIN | ACK),
      segment(false, 5018, FIN | ACK)
    ])!
    expect(stream.segments.map((s) => [s.direction, text(s.bytes), s.missingBefore])).toEqual([
      ['a-to-b', 'GET / HTTP/1.0\r\n', 0],
      ['b-to-a', 'HTTP/1.0 200 OK\r\n', 0]
    ])
    expect(stream).toMatchObject({ bytesAToB: 16, bytesBToA: 17, duplicateBytes: 0, missingBytes: 0 })
    expect(stream.conversation).toMatchObject({ addressA: '127.0.0.1', portA: 40000, handshakeComplete: true, finFromA: true, finFromB: true })
  })

  it('puts out-of-order segments back in sequence', () => {
    const stream = followTcpStream([
      segment(true, 1000, SYN),
      segment(true, 1011, ACK, 'ld'),
      segment(true, 1008, ACK, 'wor'),
      segment(true, 1001, ACK, 'hel'),
      segment(true, 1006, ACK, ', '),
      segment(true, 1004, ACK, 'lo')
    ])!
    expect(text(elementAt(stream.segments, 0).bytes)).toBe('hello, world')
    expect(stream.segments).toHaveLength(1)
  })

  it('keeps retransmitted and overlapping bytes once', () => {
    const stream = followTcpStream([segment(true, 1, ACK, 'abcdef'), segment(true, 1, ACK, 'abcdef'), segment(true, 4, ACK, 'defghi'), segment(true, 2, ACK, 'bc')])!
    expect(text(elementAt(stream.segments, 0).bytes)).toBe('abcdefghi')
    expect(stream.duplicateBytes).toBe(6 + 3 + 2)
  })

  it('reports a gap that never fills', () => {
    const stream = followTcpStream([segment(true, 100, ACK, 'start'), segment(true, 110, ACK, 'after-gap')])!
    expect(stream.segments.map((s) => [text(s.bytes), s.missingBefore])).toEqual([
      ['start', 0],
      ['after-gap', 5]
    ])
    expect(stream.missingBytes).toBe(5)
  })

  it('follows sequence numbers across the 2^32 wrap', () => {
    const stream = followTcpStream([segment(true, 0xfffffffe, SYN), segment(true, 2, ACK, 'def'), segment(true, 0xffffffff, ACK, 'abc')])!
    expect(text(elementAt(stream.segments, 0).bytes)).toBe('abcdef')
  })

  it('follows only the asked conversation and returns null for none', () => {
    const other = segment(true, 1, ACK, 'other')
    const mine = { ...segment(false, 1, ACK, 'mine') }
    const key = '6 127.0.0.1:40000 127.0.0.2:80'
    expect(followTcpStream([other, mine], key)!.segments.map((s) => text(s.bytes))).toEqual(['other', 'mine'])
    expect(followTcpStream([other], '6 10.0.0.1:1 10.0.0.2:2')).toBeNull()
  })
})
