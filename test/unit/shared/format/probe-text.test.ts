import { describe, expect, it } from 'vitest'
import { describeProbePolicy, describeProbeResult, describeSample, describeStatistics, formatProbeError, previewReceived } from '../../../../shared/format/probe-text'
import type { DnsReplySummary, UdpProbeResult, UdpReply } from '../../../../shared/model/probe'

describe('probe text', () => {
  it('prints samples like tcping and statistics like ping', () => {
    expect(describeSample({ sequence: 3, at: 0, ok: true, latencyMs: 0.2, error: null }, '[::1]:22')).toBe('seq=3 connected to [::1]:22 time=0.200 ms')
    const refused = { kind: 'refused' as const, phase: 'connect' as const, detail: null, code: 'ECONNREFUSED', message: 'nobody home' }
    expect(describeSample({ sequence: 4, at: 0, ok: false, latencyMs: null, error: refused }, 'x:1')).toBe('seq=4 refused: nobody home')
    expect(describeStatistics({ sent: 4, received: 3, lost: 1, lossPercent: 25, minMs: 1, avgMs: 2, maxMs: 3, p95Ms: 3, jitterMs: 1 })).toEqual([
      '4 sent, 3 connected, 25% loss',
      'min/avg/max/p95 = 1.000/2.000/3.000/3.000 ms, jitter 1.000 ms'
    ])
  })

  it('names the detail of an error and quotes received text safely', () => {
    expect(formatProbeError({ kind: 'dns', phase: 'dns', detail: 'nxdomain', code: 'ENOTFOUND', message: 'no such name' })).toBe('dns (nxdomain): no such name')
    expect(previewReceived({ byteLength: 4, hex: '6869', text: 'hi\r\n', truncated: true })).toBe('4 bytes "hi\\r\\n" …')
  })

  it('says what the backend’s policy allows, and how to widen it', () => {
    const denied = describeProbePolicy({ remoteTargets: 'deny', howToAllow: 'Start it with --allow-remote-targets.' })
    expect(denied).toContain('Remote targets are off')
    expect(denied).toContain('127.0.0.0/8, ::1')
    expect(denied?.endsWith(' Start it with --allow-remote-targets.')).toBe(true)
    expect(describeProbePolicy({ remoteTargets: 'deny', howToAllow: null })).toContain('Remote targets are off')
    expect(describeProbePolicy({ remoteTargets: 'ask', howToAllow: null })).toContain('asks you')
    expect(describeProbePolicy({ remoteTargets: 'allow', howToAllow: null })).toBeNull()
  })

  it('flags a reply to the DNS preset that is not a DNS answer in the text report, and only then', () => {
    const query = { id: 7, isResponse: false, responseCode: 'NOERROR', truncated: false, questionCount: 1, answerCount: 0, authorityCount: 0, additionalCount: 0, answers: [] }
    const answer: DnsReplySummary = { ...query, isResponse: true, answerCount: 1, answers: [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.7' }] }
    const reply = (dns: DnsReplySummary | null): UdpReply => ({
      receivedMs: 1,
      fromAddress: '127.0.0.1',
      fromPort: 5353,
      data: { byteLength: 2, hex: '6869', text: 'hi', truncated: false },
      dns
    })
    const result = (replies: UdpReply[], dnsQuery: UdpProbeResult['dnsQuery']): UdpProbeResult => ({
      kind: 'udp',
      host: '127.0.0.1',
      port: 5353,
      startedAt: 0,
      durationMs: 2,
      ok: true,
      dns: null,
      error: null,
      address: '127.0.0.1',
      localAddress: '127.0.0.1',
      localPort: 40000,
      sentBytes: 29,
      timeoutMs: 2000,
      replies,
      refusedMs: null,
      dnsQuery
    })
    const preset = { name: 'example.test', type: 'A' as const }
    const report = (probe: UdpProbeResult): string => describeProbeResult(probe).join('\n')
    expect(report(result([reply(null)], preset))).toContain('Not a DNS answer: the reply is not a DNS message')
    expect(report(result([reply(query)], preset))).toContain('Not a DNS answer: the reply is a DNS query, not a response')
    expect(report(result([reply(answer)], preset))).not.toContain('Not a DNS answer')
    expect(report(result([reply(answer)], preset))).toContain('DNS NOERROR, 1 answers: A 192.0.2.7')
    // Without the preset a reply is just bytes: nothing to flag.
    expect(report(result([reply(null)], null))).not.toContain('Not a DNS answer')
  })
})
