import { BlockList, isIP } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  formatIpAddress,
  formatIpNetwork,
  ipAddressFromBytes,
  ipAddressesEqual,
  isIpAddress,
  isIpv4Mapped,
  makeIpNetwork,
  networkContains,
  normalizeIpAddress,
  parseIpAddress,
  parseIpNetwork,
  unmapIpv4,
  type IpAddress,
  type IpNetwork
} from '../../../../shared/net/ip-address'
import { elementAt } from '../../../../shared/element-at'

function address(text: string): IpAddress {
  const parsed = parseIpAddress(text)
  if (parsed === null) throw new Error(`test address ${text} did not parse`)
  return parsed
}

function network(text: string): IpNetwork {
  const parsed = parseIpNetwork(text)
  if (!parsed.ok) throw new Error(`test network ${text} did not parse: ${parsed.reason}`)
  return parsed.network
}

/** A small deterministic generator, so the cross-checks below are repeatable. */
function randomWords(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state
  }
}

describe('parseIpAddress', () => {
  it('reads IPv4 into one word', () => {
    expect(parseIpAddress('10.0.0.1')).toEqual({ family: 4, words: [0x0a000001], zone: null })
    expect(parseIpAddress('255.255.255.255')?.words).toEqual([0xffffffff])
    expect(parseIpAddress('0.0.0.0')?.words).toEqual([0])
  })

  it('reads IPv6 in full, shortened and with an embedded IPv4 tail', () => {
    expect(parseIpAddress('::1')).toEqual({ family: 6, words: [0, 0, 0, 1], zone: null })
    expect(parseIpAddress('::')?.words).toEqual([0, 0, 0, 0])
    expect(parseIpAddress('2001:db8:0:0:0:0:0:1')?.words).toEqual([0x20010db8, 0, 0, 1])
    expect(parseIpAddress('2001:DB8::1')?.words).toEqual([0x20010db8, 0, 0, 1])
    expect(parseIpAddress('fe80::')?.words).toEqual([0xfe800000, 0, 0, 0])
    expect(parseIpAddress('::ffff:10.0.0.1')?.words).toEqual([0, 0, 0xffff, 0x0a000001])
    expect(parseIpAddress('64:ff9b::192.0.2.33')?.words).toEqual([0x0064ff9b, 0, 0, 0xc0000221])
  })

  it('keeps a zone aside and accepts brackets', () => {
    expect(parseIpAddress('fe80::1%lo')).toEqual({ family: 6, words: [0xfe800000, 0, 0, 1], zone: 'lo' })
    expect(parseIpAddress('[::1]')?.words).toEqual([0, 0, 0, 1])
  })

  it.each([
    '',
    '10.0.0',
    '10.0.0.1.2',
    '256.0.0.1',
    '10.0.0.01',
    '10.0.0.-1',
    '10.0.0.1/8',
    'a.b.c.d',
    ':',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '12345::',
    'g::1',
    ':1::',
    '::1%',
    '::ffff:10.0.0',
    '10.0.0.1:443',
    '*'
  ])('refuses %j', (text) => {
    expect(parseIpAddress(text)).toBeNull()
    expect(isIpAddress(text)).toBe(false)
  })

  it('agrees with node:net isIP on which texts are addresses', () => {
    const samples = [
      '127.0.0.1',
      '1.2.3.4',
      '::',
      '::1',
      '1::',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6::8',
      '1::7:8',
      '::2:3:4:5:6:7:8',
      '::ffff:1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4',
      'fe80::1%eth0',
      '1.2.3',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '::ffff:1.2.3.256',
      '1:2:3:4:5:6:7:1.2.3.4',
      'abcde::1'
    ]
    for (const text of samples) expect(isIpAddress(text), text).toBe(isIP(text) !== 0)
  })

  it('agrees with node:net isIP on generated near-addresses', () => {
    const next = randomWords(12345)
    const alphabet = '0129afF:.%'
    const quad = () => Array.from({ length: 4 }, () => String(next() % 300)).join('.')
    const generate = (): string => {
      if (next() % 3 === 0) return quad()
      const groups = Array.from({ length: 8 }, () => (next() % 4 === 0 ? '0' : (next() % 0x1ffff).toString(16)))
      if (next() % 4 === 0) groups.splice(6, 2, quad())
      const text = groups.join(':')
      if (next() % 2 === 0) return text
      // Shorten a run of groups to "::", sometimes a whole-address or edge run.
      const from = next() % 8
      const to = Math.min(8, from + 1 + (next() % 8))
      const parts = text.split(':')
      return `${parts.slice(0, from).join(':')}::${parts.slice(to).join(':')}`
    }
    let accepted = 0
    for (let round = 0; round < 20_000; round += 1) {
      let text = generate()
      if (next() % 3 === 0) {
        // One random edit: a replaced, inserted or deleted character.
        const at = next() % (text.length + 1)
        const character = elementAt(alphabet, next() % alphabet.length)
        const edit = next() % 3
        text = text.slice(0, at) + (edit === 2 ? '' : character) + text.slice(edit === 1 ? at : at + 1)
      }
      const expected = isIP(text) !== 0
      if (isIpAddress(text) !== expected) expect.fail(`${JSON.stringify(text)}: node:net says ${expected}`)
      if (expected) accepted += 1
    }
    // Both outcomes must be common, or the comparison proves little.
    expect(accepted).toBeGreaterThan(2_000)
    expect(accepted).toBeLessThan(17_000)
  })
})

describe('formatIpAddress and normalizeIpAddress', () => {
  it.each([
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0::0001', 'fe80::1'],
    ['0:0:0:0:0:ffff:a00:1', '::ffff:10.0.0.1'],
    ['::FFFF:127.0.0.1', '::ffff:127.0.0.1'],
    ['fe80::1%lo', 'fe80::1%lo'],
    ['[::1]', '::1'],
    ['192.168.1.20', '192.168.1.20']
  ])('writes %s as %s', (input, expected) => {
    expect(normalizeIpAddress(input)).toBe(expected)
  })

  it('returns null for a non-address', () => {
    expect(normalizeIpAddress('localhost')).toBeNull()
  })

  it('shortens IPv6 the same way the WHATWG URL parser does', () => {
    const next = randomWords(7)
    for (let round = 0; round < 300; round += 1) {
      // Sparse groups so that zero runs of every length and place occur.
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? (next() >>> 16).toString(16) : '0'))
      const text = groups.join(':')
      const parsed = address(text)
      if (isIpv4Mapped(parsed)) continue
      expect(formatIpAddress(parsed), text).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1))
    }
  })
})

describe('ipAddressFromBytes', () => {
  it('builds IPv4 and IPv6 from network-order bytes', () => {
    expect(ipAddressFromBytes(new Uint8Array([192, 168, 0, 255]))).toEqual(address('192.168.0.255'))
    const loopback = new Uint8Array(16)
    loopback[15] = 1
    expect(ipAddressFromBytes(loopback)).toEqual(address('::1'))
  })

  it('refuses other lengths', () => {
    expect(ipAddressFromBytes(new Uint8Array(5))).toBeNull()
  })
})

describe('IPv4-mapped addresses', () => {
  it('are recognised and unmapped', () => {
    expect(isIpv4Mapped(address('::ffff:10.0.0.1'))).toBe(true)
    expect(isIpv4Mapped(address('::10.0.0.1'))).toBe(false)
    expect(isIpv4Mapped(address('10.0.0.1'))).toBe(false)
    expect(unmapIpv4(address('::ffff:10.0.0.1'))).toEqual(address('10.0.0.1'))
    expect(unmapIpv4(address('::1'))).toEqual(address('::1'))
  })

  it('equal their IPv4 address', () => {
    expect(ipAddressesEqual(address('::ffff:10.0.0.1'), address('10.0.0.1'))).toBe(true)
    expect(ipAddressesEqual(address('10.0.0.1'), address('::ffff:10.0.0.1'))).toBe(true)
    expect(ipAddressesEqual(address('::ffff:10.0.0.2'), address('10.0.0.1'))).toBe(false)
    expect(ipAddressesEqual(address('::10.0.0.1'), address('10.0.0.1'))).toBe(false)
    expect(ipAddressesEqual(address('fe80::1%lo'), address('fe80::1%eth0'))).toBe(true)
  })
})

describe('parseIpNetwork', () => {
  it('clears host bits', () => {
    expect(formatIpNetwork(network('10.1.2.3/8'))).toBe('10.0.0.0/8')
    expect(formatIpNetwork(network('fe80::1/10'))).toBe('fe80::/10')
    expect(formatIpNetwork(network('10.1.2.3/0'))).toBe('0.0.0.0/0')
    expect(formatIpNetwork(network('2001:db8::ff/128'))).toBe('2001:db8::ff/128')
  })

  it.each([
    ['10.0.0.0/33', 'prefix length must be 0–32'],
    ['::/129', 'prefix length must be 0–128'],
    ['10.0.0.0/', 'prefix length must be 0–32'],
    ['10.0.0.0/8a', 'prefix length must be 0–32'],
    ['10.0.0.0/-1', 'prefix length must be 0–32'],
    ['10.0.0/8', 'not an IP address before the /'],
    ['/8', 'not an IP address before the /'],
    ['10.0.0.0', 'a network needs a /prefix length']
  ])('refuses %s: %s', (text, reason) => {
    expect(parseIpNetwork(text)).toEqual({ ok: false, reason })
  })
})

describe('networkContains', () => {
  it('checks IPv4 prefixes at every length boundary', () => {
    expect(networkContains(network('10.0.0.0/8'), address('10.255.255.255'))).toBe(true)
    expect(networkContains(network('10.0.0.0/8'), address('11.0.0.0'))).toBe(false)
    expect(networkContains(network('192.168.1.128/25'), address('192.168.1.127'))).toBe(false)
    expect(networkContains(network('192.168.1.128/25'), address('192.168.1.200'))).toBe(true)
    expect(networkContains(network('0.0.0.0/0'), address('203.0.113.9'))).toBe(true)
    expect(networkContains(makeIpNetwork(address('10.0.0.1')), address('10.0.0.1'))).toBe(true)
    expect(networkContains(makeIpNetwork(address('10.0.0.1')), address('10.0.0.2'))).toBe(false)
  })

  it('checks IPv6 prefixes across word boundaries', () => {
    expect(networkContains(network('fe80::/10'), address('febf:ffff::1'))).toBe(true)
    expect(networkContains(network('fe80::/10'), address('fec0::1'))).toBe(false)
    expect(networkContains(network('2001:db8::/32'), address('2001:db8:ffff::'))).toBe(true)
    expect(networkContains(network('2001:db8:0:0:8000::/65'), address('2001:db8::8000:0:0:1'))).toBe(true)
    expect(networkContains(network('2001:db8::/65'), address('2001:db8::8000:0:0:1'))).toBe(false)
    expect(networkContains(network('::1/128'), address('::1'))).toBe(true)
    expect(networkContains(network('::1/128'), address('::2'))).toBe(false)
  })

  it('matches IPv4 networks against IPv4-mapped addresses and back', () => {
    expect(networkContains(network('10.0.0.0/8'), address('::ffff:10.9.8.7'))).toBe(true)
    expect(networkContains(network('10.0.0.0/8'), address('::ffff:11.9.8.7'))).toBe(false)
    expect(networkContains(network('10.0.0.0/8'), address('::a09:807'))).toBe(false)
    expect(networkContains(network('::ffff:10.0.0.0/104'), address('10.1.2.3'))).toBe(true)
    expect(networkContains(network('::ffff:10.0.0.0/104'), address('11.1.2.3'))).toBe(false)
    expect(networkContains(network('fe80::/10'), address('10.1.2.3'))).toBe(false)
  })

  it('agrees with node:net BlockList on random IPv4 and IPv6 subnets', () => {
    const next = randomWords(42)
    for (let round = 0; round < 400; round += 1) {
      const family = round % 2 === 0 ? 4 : 6
      const words = Array.from({ length: family === 4 ? 1 : 4 }, () => next())
      const base = formatIpAddress({ family, words, zone: null })
      const prefix = next() % (family === 4 ? 33 : 129)
      const list = new BlockList()
      list.addSubnet(base, prefix, family === 4 ? 'ipv4' : 'ipv6')
      const subnet = makeIpNetwork(address(base), prefix)
      // Half the probes share the base's high bits, so both outcomes are exercised.
      const probeWords = words.map((word, index) => (next() % 2 === 0 && index < words.length - 1 ? word : next()))
      if (next() % 2 === 0) probeWords[probeWords.length - 1] = (elementAt(words, words.length - 1) ^ (next() & 0xff)) >>> 0
      const probe = formatIpAddress({ family, words: probeWords, zone: null })
      expect(networkContains(subnet, address(probe)), `${base}/${prefix} ∋ ${probe}`).toBe(list.check(probe, family === 4 ? 'ipv4' : 'ipv6'))
    }
  })
})
