/**
 * The header scan against the full decoder: wherever the scan answers for a packet, its record
 * must hold exactly what the decoded summary gives, on the capture fixtures, on crafted packets
 * at every edge the scan checks, and on thousands of frames damaged in their headers.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RawPacket } from '../../../../../shared/model/packet'
import { TCP_FLAG } from '../../../../../shared/model/decoded-packet'
import { DetectingStreamParser } from '../../../../../electron/backend/capture/files/capture-stream-parser'
import { summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { PacketHeaders, scanHeaders } from '../../../../../electron/backend/capture/decode/header-scan'
import { AddressTable } from '../../../../../electron/backend/capture/analysis/address-table'
import { ascii, bytes, ethernetFrame, ipv4Packet, ipv6Packet, tcpSegment, udpDatagram, uint16 } from '../../../../support/capture/packet-builder'
import { buildDnsMessage } from '../../../../support/capture/dns-message-builder'
import { elementAt } from '../../../../../shared/element-at'
import { seededRandom } from '../../../../support/seeded-random'

const fixtureDirectory = join(__dirname, '../../../../fixtures/capture')

/** Every packet of every capture fixture, with its link type. */
function fixturePackets(): { packet: RawPacket; linkType: number }[] {
  const found: { packet: RawPacket; linkType: number }[] = []
  for (const name of readdirSync(fixtureDirectory)) {
    const parser = new DetectingStreamParser()
    const packets: RawPacket[] = []
    parser.feed(new Uint8Array(readFileSync(join(fixtureDirectory, name))), packets)
    for (const packet of packets) found.push({ packet, linkType: parser.interfaces[packet.interfaceIndex]?.linkType ?? -1 })
  }
  return found
}

/** Numbers the scanned addresses, so they can be compared as the decoder's text. */
const table = new AddressTable()

/** The record's fields as plain values, addresses as the decoder writes them. */
function fieldsOf(headers: PacketHeaders): Record<string, unknown> {
  const address = (words: Uint32Array, text: string | null) =>
    headers.addressesAsText ? text : headers.ipVersion === 0 ? null : table.text(table.intern(headers.ipVersion === 4 ? 4 : 6, words))
  return {
    protocol: headers.protocol,
    malformed: headers.malformed,
    ipVersion: headers.ipVersion,
    ipProtocol: headers.ipProtocol,
    transport: headers.transport,
    source: address(headers.source, headers.sourceText),
    destination: address(headers.destination, headers.destinationText),
    sourcePort: headers.sourcePort,
    destinationPort: headers.destinationPort,
    tcpFlags: headers.tcpFlags,
    tcp: headers.tcpFlags < 0 ? null : [headers.sequence, headers.acknowledgment, headers.window, headers.windowScale],
    payloadLength: headers.payloadLength,
    fragment: headers.fragment,
    analysable: headers.analysable,
    lengths: [headers.originalLength, headers.capturedLength],
    time: [headers.timestampSeconds, headers.timestampNanos]
  }
}

/** Bytes around a packet in its file's buffer: the scan must read neither before nor past the packet. */
const BEFORE = 7
const AFTER = new Uint8Array(64).fill(0x45)

/**
 * Scans a packet where it sits inside a larger buffer; returns null when the scan declines it,
 * else the scanned and the decoded fields.
 */
function bothWays(packet: RawPacket, linkType: number): { scanned: Record<string, unknown>; decoded: Record<string, unknown> } | null {
  const scanned = new PacketHeaders().start(packet)
  const buffer = new Uint8Array(BEFORE + packet.data.length + AFTER.length).fill(0x60)
  buffer.set(packet.data, BEFORE)
  buffer.set(AFTER, BEFORE + packet.data.length)
  if (!scanHeaders(scanned, buffer, BEFORE, packet.data.length, packet.originalLength, linkType)) return null
  return { scanned: fieldsOf(scanned), decoded: fieldsOf(new PacketHeaders().fromSummary(summarizePacket(packet, linkType))) }
}

const dnsQuery = (id: number, name: string, type: number) => buildDnsMessage({ id, flags: 0x0100, questions: [{ name, type }] })

const packetOf = (data: Uint8Array, originalLength = data.length): RawPacket => ({ interfaceIndex: 0, timestampSeconds: 1_700_000_000, timestampNanos: 5, originalLength, data })

const tcp = (options: Parameters<typeof tcpSegment>[0]) => ethernetFrame(0x0800, ipv4Packet({ protocol: 6, payload: tcpSegment(options) }))
const udp = (sourcePort: number, destinationPort: number, payload: Uint8Array, length?: number) =>
  ethernetFrame(0x0800, ipv4Packet({ protocol: 17, payload: udpDatagram(sourcePort, destinationPort, payload, length) }))

describe('scanHeaders', () => {
  it('agrees with the decoder on every fixture packet it reads, and reads most of them', () => {
    const packets = fixturePackets()
    let scanned = 0
    for (const { packet, linkType } of packets) {
      const result = bothWays(packet, linkType)
      if (result === null) continue
      scanned += 1
      expect(result.scanned).toEqual(result.decoded)
    }
    expect(packets.length).toBeGreaterThan(100)
    expect(scanned).toBeGreaterThan(packets.length / 2)
  })

  it('reads plain TCP (options, window scale), UDP, DNS and IPv6 itself', () => {
    const plain: Uint8Array[] = [
      tcp({ sourcePort: 40000, destinationPort: 8080, flags: TCP_FLAG.SYN, options: [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0] }),
      tcp({ sourcePort: 40000, destinationPort: 8080, flags: TCP_FLAG.ACK | TCP_FLAG.PSH, acknowledgment: 77, payload: ascii('hello') }),
      udp(40000, 9999, ascii('data')),
      udp(40000, 53, dnsQuery(0x1234, 'example.com', 1)),
      ethernetFrame(0x86dd, ipv6Packet({ nextHeader: 6, payload: tcpSegment({ sourcePort: 1, destinationPort: 2, flags: TCP_FLAG.ACK }) })),
      ipv4Packet({ protocol: 17, payload: udpDatagram(5, 6, ascii('x')) })
    ]
    const linkTypes = [1, 1, 1, 1, 1, 228]
    plain.forEach((data, position) => {
      const result = bothWays(packetOf(data), elementAt(linkTypes, position))
      expect(result, `packet ${position}`).not.toBeNull()
      expect(result?.scanned).toEqual(result?.decoded)
    })
    const dns = bothWays(packetOf(udp(40000, 53, dnsQuery(0x1234, 'example.com', 1))), 1)
    expect(dns?.scanned.protocol).toBe('DNS')
    const syn = bothWays(packetOf(elementAt(plain, 0)), 1)
    expect(syn?.scanned.tcp).toEqual([1000, 0, 65535, 7])
  })

  it('leaves to the decoder what it does not read exactly', () => {
    const declined: [string, Uint8Array, number?][] = [
      ['a VLAN tag', ethernetFrame(0x0800, ipv4Packet({ protocol: 17, payload: udpDatagram(1, 2, ascii('x')) }), [5])],
      ['a fragment', ethernetFrame(0x0800, ipv4Packet({ protocol: 17, payload: udpDatagram(1, 2, ascii('x')), moreFragments: true }))],
      ['ICMP', ethernetFrame(0x0800, ipv4Packet({ protocol: 1, payload: bytes(8, 0, 0, 0, 0, 1, 0, 1) }))],
      ['a TLS record', tcp({ sourcePort: 5000, destinationPort: 443, flags: TCP_FLAG.ACK, payload: bytes(22, 3, 1, uint16(4), 1, 0, 0, 0) })],
      ['an HTTP request', tcp({ sourcePort: 5000, destinationPort: 80, flags: TCP_FLAG.ACK, payload: ascii('GET / HTTP/1.1\r\n\r\n') })],
      ['DNS over TCP', tcp({ sourcePort: 5000, destinationPort: 53, flags: TCP_FLAG.ACK, payload: bytes(0, 2, 0, 0) })],
      ['a bad TCP option length', tcp({ sourcePort: 5000, destinationPort: 6000, flags: TCP_FLAG.SYN, options: [3, 4, 7, 0] })],
      ['a UDP length past the IP payload', udp(1, 2, ascii('x'), 99)],
      ['an IPv4 length past the frame', ethernetFrame(0x0800, ipv4Packet({ protocol: 17, payload: udpDatagram(1, 2, ascii('x')), totalLength: 500 }))],
      ['an IPv6 extension header', ethernetFrame(0x86dd, ipv6Packet({ nextHeader: 0, payload: bytes(17, 0, 0, 0, 0, 0, 0, 0, udpDatagram(1, 2, ascii('x'))) }))]
    ]
    for (const [what, data] of declined) {
      const headers = new PacketHeaders().start(packetOf(data))
      expect(scanHeaders(headers, data, 0, data.length, data.length, 1), what).toBe(false)
    }
  })

  it('agrees with the decoder on 10,000 frames damaged in their headers', () => {
    const next = seededRandom(0x5ca9)
    const frames = fixturePackets().filter(({ linkType }) => linkType === 1 || linkType === 101 || linkType === 228 || linkType === 229)
    let scanned = 0
    const disagreements: string[] = []
    for (let round = 0; round < 10_000; round++) {
      const { packet, linkType } = elementAt(frames, Math.floor(next() * frames.length))
      const data = Uint8Array.from(packet.data)
      // Mostly the first 80 bytes, where the headers the scan reads sit.
      for (let count = 1 + Math.floor(next() * 3); count > 0; count--) data[Math.floor(next() * Math.min(80, data.length))] = Math.floor(next() * 256)
      const cut = next() < 0.2 ? data.subarray(0, Math.floor(next() * data.length)) : data
      const damaged = packetOf(cut, next() < 0.2 ? cut.length + 40 : cut.length)
      const result = bothWays(damaged, linkType)
      if (result === null) continue
      scanned += 1
      if (JSON.stringify(result.scanned) !== JSON.stringify(result.decoded))
        disagreements.push(`round ${round}: ${JSON.stringify(result.scanned)} vs ${JSON.stringify(result.decoded)}`)
    }
    expect(disagreements.slice(0, 3)).toEqual([])
    expect(scanned).toBeGreaterThan(2_500)
  })
})
