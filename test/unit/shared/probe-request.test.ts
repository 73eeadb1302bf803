import { describe, expect, it } from 'vitest'
import { checkHolderOpen, checkListener, checkRepeatedProbe, checkTcpProbe, checkTlsProbe, checkUdpProbe } from '../../../shared/probe-request'
import { PROBE_LIMITS } from '../../../shared/model/probe'

describe('probe request checks', () => {
  it('fills in defaults for a TCP probe', () => {
    expect(checkTcpProbe({ host: 'example.com', port: 80 })).toEqual({
      ok: true,
      value: {
        host: 'example.com',
        port: 80,
        addressChoice: 'first',
        timeoutMs: PROBE_LIMITS.timeoutMs.default,
        payload: null,
        readLimitBytes: PROBE_LIMITS.readLimitBytes.default,
        readTimeoutMs: PROBE_LIMITS.readTimeoutMs.default
      }
    })
  })

  it('refuses unbounded or fractional time limits instead of clamping them', () => {
    for (const timeoutMs of [0, -5, 60_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const result = checkTcpProbe({ host: 'example.com', port: 80, timeoutMs })
      expect(result.ok, String(timeoutMs)).toBe(false)
      if (!result.ok) expect(result.error).toMatchObject({ kind: 'invalid-input', phase: 'input' })
    }
  })

  it('refuses an oversized payload', () => {
    const result = checkUdpProbe({ host: '127.0.0.1', port: 53, payload: { encoding: 'text', value: 'x'.repeat(70_000) } })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.message).toContain('limit is 65507')
  })

  it('picks the SNI name for a TLS probe', () => {
    const named = checkTlsProbe({ host: 'example.com.', port: 443 })
    expect(named.ok && named.value.servername).toBe('example.com')
    const address = checkTlsProbe({ host: '::1', port: 443 })
    expect(address.ok && address.value.servername).toBeNull()
    const override = checkTlsProbe({ host: '127.0.0.1', port: 443, servername: 'api.example' })
    expect(override.ok && override.value.servername).toBe('api.example')
    expect(checkTlsProbe({ host: 'x', port: 443, alpnProtocols: ['h 2'] }).ok).toBe(false)
  })

  it('needs exactly one of a payload and a DNS query for UDP', () => {
    expect(checkUdpProbe({ host: 'x', port: 53 }).ok).toBe(false)
    expect(checkUdpProbe({ host: 'x', port: 53, payload: { encoding: 'hex', value: '00' }, dnsQuery: { name: 'a', type: 'A' } }).ok).toBe(false)
    expect(checkUdpProbe({ host: 'x', port: 53, dnsQuery: { name: 'a..b', type: 'A' } }).ok).toBe(false)
    expect(checkUdpProbe({ host: 'x', port: 53, dnsQuery: { name: 'a.b', type: 'WKS' as 'A' } }).ok).toBe(false)
    expect(checkUdpProbe({ host: 'x', port: 53, dnsQuery: { name: 'a.b', type: 'AAAA' } }).ok).toBe(true)
  })

  it('allows an unbounded repeated probe only when count is null', () => {
    const forever = checkRepeatedProbe({ host: 'x', port: 1, count: null })
    expect(forever.ok && forever.value.count).toBeNull()
    const defaulted = checkRepeatedProbe({ host: 'x', port: 1 })
    expect(defaulted.ok && defaulted.value.count).toBe(PROBE_LIMITS.repeatCount.default)
    expect(checkRepeatedProbe({ host: 'x', port: 1, intervalMs: 5 }).ok).toBe(false)
  })

  it('checks listener and holder requests', () => {
    expect(checkListener({ protocol: 'tcp', port: 0, mode: 'echo' })).toEqual({
      ok: true,
      value: { protocol: 'tcp', address: '127.0.0.1', port: 0, mode: 'echo', reply: null }
    })
    expect(checkListener({ protocol: 'sctp' as 'tcp', port: 0, mode: 'echo' }).ok).toBe(false)
    expect(checkListener({ protocol: 'udp', port: 0, mode: 'reply', reply: { encoding: 'text', value: '' } }).ok).toBe(false)
    expect(checkHolderOpen({ host: '127.0.0.1', port: 80, count: PROBE_LIMITS.holderCount.max + 1 }).ok).toBe(false)
    expect(checkHolderOpen({ host: '127.0.0.1', port: 80, count: 10 }).ok).toBe(true)
  })
})
