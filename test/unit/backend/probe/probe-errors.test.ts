import { describe, expect, it } from 'vitest'
import { classifySocketError, dnsError, dnsFailureOf } from '../../../../electron/backend/probe/probe-errors'

const systemError = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code })

describe('classifySocketError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ETIMEDOUT', 'timeout'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['EADDRINUSE', 'address-in-use'],
    ['EACCES', 'permission'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EWHATEVER', 'unknown']
  ])('%s is %s', (code, kind) => {
    const error = classifySocketError(systemError(code), 'connect', '[::1]:443')
    expect(error).toMatchObject({ kind, code, phase: 'connect' })
    expect(error.message).toContain('[::1]:443')
  })

  it('keeps the message of an error without a code', () => {
    expect(classifySocketError(new Error('odd'), 'send', 'h:1')).toMatchObject({ kind: 'unknown', code: null, message: 'h:1: odd' })
  })
})

describe('DNS failures', () => {
  it('tells NXDOMAIN from SERVFAIL by the lookup error code', () => {
    expect(dnsFailureOf('ENOTFOUND')).toBe('nxdomain')
    expect(dnsFailureOf('EAI_AGAIN')).toBe('servfail')
    expect(dnsFailureOf('ESERVFAIL')).toBe('servfail')
    expect(dnsFailureOf('ENODATA')).toBe('no-data')
    expect(dnsFailureOf('EOTHER')).toBe('other')
    expect(dnsError('a.example', 'ENOTFOUND')).toMatchObject({ kind: 'dns', detail: 'nxdomain', code: 'ENOTFOUND' })
    expect(dnsError('a.example', null, 300)).toMatchObject({ detail: 'timeout', message: 'The lookup of "a.example" took longer than 300 ms.' })
  })
})
