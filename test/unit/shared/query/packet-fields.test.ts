import { describe, expect, it } from 'vitest'
import { TCP_FLAG, type PacketSummary } from '../../../../shared/model/decoded-packet'
import { TCP_ANALYSIS } from '../../../../shared/model/tcp-analysis'
import { compilePacketFilter, PACKET_QUERY_HELP } from '../../../../shared/query/packet-fields'

const base: PacketSummary = {
  interfaceIndex: 0,
  timestampSeconds: 1,
  timestampNanos: 0,
  capturedLength: 74,
  originalLength: 74,
  linkType: 1,
  protocol: 'TCP',
  info: '40000 → 443 [SYN] Seq=1 Win=65535 Len=0',
  ipVersion: 4,
  sourceAddress: '127.0.0.1',
  destinationAddress: '10.1.2.3',
  ipProtocol: 6,
  transport: 'tcp',
  sourcePort: 40000,
  destinationPort: 443,
  tcpFlags: TCP_FLAG.SYN,
  tcpSequence: 1,
  tcpAcknowledgment: 0,
  tcpWindow: 65535,
  tcpWindowScale: null,
  icmpType: null,
  icmpCode: null,
  payloadOffset: 54,
  payloadLength: 0,
  fragment: false,
  malformed: null,
  comment: 'process: firefox (pid 4242)'
}

const arp: PacketSummary = {
  ...base,
  protocol: 'ARP',
  info: 'Who has 10.0.0.2? Tell 10.0.0.1',
  ipVersion: null,
  ipProtocol: null,
  transport: null,
  sourcePort: null,
  destinationPort: null,
  tcpFlags: null,
  sourceAddress: '02:00:00:00:00:01',
  destinationAddress: 'ff:ff:ff:ff:ff:ff',
  comment: null
}

function matches(query: string, packet: PacketSummary): boolean {
  const compiled = compilePacketFilter(query)
  if (!compiled.ok) throw new Error(compiled.error.message)
  return compiled.query.matches(packet)
}

describe('packet filter fields', () => {
  it('matches ports, directions, addresses and flags', () => {
    expect(matches('port:443', base)).toBe(true)
    expect(matches('sport:443', base)).toBe(false)
    expect(matches('dport:443 lport:40000', base)).toBe(true)
    expect(matches('dst:10.0.0.0/8 src:127.0.0.1', base)).toBe(true)
    expect(matches('addr:10.1.2.3', base)).toBe(true)
    expect(matches('flags:syn -flags:ack', base)).toBe(true)
    expect(matches('flags:rst', base)).toBe(false)
    expect(matches('len:>70 len:<80 family:4 proto:tcp proto:ipv4', base)).toBe(true)
  })

  it('reads the owning process from the packet comment', () => {
    expect(matches('proc:firefox pid:4242', base)).toBe(true)
    expect(matches('pid:1', base)).toBe(false)
    expect(matches('proc:firefox', arp)).toBe(false)
  })

  it('never treats MAC addresses as IP addresses, and searches free text', () => {
    expect(matches('proto:arp', arp)).toBe(true)
    expect(matches('addr:10.0.0.0/8', arp)).toBe(false)
    expect(matches('"who has"', arp)).toBe(true)
    expect(matches('firefox', base)).toBe(true)
    expect(matches('443', base)).toBe(true)
  })

  it('flags malformed packets and fragments', () => {
    expect(matches('malformed:yes', { ...base, malformed: { layer: 'tcp', message: 'x', offset: 1 } })).toBe(true)
    expect(matches('malformed:no', base)).toBe(true)
    expect(matches('fragment:yes', { ...base, fragment: true })).toBe(true)
  })

  it('explains bad terms and has help', () => {
    const compiled = compilePacketFilter('proto:tpc')
    expect(compiled.ok).toBe(false)
    if (!compiled.ok) expect(compiled.error.message).toContain('did you mean "tcp"')
    expect(PACKET_QUERY_HELP).toContain('flags:syn')
  })

  it('matches TCP analysis findings, a retransmission of any kind under retransmission, as tshark does', () => {
    const fast = { ...base, tcpAnalysis: TCP_ANALYSIS.FAST_RETRANSMISSION }
    const duplicate = { ...base, tcpAnalysis: TCP_ANALYSIS.DUPLICATE_ACK }
    expect(matches('analysis:retransmission', fast)).toBe(true)
    expect(matches('analysis:fast_retransmission', fast)).toBe(true)
    expect(matches('analysis:fast-retransmission', fast)).toBe(true)
    expect(matches('analysis:spurious_retransmission', fast)).toBe(false)
    expect(matches('analysis:retransmission', duplicate)).toBe(false)
    expect(matches('expert:duplicate_ack', duplicate)).toBe(true)
    expect(matches('analysis:any', duplicate)).toBe(true)
    // A packet never analysed, or one with nothing found, has no finding.
    expect(matches('analysis:any', base)).toBe(false)
    expect(matches('analysis:any', { ...base, tcpAnalysis: 0 })).toBe(false)
    expect(matches('-analysis:any', base)).toBe(true)
    const compiled = compilePacketFilter('analysis:retransmision')
    expect(compiled.ok).toBe(false)
    if (!compiled.ok) expect(compiled.error.message).toContain('did you mean "retransmission"')
    expect(PACKET_QUERY_HELP).toContain('analysis:retransmission')
  })
})
