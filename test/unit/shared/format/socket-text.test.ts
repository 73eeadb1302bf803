import { describe, expect, it } from 'vitest'
import { formatEndpoint, formatHostPort } from '../../../../shared/format/socket-text'
import { parseHostPort } from '../../../../shared/probe-target'

describe('formatHostPort', () => {
  it('writes IPv6 targets in brackets', () => {
    expect(formatHostPort('::1', 443)).toBe('[::1]:443')
    expect(formatHostPort('example.com', 80)).toBe('example.com:80')
  })

  it('keeps IPv4, zones and already bracketed hosts readable, and reads back the same', () => {
    expect(formatHostPort('127.0.0.1', 22)).toBe('127.0.0.1:22')
    expect(formatHostPort('fe80::1%eth0', 8080)).toBe('[fe80::1%eth0]:8080')
    expect(formatHostPort('[::1]', 53)).toBe('[::1]:53')
    for (const [host, port] of [
      ['::ffff:127.0.0.1', 80],
      ['example.test', 1],
      ['10.0.0.1', 65535]
    ] as const) {
      expect(parseHostPort(formatHostPort(host, port))).toEqual({ ok: true, value: { host, port } })
    }
  })
})

describe('formatEndpoint', () => {
  it('writes endpoints the way ss does', () => {
    expect(formatEndpoint('127.0.0.1', 8080, 4)).toBe('127.0.0.1:8080')
    expect(formatEndpoint('::', 0, 6)).toBe('[::]:*')
    expect(formatEndpoint('0.0.0.0', null, 4)).toBe('0.0.0.0:*')
    expect(formatEndpoint('/run/app.sock', null, null)).toBe('/run/app.sock')
    expect(formatEndpoint('', null, null)).toBe('*')
  })
})
