import { describe, expect, it } from 'vitest'
import { encodeText, ipVersion, isLoopbackAddress, parseHex, parseHostPort, parseListenAddress, parsePayload, parsePort, validateHost } from '../../../shared/probe-target'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

describe('parseHostPort', () => {
  it.each([
    ['example.com:443', 'example.com', 443],
    ['127.0.0.1:22', '127.0.0.1', 22],
    ['[::1]:443', '::1', 443],
    ['[fe80::1%eth0]:8080', 'fe80::1%eth0', 8080],
    ['[::ffff:127.0.0.1]:80', '::ffff:127.0.0.1', 80],
    ['  localhost:65535 ', 'localhost', 65535],
    ['example.com.:1', 'example.com.', 1],
    ['_service.example:53', '_service.example', 53]
  ])('parses %s', (input, host, port) => {
    expect(parseHostPort(input)).toEqual({ ok: true, value: { host, port } })
  })

  it.each([
    ['', 'Enter a target'],
    ['example.com', 'has no port'],
    ['::1:443', 'put it in brackets'],
    ['[::1]443', 'needs ":PORT"'],
    ['[::1:443', 'never closes'],
    ['[zz::1]:443', 'not a valid bracketed IPv6'],
    ['example.com:0', 'out of range'],
    ['example.com:65536', 'out of range'],
    ['example.com:-1', 'not a whole number'],
    ['example.com:http', 'not a whole number'],
    ['example.com:', 'Enter a port'],
    [':443', 'Enter a host'],
    ['256.1.1.1:80', 'not a valid IPv4'],
    ['1.2.3:80', 'not a valid IPv4'],
    ['010.0.0.1:80', 'not a valid IPv4'],
    ['bad host:80', 'contains a space'],
    ['ex_ample/x:80', 'contains "/"'],
    ['a..b:80', 'empty part'],
    ['-bad.example:80', 'hyphen'],
    ['bücher.example:80', 'punycode'],
    ['http://example.com:80', 'scheme']
  ])('refuses %j with a clear message', (input, fragment) => {
    const result = parseHostPort(input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toContain(fragment)
  })

  it('refuses names that are too long', () => {
    expect(validateHost(`${'a'.repeat(64)}.example`).ok).toBe(false)
    expect(validateHost(Array.from({ length: 50 }, () => 'abcdef').join('.')).ok).toBe(false)
  })
})

describe('IP address helpers', () => {
  it('tells the IP version', () => {
    expect(ipVersion('10.0.0.1')).toBe(4)
    expect(ipVersion('::')).toBe(6)
    expect(ipVersion('localhost')).toBeNull()
    expect(ipVersion('[::1]')).toBeNull()
    expect(ipVersion('fe80::1%eth0')).toBe(6)
    expect(ipVersion('1:2:3:4:5:6:7')).toBeNull()
    expect(ipVersion('1::2::3')).toBeNull()
  })

  it('recognises loopback addresses only', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(address), address).toBe(true)
    }
    for (const address of ['128.0.0.1', '10.0.0.1', '::', '::2', '::ffff:10.0.0.1', 'localhost', '1.127.0.0']) {
      expect(isLoopbackAddress(address), address).toBe(false)
    }
  })
})

describe('parsePort and parseListenAddress', () => {
  it('accepts 0 only for listeners', () => {
    expect(parsePort('0').ok).toBe(false)
    expect(parsePort('0', { allowZero: true })).toEqual({ ok: true, value: 0 })
    expect(parsePort(8080)).toEqual({ ok: true, value: 8080 })
    expect(parsePort(1.5).ok).toBe(false)
  })

  it.each([
    ['8080', '127.0.0.1', 8080],
    ['0', '127.0.0.1', 0],
    ['0.0.0.0:9000', '0.0.0.0', 9000],
    ['[::1]:7', '::1', 7],
    ['[::]:0', '::', 0]
  ])('parses %s', (input, address, port) => {
    expect(parseListenAddress(input)).toEqual({ ok: true, value: { address, port } })
  })

  it.each(['localhost:80', '::1:80', '70000', 'abc', '[::1]'])('refuses %j', (input) => {
    expect(parseListenAddress(input).ok).toBe(false)
  })
})

describe('payload parsing', () => {
  it('reads hex in the common notations', () => {
    for (const input of ['deadbeef', 'DE AD BE EF', 'de:ad:be:ef', '0xde 0xad 0xbe 0xef', '0xdeadbeef', 'de-ad\nbe,ef']) {
      expect(parseHex(input), input).toEqual({ ok: true, value: bytes(0xde, 0xad, 0xbe, 0xef) })
    }
  })

  it('explains bad hex', () => {
    expect(parseHex('abc')).toEqual({ ok: false, error: 'Hex needs two digits per byte, but there are 3 digits.' })
    expect(parseHex('12 3g')).toEqual({ ok: false, error: '"g" at position 5 is not a hex digit (0-9, a-f).' })
    expect(parseHex('  ')).toEqual({ ok: false, error: 'The hex payload is empty.' })
  })

  it('encodes text as UTF-8, with escapes only when asked', () => {
    expect(encodeText('é\\n', false)).toEqual({ ok: true, value: bytes(0xc3, 0xa9, 0x5c, 0x6e) })
    expect(encodeText('a\\r\\n\\t\\0\\\\\\x7f', true)).toEqual({ ok: true, value: bytes(0x61, 13, 10, 9, 0, 0x5c, 0x7f) })
    expect(encodeText('\\xff', true)).toEqual({ ok: true, value: bytes(0xff) })
    expect(encodeText('bad\\q', true).ok).toBe(false)
    expect(encodeText('end\\', true).ok).toBe(false)
    expect(encodeText('\\x4', true).ok).toBe(false)
  })

  it('refuses an empty payload', () => {
    expect(parsePayload({ encoding: 'text', value: '' }).ok).toBe(false)
    expect(parsePayload({ encoding: 'hex', value: '' }).ok).toBe(false)
    expect(parsePayload({ encoding: 'text', value: 'x' })).toEqual({ ok: true, value: bytes(0x78) })
  })
})
