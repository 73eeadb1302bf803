import { describe, expect, it } from 'vitest'
import { checkDnsMessage, dnsTypeCode, dnsTypeName, readDnsMessage, type DnsReadListener } from '../../../../shared/dns/dns-reader'
import { concatenateBytes } from '../../../../shared/bytes'
import { buildDnsMessage, DNS_TYPE } from '../../../support/capture/dns-message-builder'
import { seededRandom } from '../../../support/seeded-random'
import { elementAt } from '../../../../shared/element-at'

/** A name in uncompressed wire form. */
function wireName(name: string): Uint8Array {
  const labels = name.split('.').map((label) => Uint8Array.of(label.length, ...new TextEncoder().encode(label)))
  return concatenateBytes([...labels, Uint8Array.of(0)])
}

describe('readDnsMessage', () => {
  it('reads the header, questions and records, and reports where each one sits', () => {
    const bytes = buildDnsMessage({
      id: 0x1234,
      flags: 0x8580,
      questions: [{ name: 'a.example.test', type: DNS_TYPE.A }],
      answers: [
        { name: 'a.example.test', type: DNS_TYPE.A, ttl: 60, data: '192.0.2.10' },
        { name: 'a.example.test', type: DNS_TYPE.AAAA, ttl: 60, data: '2001:db8::a' }
      ]
    })
    const events: string[] = []
    const listener: DnsReadListener = {
      header: (header) => events.push(`header ${header.id} ${header.questionCount}/${header.answerCount}`),
      sectionStart: (section, count, offset) => events.push(`start ${section} ${count} @${offset}`),
      question: (question, place) => events.push(`question ${question.name} ${place.start}-${place.end}`),
      record: (record, place) => events.push(`record ${record.typeName} ${place.start}-${place.end} data@${place.dataStart}+${place.dataLength}`),
      sectionEnd: (section, offset) => events.push(`end ${section} @${offset}`)
    }
    const reading = readDnsMessage(bytes, 0, bytes.length, { listener })
    expect(reading?.problem).toBeNull()
    expect(reading?.message).toMatchObject({
      id: 0x1234,
      isResponse: true,
      authoritative: true,
      recursionDesired: true,
      recursionAvailable: true,
      responseCodeName: 'NOERROR',
      questions: [{ name: 'a.example.test', type: 1, typeName: 'A', class: 1 }],
      answers: [
        { section: 'answer', name: 'a.example.test', typeName: 'A', ttl: 60, data: '192.0.2.10' },
        { section: 'answer', name: 'a.example.test', typeName: 'AAAA', ttl: 60, data: '2001:db8::a' }
      ],
      authorities: [],
      additionals: []
    })
    // 12-byte header; the question is 16 bytes of name plus type and class; each answer starts
    // with a 2-byte pointer to that name, then 10 fixed bytes, then its data.
    expect(events).toEqual([
      'header 4660 1/2',
      'start question 1 @12',
      'question a.example.test 12-32',
      'end question @32',
      'start answer 2 @32',
      'record A 32-48 data@44+4',
      'record AAAA 48-76 data@60+16',
      'end answer @76'
    ])
    expect(bytes.length).toBe(76)
  })

  it('reads a message inside a larger buffer, with pointers relative to the message', () => {
    const message = buildDnsMessage({
      id: 7,
      flags: 0x8180,
      questions: [{ name: 'b.test', type: DNS_TYPE.PTR }],
      answers: [{ name: 'b.test', type: DNS_TYPE.PTR, ttl: 5, data: 'host.b.test' }]
    })
    const framed = concatenateBytes([Uint8Array.of(0xff, 0xff, 0xff), message, Uint8Array.of(0xee)])
    const reading = readDnsMessage(framed, 3, 3 + message.length)
    expect(reading?.problem).toBeNull()
    expect(reading?.message.answers.map((answer) => answer.data)).toEqual(['host.b.test'])
  })

  it('writes MX, SRV and SOA data the way zone files do, and unknown types as RFC 3597 hex', () => {
    const mx = concatenateBytes([Uint8Array.of(0, 10), wireName('mail.example.test')])
    const srv = concatenateBytes([Uint8Array.of(0, 1, 0, 2, 0x13, 0xc4), wireName('sip.example.test')])
    const soa = concatenateBytes([wireName('ns.example.test'), wireName('admin.example.test'), Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5)])
    const bytes = buildDnsMessage({
      id: 1,
      flags: 0x8180,
      questions: [{ name: 'example.test', type: 255 }],
      answers: [
        { name: 'example.test', type: 15, ttl: 1, data: mx },
        { name: 'example.test', type: 33, ttl: 1, data: srv },
        { name: 'example.test', type: 6, ttl: 1, data: soa },
        { name: 'example.test', type: 65534, ttl: 1, data: Uint8Array.of(1, 2, 3) }
      ]
    })
    const reading = readDnsMessage(bytes, 0, bytes.length)
    expect(reading?.message.answers.map((answer) => [answer.typeName, answer.data])).toEqual([
      ['MX', '10 mail.example.test'],
      ['SRV', '1 2 5060 sip.example.test'],
      ['SOA', 'ns.example.test admin.example.test 1 2 3 4 5'],
      ['TYPE65534', '\\# 3 010203']
    ])
  })

  it('masks the mDNS cache-flush bit only when asked to', () => {
    const bytes = buildDnsMessage({ id: 0, flags: 0, questions: [{ name: 'printer.local', type: DNS_TYPE.A, class: 0x8001 }] })
    expect(readDnsMessage(bytes, 0, bytes.length, { multicast: true })?.message.questions[0]?.class).toBe(1)
    expect(readDnsMessage(bytes, 0, bytes.length)?.message.questions[0]?.class).toBe(0x8001)
  })

  it('keeps what was read before a problem and says where it is', () => {
    const whole = buildDnsMessage({
      id: 9,
      flags: 0x8180,
      questions: [{ name: 'c.test', type: DNS_TYPE.A }],
      answers: [
        { name: 'c.test', type: DNS_TYPE.A, ttl: 1, data: '192.0.2.1' },
        { name: 'c.test', type: DNS_TYPE.A, ttl: 1, data: '192.0.2.2' }
      ]
    })
    const cut = whole.subarray(0, whole.length - 2)
    const ended: string[] = []
    const reading = readDnsMessage(cut, 0, cut.length, { listener: { sectionEnd: (section) => ended.push(section) } })
    expect(reading?.message.answers.map((answer) => answer.data)).toEqual(['192.0.2.1'])
    expect(reading?.message.answerCount).toBe(2)
    expect(reading?.problem).toEqual({ message: 'DNS record data runs past the end of the message', offset: whole.length - 4 })
    expect(ended).toEqual(['question'])
  })

  it('gives null when there is no room for a header, and a root name as <Root>', () => {
    expect(readDnsMessage(new Uint8Array(11), 0, 11)).toBeNull()
    const root = buildDnsMessage({ id: 2, flags: 0x0100, questions: [{ name: '', type: DNS_TYPE.NS }] })
    expect(readDnsMessage(root, 0, root.length)?.message.questions[0]?.name).toBe('<Root>')
  })
})

describe('DNS type names', () => {
  it('maps numbers and mnemonics both ways, with TYPEnnn for unnamed types', () => {
    expect(dnsTypeName(28)).toBe('AAAA')
    expect(dnsTypeName(65280)).toBe('TYPE65280')
    expect(dnsTypeCode('AAAA')).toBe(28)
    expect(dnsTypeCode('ANY')).toBe(255)
    expect(dnsTypeCode('NOPE')).toBeNull()
  })
})

describe('checkDnsMessage', () => {
  it('finds what readDnsMessage finds (too short, sound, or the same first problem) on 20,000 damaged messages', () => {
    const soa = concatenateBytes([wireName('ns.example.com'), wireName('admin.example.com'), new Uint8Array(20).fill(1)])
    const srv = concatenateBytes([Uint8Array.of(0, 1, 0, 2, 0x1f, 0x90), wireName('host.example.com')])
    const mx = concatenateBytes([Uint8Array.of(0, 10), wireName('mail.example.com')])
    const messages = [
      buildDnsMessage({ id: 1, flags: 0x0100, questions: [{ name: 'example.com', type: DNS_TYPE.A }] }),
      buildDnsMessage({
        id: 2,
        flags: 0x8180,
        questions: [{ name: 'www.example.com', type: DNS_TYPE.AAAA }],
        answers: [
          { name: 'www.example.com', type: DNS_TYPE.CNAME, ttl: 60, data: 'web.example.com' },
          { name: 'web.example.com', type: DNS_TYPE.A, ttl: 60, data: '192.0.2.1' },
          { name: 'web.example.com', type: DNS_TYPE.AAAA, ttl: 60, data: '2001:db8::1' },
          { name: 'example.com', type: DNS_TYPE.TXT, ttl: 60, data: ['v=spf1 -all', 'x'] },
          { name: 'example.com', type: 6, ttl: 60, data: soa },
          { name: 'example.com', type: 33, ttl: 60, data: srv },
          { name: 'example.com', type: 15, ttl: 60, data: mx },
          { name: 'example.com', type: 99, ttl: 60, data: Uint8Array.of(1, 2, 3) }
        ]
      })
    ]
    const next = seededRandom(0xd45)
    const verdicts = new Map<string, number>()
    const disagreements: string[] = []
    for (let round = 0; round < 20_000; round++) {
      const bytes = Uint8Array.from(elementAt(messages, Math.floor(next() * messages.length)))
      for (let count = Math.floor(next() * 4); count > 0; count--) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256)
      const end = next() < 0.3 ? Math.floor(next() * bytes.length) : bytes.length
      const reading = readDnsMessage(bytes, 0, end)
      const expected = reading === null ? 'too-short' : (reading.problem ?? 'sound')
      const found = checkDnsMessage(bytes, 0, end)
      const kind = typeof expected === 'string' ? expected : 'problem'
      verdicts.set(kind, (verdicts.get(kind) ?? 0) + 1)
      if (JSON.stringify(found) !== JSON.stringify(expected)) disagreements.push(`round ${round}: ${JSON.stringify(found)} vs ${JSON.stringify(expected)}`)
    }
    expect(disagreements.slice(0, 3)).toEqual([])
    // Every verdict came up often enough to mean something.
    expect(Math.min(...['too-short', 'sound', 'problem'].map((kind) => verdicts.get(kind) ?? 0))).toBeGreaterThan(500)
  })
})
