import { describe, expect, it } from 'vitest'
import type { RawPacket } from '../../../../../shared/model/packet'
import { decodePacketTree, summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { ascii, bytes, ethernetFrame, ipv4Packet, ipv6Packet, uint16, uint32, udpDatagram } from '../../../../support/capture/packet-builder'
import { elementAt } from '../../../../../shared/element-at'

const raw = (data: Uint8Array, originalLength = data.length): RawPacket => ({
  interfaceIndex: 0,
  timestampSeconds: 1,
  timestampNanos: 2,
  originalLength,
  data
})

const udpIpv4 = ipv4Packet({ protocol: 17, payload: udpDatagram(40000, 7003, ascii('ping')) })

describe('link layers', () => {
  it('decodes 802.1Q and stacked 802.1ad tags', () => {
    const single = decodePacketTree(raw(ethernetFrame(0x0800, udpIpv4, [100])), 1)
    expect(single.summary).toMatchObject({ protocol: 'UDP', sourcePort: 40000, destinationPort: 7003, malformed: null })
    const vlan = single.layers.find((layer) => layer.kind === 'vlan')!
    expect(vlan.fields.find((field) => field.name === 'vlan.id')).toMatchObject({ value: 100, offset: 14, length: 2 })
    const stacked = decodePacketTree(raw(ethernetFrame(0x0800, udpIpv4, [10, 20])), 1)
    expect(stacked.layers.filter((layer) => layer.kind === 'vlan').map((layer) => layer.fields.find((f) => f.name === 'vlan.id')!.value)).toEqual([10, 20])
    expect(stacked.summary.payloadOffset).toBe(14 + 8 + 20 + 8)
  })

  it('decodes BSD null loopback in either byte order, and LOOP in network order', () => {
    const v6 = ipv6Packet({ nextHeader: 17, payload: udpDatagram(1, 2, ascii('x')) })
    expect(summarizePacket(raw(bytes([2, 0, 0, 0], udpIpv4)), 0)).toMatchObject({ ipVersion: 4, protocol: 'UDP' })
    expect(summarizePacket(raw(bytes([0, 0, 0, 2], udpIpv4)), 0)).toMatchObject({ ipVersion: 4, protocol: 'UDP' })
    expect(summarizePacket(raw(bytes([30, 0, 0, 0], v6)), 0)).toMatchObject({ ipVersion: 6, sourceAddress: '::1' })
    expect(summarizePacket(raw(bytes([0, 0, 0, 24], v6)), 0)).toMatchObject({ ipVersion: 6 })
    expect(summarizePacket(raw(bytes([0, 0, 0, 2], udpIpv4)), 108)).toMatchObject({ ipVersion: 4 })
    expect(summarizePacket(raw(bytes([0, 0, 0, 99], udpIpv4)), 108).info).toContain('family 99')
  })

  it('decodes raw IP by version nibble (101) and by link type (228, 229)', () => {
    const v6 = ipv6Packet({ nextHeader: 17, payload: udpDatagram(1, 2, ascii('x')) })
    expect(summarizePacket(raw(udpIpv4), 101)).toMatchObject({ ipVersion: 4, destinationAddress: '127.0.0.2' })
    expect(summarizePacket(raw(v6), 101)).toMatchObject({ ipVersion: 6 })
    expect(summarizePacket(raw(udpIpv4), 228)).toMatchObject({ ipVersion: 4 })
    expect(summarizePacket(raw(v6), 229)).toMatchObject({ ipVersion: 6 })
    expect(summarizePacket(raw(bytes(0x50, 1, 2)), 101).malformed).toMatchObject({ layer: 'ipv4' })
  })

  it('decodes Linux cooked v1 and v2 headers', () => {
    const v1 = bytes(uint16(0), uint16(772), uint16(6), [0, 0, 0, 0, 0, 0, 0, 0], uint16(0x0800), udpIpv4)
    expect(summarizePacket(raw(v1), 113)).toMatchObject({ protocol: 'UDP', sourceAddress: '127.0.0.1' })
    const v2 = bytes(uint16(0x86dd), uint16(0), uint32(1), uint16(772), 4, 6, [0, 0, 0, 0, 0, 0, 0, 0], ipv6Packet({ nextHeader: 17, payload: udpDatagram(5, 6, ascii('y')) }))
    const tree = decodePacketTree(raw(v2), 276)
    expect(tree.summary).toMatchObject({ protocol: 'UDP', ipVersion: 6, sourcePort: 5 })
    expect(elementAt(tree.layers, 0).fields.find((field) => field.name === 'sll.pkttype')!.display).toBe('Sent by us')
  })

  it('shows MAC addresses for ARP and flags short frames', () => {
    const arp = ethernetFrame(0x0806, bytes(uint16(1), uint16(0x0800), 6, 4, uint16(1), [2, 0, 0, 0, 0, 1], [10, 0, 0, 1], [0, 0, 0, 0, 0, 0], [10, 0, 0, 2]))
    expect(summarizePacket(raw(arp), 1)).toMatchObject({ protocol: 'ARP', info: 'Who has 10.0.0.2? Tell 10.0.0.1', sourceAddress: '02:00:00:00:00:01' })
    expect(summarizePacket(raw(bytes(1, 2, 3)), 1).malformed).toMatchObject({ layer: 'ethernet', offset: 0 })
    expect(summarizePacket(raw(bytes(1, 2, 3)), 9999).info).toContain('not decoded')
  })
})

describe('IPv4', () => {
  it('flags fragments: the first keeps its transport header, later ones have none', () => {
    const first = summarizePacket(raw(ipv4Packet({ protocol: 17, moreFragments: true, payload: udpDatagram(53, 5000, new Uint8Array(32), 4008) })), 101)
    expect(first).toMatchObject({ fragment: true, transport: 'udp', sourcePort: 53, protocol: 'UDP', malformed: null })
    const later = summarizePacket(raw(ipv4Packet({ protocol: 17, fragmentOffset: 1480, payload: new Uint8Array(100) })), 101)
    expect(later).toMatchObject({ fragment: true, transport: null, sourcePort: null, ipProtocol: 17, protocol: 'IPv4', payloadLength: 100 })
    expect(later.info).toContain('off=1480')
  })

  it('trims link-layer padding by the total length', () => {
    const padded = ethernetFrame(0x0800, bytes(ipv4Packet({ protocol: 17, payload: udpDatagram(1, 2, ascii('ab')) }), new Uint8Array(16)))
    expect(summarizePacket(raw(padded), 1)).toMatchObject({ payloadLength: 2, malformed: null })
  })

  it('uses the frame when the total length is 0 (segmentation offload)', () => {
    const offload = ipv4Packet({ protocol: 17, totalLength: 0, payload: udpDatagram(1, 2, ascii('abc'), 0) })
    expect(summarizePacket(raw(offload), 101)).toMatchObject({ payloadLength: 3, malformed: null })
  })

  it('flags bad headers but keeps the addresses', () => {
    const longer = summarizePacket(raw(ipv4Packet({ protocol: 17, totalLength: 400, payload: udpDatagram(1, 2, ascii('a')) })), 101)
    expect(longer.malformed).toMatchObject({ layer: 'ipv4', offset: 2 })
    expect(longer.sourceAddress).toBe('127.0.0.1')
    expect(longer.sourcePort).toBe(1)
    const snapped = summarizePacket(raw(ipv4Packet({ protocol: 17, totalLength: 400, payload: udpDatagram(1, 2, ascii('a'), 380) }), 400), 101)
    expect(snapped.malformed).toBeNull()
    expect(snapped.payloadLength).toBe(372)
    const shortHeader = ipv4Packet({ protocol: 6, payload: new Uint8Array(20) })
    shortHeader[0] = 0x44
    expect(summarizePacket(raw(shortHeader), 101).malformed?.message).toContain('below 20')
    expect(summarizePacket(raw(udpIpv4.subarray(0, 12)), 228).malformed?.message).toContain('truncated')
  })
})

describe('IPv6 extension headers', () => {
  const udp = udpDatagram(40000, 53, new Uint8Array(0))
  const hopByHop = (next: number) => [next, 0, 1, 4, 0, 0, 0, 0]
  const destination = (next: number) => [next, 1, ...new Array(14).fill(0)]
  const routing = (next: number) => [next, 0, 0, 0, 0, 0, 0, 0]
  const fragment = (next: number, offset: number, more: boolean) => [next, 0, ...uint16(offset | (more ? 1 : 0)), ...uint32(0xabcdef01)]
  const ah = (next: number) => [next, 1, 0, 0, ...uint32(1), ...uint32(2)]

  it('walks hop-by-hop, routing, destination options, AH and a first fragment to the transport', () => {
    const payload = bytes(hopByHop(43), routing(60), destination(51), ah(44), fragment(17, 0, true), udp)
    const tree = decodePacketTree(raw(ipv6Packet({ nextHeader: 0, payload })), 229)
    expect(tree.summary).toMatchObject({ transport: 'udp', sourcePort: 40000, fragment: true, ipProtocol: 17, malformed: null })
    expect(tree.layers.filter((layer) => layer.kind === 'ipv6-extension')).toHaveLength(5)
    expect(tree.summary.payloadOffset).toBe(40 + 8 + 8 + 16 + 12 + 8 + 8)
  })

  it('stops at a later fragment', () => {
    const summary = summarizePacket(raw(ipv6Packet({ nextHeader: 44, payload: bytes(fragment(17, 1448, false), new Uint8Array(40)) })), 229)
    expect(summary).toMatchObject({ fragment: true, transport: null, sourcePort: null, ipProtocol: 17, payloadLength: 40 })
    expect(summary.info).toContain('off=1448')
  })

  it('flags a chain that runs past the packet or never ends', () => {
    const cut = summarizePacket(raw(ipv6Packet({ nextHeader: 60, payload: bytes([17, 8, 0, 0]) })), 229)
    expect(cut.malformed).toMatchObject({ layer: 'ipv6-extension' })
    const endless = summarizePacket(raw(ipv6Packet({ nextHeader: 60, payload: bytes(...new Array(20).fill(destination(60))) })), 229)
    expect(endless.malformed?.message).toContain('more than')
  })
})
