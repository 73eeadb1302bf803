import { describe, expect, it } from 'vitest'
import { decodeDnsReply, encodeDnsQuery, validateDnsName } from '../../../../shared/dns/dns-query'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('encodeDnsQuery', () => {
  it('builds a standard recursive query with one question', () => {
    // Header: id 0x1234, RD, QDCOUNT 1; then 7example 3com 0, QTYPE A, QCLASS IN.
    expect(hex(encodeDnsQuery({ name: 'example.com', type: 'A' }, 0x1234))).toBe('123401000001000000000000076578616d706c6503636f6d0000010001')
  })

  it('ignores a trailing dot and encodes the root name', () => {
    expect(encodeDnsQuery({ name: 'example.com.', type: 'AAAA' }, 1)).toEqual(encodeDnsQuery({ name: 'example.com', type: 'AAAA' }, 1))
    expect(hex(encodeDnsQuery({ name: '.', type: 'NS' }, 0))).toBe('000001000001000000000000' + '00' + '0002' + '0001')
  })

  it('validates names', () => {
    expect(validateDnsName('_sip._tcp.example.com').ok).toBe(true)
    expect(validateDnsName('').ok).toBe(false)
    expect(validateDnsName('a b').ok).toBe(false)
    expect(validateDnsName(`${'x'.repeat(64)}.com`).ok).toBe(false)
  })
})

describe('decodeDnsReply', () => {
  it('reads the header and A, AAAA and CNAME answers with name compression', () => {
    const query = Buffer.from(encodeDnsQuery({ name: 'www.example.com', type: 'A' }, 0xbeef))
    const header = Buffer.from('beef81800001000300000000', 'hex')
    const question = query.subarray(12)
    const cname = Buffer.concat([
      Buffer.from('c00c0005000100000e10', 'hex'),
      Buffer.from('0006', 'hex'),
      Buffer.from('0363646ec010', 'hex') // "cdn" + pointer to "example.com" at offset 16
    ])
    const a = Buffer.from('c00c000100010000003c0004c0000201', 'hex')
    const aaaa = Buffer.from('c00c001c00010000003c001020010db8000000000000000000000001', 'hex')
    const reply = decodeDnsReply(Buffer.concat([header, question, cname, a, aaaa]))
    expect(reply).toEqual({
      id: 0xbeef,
      isResponse: true,
      responseCode: 'NOERROR',
      truncated: false,
      questionCount: 1,
      answerCount: 3,
      authorityCount: 0,
      additionalCount: 0,
      answers: [
        { name: 'www.example.com', type: 'CNAME', ttl: 3600, data: 'cdn.example.com' },
        { name: 'www.example.com', type: 'A', ttl: 60, data: '192.0.2.1' },
        { name: 'www.example.com', type: 'AAAA', ttl: 60, data: '2001:db8::1' }
      ]
    })
  })

  it('names the response code and survives truncated or looping data', () => {
    const nxdomain = decodeDnsReply(Buffer.from('00018183000000000000000000', 'hex'))
    expect(nxdomain?.responseCode).toBe('NXDOMAIN')
    expect(decodeDnsReply(Buffer.from('0001', 'hex'))).toBeNull()
    // One answer whose name points at itself: decoding stops instead of looping.
    const loop = decodeDnsReply(Buffer.from('000181800000000100000000c00c', 'hex'))
    expect(loop?.answers).toEqual([])
    expect(loop?.answerCount).toBe(1)
  })
})
