import { describe, expect, it } from 'vitest'
import { defaultForms, holderRequest, listenerRequest, repeatRequest, tlsRequest, udpRequest } from '../../renderer/src/probe-forms'

describe('probe forms', () => {
  it('builds requests with defaults for empty number fields', () => {
    const forms = defaultForms()
    forms.repeat.target = '[::1]:22'
    expect(repeatRequest(forms.repeat)).toEqual({
      ok: true,
      request: { host: '::1', port: 22, intervalMs: 1000, count: 10, timeoutMs: undefined }
    })
    forms.repeat.untilStopped = true
    const forever = repeatRequest(forms.repeat)
    expect(forever.ok && forever.request.count).toBeNull()
  })

  it('splits the ALPN list and sends the CA text', () => {
    const forms = defaultForms()
    forms.tls.target = 'example.com:443'
    forms.tls.caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    forms.tls.caFileName = 'ca.pem'
    const built = tlsRequest(forms.tls)
    expect(built.ok && built.request).toMatchObject({ alpnProtocols: ['h2', 'http/1.1'], caSource: 'ca.pem', servername: null })
  })

  it('gives the message to show for bad values', () => {
    const forms = defaultForms()
    forms.udp.target = 'example.com:53'
    forms.udp.timeoutMs = '1.5'
    expect(udpRequest(forms.udp)).toEqual({ ok: false, error: 'The wait time must be a whole number.' })
    forms.udp.timeoutMs = ''
    expect(udpRequest(forms.udp)).toMatchObject({ ok: false })
    forms.udp.send = 'dns'
    expect(udpRequest(forms.udp)).toMatchObject({ ok: true, request: { dnsQuery: { name: 'example.com', type: 'A' }, maxReplies: 1 } })
    forms.listener.address = 'localhost'
    expect(listenerRequest(forms.listener).ok).toBe(false)
    forms.holder.target = '127.0.0.1:80'
    forms.holder.count = '5000'
    expect(holderRequest(forms.holder)).toMatchObject({ ok: false })
  })
})
