import { describe, expect, it } from 'vitest'
import { TCP_FLAG, type DecodedField, type DecodedLayer } from '../../../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../../../shared/model/packet'
import { decodePacketTree, summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { buildDnsMessage } from '../../../../support/capture/dns-message-builder'
import { ascii, bytes, ipv4Packet, ipv6Packet, tcpSegment, uint16, uint32, udpDatagram } from '../../../../support/capture/packet-builder'
import { elementAt } from '../../../../../shared/element-at'

const raw = (data: Uint8Array): RawPacket => ({ interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 0, originalLength: data.length, data })
const tcp = (options: Parameters<typeof tcpSegment>[0]) => raw(ipv4Packet({ protocol: 6, payload: tcpSegment(options) }))
const udp = (source: number, destination: number, payload: Uint8Array) => raw(ipv4Packet({ protocol: 17, payload: udpDatagram(source, destination, payload) }))

function allFields(layers: readonly DecodedLayer[]): DecodedField[] {
  const out: DecodedField[] = []
  const walk = (fields: readonly DecodedField[]) => {
    for (const field of fields) {
      out.push(field)
      walk(field.children)
    }
  }
  for (const layer of layers) walk(layer.fields)
  return out
}

/** A ClientHello record with SNI and ALPN. */
function clientHello(serverName: string, protocols: readonly string[], recordLengthExtra = 0): Uint8Array {
  const name = ascii(serverName)
  const sni = bytes(uint16(0), uint16(name.length + 5), uint16(name.length + 3), 0, uint16(name.length), name)
  const alpnList = protocols.flatMap((protocol) => [protocol.length, ...ascii(protocol)])
  const alpn = bytes(uint16(16), uint16(alpnList.length + 2), uint16(alpnList.length), alpnList)
  const versions = bytes(uint16(43), uint16(5), 4, uint16(0x0304), uint16(0x0303))
  const extensions = bytes(sni, alpn, versions)
  const body = bytes(uint16(0x0303), new Uint8Array(32), 0, uint16(4), uint16(0x1301), uint16(0x1302), 1, 0, uint16(extensions.length), extensions)
  const handshake = bytes(1, 0, uint16(body.length), body)
  return bytes(22, uint16(0x0301), uint16(handshake.length + recordLengthExtra), handshake)
}

describe('TCP', () => {
  it('reads flags, numbers, options and the payload range', () => {
    const options = [2, 4, ...uint16(1460), 1, 3, 3, 7, 4, 2, 8, 10, ...uint32(111), ...uint32(222), 5, 18, ...uint32(100), ...uint32(200), ...uint32(300), ...uint32(400)]
    const tree = decodePacketTree(
      tcp({
        sourcePort: 443,
        destinationPort: 51000,
        sequence: 0xfffffff0,
        acknowledgment: 77,
        flags: TCP_FLAG.SYN | TCP_FLAG.ACK | TCP_FLAG.AE,
        window: 1024,
        options,
        payload: ascii('hi')
      }),
      101
    )
    expect(tree.summary).toMatchObject({
      transport: 'tcp',
      sourcePort: 443,
      destinationPort: 51000,
      tcpSequence: 0xfffffff0,
      tcpAcknowledgment: 77,
      tcpFlags: 0x112,
      tcpWindow: 1024,
      payloadOffset: 20 + 20 + 40,
      payloadLength: 2,
      malformed: null
    })
    expect(tree.summary.info).toBe('443 → 51000 [SYN, ACK, AE] Seq=4294967280 Ack=77 Win=1024 Len=2')
    expect(tree.tcpOptions).toEqual({
      maximumSegmentSize: 1460,
      windowScale: 7,
      sackPermitted: true,
      sackBlocks: [
        { left: 100, right: 200 },
        { left: 300, right: 400 }
      ],
      timestamp: { value: 111, echoReply: 222 }
    })
  })

  it('flags a bad option length but keeps ports and flags', () => {
    const summary = summarizePacket(tcp({ sourcePort: 1, destinationPort: 2, flags: TCP_FLAG.SYN, options: [2, 40, 0, 0] }), 101)
    expect(summary).toMatchObject({ sourcePort: 1, tcpFlags: TCP_FLAG.SYN })
    expect(summary.malformed).toMatchObject({ layer: 'tcp', offset: 40 })
  })

  it('flags a data offset below 5 words', () => {
    const segment = tcpSegment({ sourcePort: 1, destinationPort: 2, flags: TCP_FLAG.ACK })
    segment[12] = 0x30
    expect(summarizePacket(raw(ipv4Packet({ protocol: 6, payload: segment })), 101).malformed?.message).toContain('below 20')
  })
})

describe('UDP and ICMP', () => {
  it('flags a UDP length longer than the IP payload', () => {
    const summary = summarizePacket(raw(ipv4Packet({ protocol: 17, payload: udpDatagram(1, 2, ascii('abc'), 200) })), 101)
    expect(summary.malformed).toMatchObject({ layer: 'udp', offset: 24 })
    expect(summary.sourcePort).toBe(1)
  })

  it('names ICMP and ICMPv6 echo messages', () => {
    const echo = summarizePacket(raw(ipv4Packet({ protocol: 1, payload: bytes(8, 0, uint16(0), uint16(0x1234), uint16(7), ascii('abcdefgh')) })), 101)
    expect(echo).toMatchObject({ protocol: 'ICMP', icmpType: 8, icmpCode: 0, info: 'Echo (ping) request  id=0x1234, seq=7' })
    const reply = summarizePacket(raw(ipv6Packet({ nextHeader: 58, payload: bytes(129, 0, uint16(0), uint16(1), uint16(2)) })), 229)
    expect(reply).toMatchObject({ protocol: 'ICMPv6', icmpType: 129, info: 'Echo (ping) reply  id=0x0001, seq=2' })
    const solicitation = summarizePacket(raw(ipv6Packet({ nextHeader: 58, payload: bytes(135, 0, uint16(0), uint32(0), new Uint8Array(16)) })), 229)
    expect(solicitation.info).toBe('Neighbor Solicitation')
    const exceeded = summarizePacket(raw(ipv4Packet({ protocol: 1, payload: bytes(11, 0, uint16(0), uint32(0)) })), 101)
    expect(exceeded.info).toBe('Time-to-live exceeded (Time to live exceeded in transit)')
  })
})

describe('DNS', () => {
  const response = buildDnsMessage({
    id: 0xbeef,
    flags: 0x8180,
    questions: [{ name: 'www.example.test', type: 1 }],
    answers: [
      { name: 'www.example.test', type: 5, ttl: 30, data: 'edge.example.test' },
      { name: 'edge.example.test', type: 1, ttl: 30, data: '192.0.2.1' },
      { name: 'edge.example.test', type: 28, ttl: 30, data: '2001:db8::1' },
      { name: 'edge.example.test', type: 16, ttl: 30, data: ['a b', 'c"d'] },
      { name: 'edge.example.test', type: 4242, ttl: 30, data: Uint8Array.of(0xde, 0xad) }
    ]
  })

  it('decodes questions and answers through name compression', () => {
    const tree = decodePacketTree(udp(53, 40000, response), 101)
    expect(tree.summary.protocol).toBe('DNS')
    expect(tree.dns).toMatchObject({ id: 0xbeef, isResponse: true, responseCodeName: 'NOERROR', recursionDesired: true, recursionAvailable: true })
    expect(tree.dns!.questions).toEqual([{ name: 'www.example.test', type: 1, typeName: 'A', class: 1 }])
    expect(tree.dns!.answers.map((answer) => [answer.name, answer.typeName, answer.data])).toEqual([
      ['www.example.test', 'CNAME', 'edge.example.test'],
      ['edge.example.test', 'A', '192.0.2.1'],
      ['edge.example.test', 'AAAA', '2001:db8::1'],
      ['edge.example.test', 'TXT', '"a b" "c\\"d"'],
      ['edge.example.test', 'TYPE4242', '\\# 2 dead']
    ])
    expect(tree.summary.info).toBe('Standard query response 0xbeef A www.example.test CNAME edge.example.test A 192.0.2.1 AAAA 2001:db8::1 TXT "a b" "c\\"d" TYPE4242 \\# 2 dead')
  })

  it('decodes DNS over TCP behind its length prefix, and waits for a split message', () => {
    const framed = bytes(uint16(response.length), response)
    expect(summarizePacket(tcp({ sourcePort: 53, destinationPort: 40000, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: framed }), 101).info).toContain('CNAME edge.example.test')
    const split = summarizePacket(tcp({ sourcePort: 53, destinationPort: 40000, flags: TCP_FLAG.ACK, payload: framed.subarray(0, 30) }), 101)
    expect(split).toMatchObject({ protocol: 'DNS', malformed: null })
    expect(split.info).toContain('part of a')
  })

  it('stops a compression loop and keeps the header', () => {
    const looping = bytes(uint16(0x0101), uint16(0x0100), uint16(1), uint16(0), uint16(0), uint16(0), 0xc0, 12, uint16(1), uint16(1))
    const summary = summarizePacket(udp(40000, 53, looping), 101)
    expect(summary.malformed).toMatchObject({ layer: 'dns', message: 'DNS name compression loop' })
    expect(summary.info).toBe('Standard query 0x0101')
    const pastEnd = bytes(uint16(2), uint16(0x0100), uint16(1), uint16(0), uint16(0), uint16(0), 0xc0, 200, uint16(1), uint16(1))
    expect(summarizePacket(udp(40000, 53, pastEnd), 101).malformed?.message).toContain('past the message')
    const claimsMore = bytes(uint16(3), uint16(0x0100), uint16(60000), uint16(0), uint16(0), uint16(0), 1, 97, 0, uint16(1), uint16(1))
    expect(summarizePacket(udp(40000, 53, claimsMore), 101).malformed?.message).toContain('runs past the end')
    const longName = bytes(uint16(4), uint16(0x0100), uint16(1), uint16(0), uint16(0), uint16(0), ...new Array(5).fill([63, ...new Array(63).fill(97)]), 0, uint16(1), uint16(1))
    expect(summarizePacket(udp(40000, 53, longName), 101).malformed?.message).toContain('255')
  })

  it('masks the mDNS unicast-response bit', () => {
    const query = buildDnsMessage({ id: 0, flags: 0, questions: [{ name: 'printer.local', type: 1, class: 0x8001 }] })
    const tree = decodePacketTree(udp(5353, 5353, query), 101)
    expect(tree.summary.protocol).toBe('MDNS')
    expect(elementAt(tree.dns!.questions, 0).class).toBe(1)
  })
})

describe('TLS', () => {
  it('reads SNI, ALPN and supported versions from a ClientHello on any port', () => {
    const tree = decodePacketTree(
      tcp({ sourcePort: 50000, destinationPort: 9999, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, payload: clientHello('api.example.test', ['h2', 'http/1.1']) }),
      101
    )
    expect(tree.summary).toMatchObject({ protocol: 'TLS', info: 'Client Hello (SNI=api.example.test)', malformed: null })
    expect(tree.tls).toEqual({
      handshakeType: 1,
      handshakeName: 'Client Hello',
      recordVersion: 0x0301,
      helloVersion: 0x0303,
      serverName: 'api.example.test',
      alpn: ['h2', 'http/1.1'],
      supportedVersions: [0x0304, 0x0303],
      incomplete: false
    })
    const sni = allFields(tree.layers).find((field) => field.name === 'tls.handshake.extensions_server_name')!
    expect(sni.length).toBe('api.example.test'.length + 5)
  })

  it('marks a hello cut by the segment end as incomplete, not malformed', () => {
    const hello = clientHello('cut.example.test', ['h2'])
    const tree = decodePacketTree(tcp({ sourcePort: 50000, destinationPort: 443, flags: TCP_FLAG.ACK, payload: hello.subarray(0, 70) }), 101)
    expect(tree.summary.malformed).toBeNull()
    expect(tree.tls).toMatchObject({ incomplete: true, serverName: null })
  })

  it('flags a hello longer than its complete record', () => {
    const hello = clientHello('x.test', [], -10)
    const summary = summarizePacket(tcp({ sourcePort: 50000, destinationPort: 443, flags: TCP_FLAG.ACK, payload: hello }), 101)
    expect(summary.malformed).toMatchObject({ layer: 'tls' })
  })
})

describe('HTTP/1', () => {
  it('reads a request line and headers with byte ranges', () => {
    const request = ascii('GET /a?b=1 HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n')
    const tree = decodePacketTree(tcp({ sourcePort: 50000, destinationPort: 8080, flags: TCP_FLAG.ACK, payload: request }), 101)
    expect(tree.summary).toMatchObject({ protocol: 'HTTP', info: 'GET /a?b=1 HTTP/1.1' })
    expect(tree.http).toMatchObject({ kind: 'request', method: 'GET', target: '/a?b=1', version: 'HTTP/1.1' })
    expect(tree.http!.headers).toEqual([
      { name: 'Host', value: 'example.test' },
      { name: 'Accept', value: '*/*' }
    ])
    const uri = allFields(tree.layers).find((field) => field.name === 'http.request.uri')!
    expect(uri).toMatchObject({ offset: 40 + 4, length: 6 })
  })

  it('reads a status line', () => {
    const tree = decodePacketTree(tcp({ sourcePort: 8080, destinationPort: 50000, flags: TCP_FLAG.ACK, payload: ascii('HTTP/1.0 404 Not Found\r\n\r\n') }), 101)
    expect(tree.http).toMatchObject({ kind: 'response', statusCode: 404, reason: 'Not Found', version: 'HTTP/1.0' })
  })

  it('flags a broken start line but not one cut by the segment', () => {
    expect(summarizePacket(tcp({ sourcePort: 1, destinationPort: 2, flags: TCP_FLAG.ACK, payload: ascii('GET nothing-here\r\n') }), 101).malformed).toMatchObject({ layer: 'http' })
    expect(summarizePacket(tcp({ sourcePort: 1, destinationPort: 2, flags: TCP_FLAG.ACK, payload: ascii('GET /very/long/pa') }), 101).malformed).toBeNull()
  })
})

describe('details tree', () => {
  it('keeps every field inside the captured bytes', () => {
    const packets = [
      tcp({ sourcePort: 1, destinationPort: 443, flags: TCP_FLAG.ACK, options: [1, 1, 8, 10, ...uint32(1), ...uint32(2)], payload: clientHello('a.test', ['h2']) }),
      udp(53, 1, buildDnsMessage({ id: 1, flags: 0x8180, questions: [{ name: 'a.test', type: 1 }], answers: [{ name: 'a.test', type: 1, ttl: 1, data: '192.0.2.9' }] }))
    ]
    for (const packet of packets) {
      const tree = decodePacketTree(packet, 101)
      // Each field lies in its own layer's bytes or after them (a payload), never before.
      for (const layer of tree.layers) {
        for (const field of allFields([layer])) {
          expect(field.offset, field.name).toBeGreaterThanOrEqual(layer.offset)
          expect(field.offset + field.length, field.name).toBeLessThanOrEqual(packet.data.length)
        }
        expect(layer.offset + layer.length).toBeLessThanOrEqual(packet.data.length)
      }
      // Layers follow one another from the first byte.
      expect(elementAt(tree.layers, 0).offset).toBe(0)
      for (let index = 1; index < tree.layers.length; index++) expect(elementAt(tree.layers, index).offset).toBeGreaterThan(elementAt(tree.layers, index - 1).offset)
    }
  })
})
