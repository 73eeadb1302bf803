import { X509Certificate } from 'node:crypto'
import { createServer, type Server, type TlsOptions, type TLSSocket } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runTlsProbe } from '../../../../electron/backend/probe/tls-probe'
import { startDelayingRelay, startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { createTestCertificates, SELF_SIGNED_DAYS, type TestCertificates } from '../../../support/probes/test-certificates'
import { elementAt } from '../../../../shared/element-at'

interface TlsTestServer {
  readonly port: number
  /** The SNI name of each handshake that sent one. */
  readonly servernames: string[]
  close(): Promise<void>
}

async function startTlsServer(options: TlsOptions): Promise<TlsTestServer> {
  const servernames: string[] = []
  const recordServername = (servername: string, done: (error: Error | null) => void): void => {
    servernames.push(servername)
    done(null)
  }
  const server: Server = createServer({ ...options, SNICallback: recordServername }, (socket: TLSSocket) => {
    socket.on('error', () => {})
    socket.end()
  })
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { port: address.port, servernames, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

describe('runTlsProbe against real loopback TLS servers', () => {
  let certificates: TestCertificates
  let server: TlsTestServer | null = null
  let plainServer: LoopbackTcpServer | null = null

  beforeAll(async () => {
    certificates = await createTestCertificates()
  })
  afterAll(async () => {
    await certificates.remove()
  })
  afterEach(async () => {
    await server?.close()
    await plainServer?.close()
    server = null
    plainServer = null
  })

  it('reports the chain of a self-signed server and refuses to trust it by default', async () => {
    server = await startTlsServer({ key: certificates.selfSigned.key, cert: certificates.selfSigned.certificate })
    const result = await runTlsProbe({ host: 'localhost', port: server.port })
    expect(result.ok).toBe(false)
    expect(result.authorized).toBe(false)
    expect(result.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    expect(result.authorizationReason).toBe('self-signed')
    expect(result.authorizationMessage).toContain('self-signed')
    expect(result.error).toMatchObject({ kind: 'tls', phase: 'tls-verify', detail: 'self-signed' })
    expect(result.trustStore?.kind).not.toBe('ca-file')
    expect(result.protocol).toBe('TLSv1.3')
    expect(result.cipher).toBeTruthy()
    expect(result.handshakeMs).toBeGreaterThan(0)
    expect(result.handshakeMs).toBeLessThanOrEqual(result.durationMs)
    expect(result.servername).toBe('localhost')
    expect(server.servernames).toEqual(['localhost'])
    expect(result.hostnameMatches).toBe(true)

    expect(result.certificates).toHaveLength(1)
    const leaf = elementAt(result.certificates, 0)
    const expected = new X509Certificate(certificates.selfSigned.certificate)
    expect(leaf.subject).toBe('CN=localhost, O=sockscope tests')
    expect(leaf.subjectCommonName).toBe('localhost')
    expect(leaf.issuer).toBe(leaf.subject)
    expect(leaf.subjectAltNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1'])
    expect(leaf.fingerprint256).toBe(expected.fingerprint256)
    expect(leaf.validTo).toBe(new Date(expected.validTo).toISOString())
    expect([SELF_SIGNED_DAYS - 1, SELF_SIGNED_DAYS]).toContain(leaf.daysToExpiry)
    expect(leaf.expired).toBe(false)
    expect(leaf.selfSigned).toBe(true)
    expect(leaf.keyType).toBe('ec')
    expect(leaf.keySize).toBe(256)
    expect(leaf.keyCurve).toBe('prime256v1')
  })

  it('times the handshake from the client hello: a server that answers late takes at least its delay', async () => {
    server = await startTlsServer({ key: certificates.selfSigned.key, cert: certificates.selfSigned.certificate })
    const answerDelayMs = 150
    plainServer = await startDelayingRelay(server.port, answerDelayMs)
    const startedAt = performance.now()
    const result = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, insecure: true })
    const elapsedMs = performance.now() - startedAt
    expect(result.ok).toBe(true)
    expect(result.handshakeMs).toBeGreaterThanOrEqual(answerDelayMs)
    // The handshake is part of the probe, which is part of what the test waited for.
    expect(result.handshakeMs).toBeLessThanOrEqual(result.durationMs)
    expect(result.durationMs).toBeLessThanOrEqual(elapsedMs + 0.001)
  })

  it('still shows the chain and succeeds with the insecure option', async () => {
    server = await startTlsServer({ key: certificates.selfSigned.key, cert: certificates.selfSigned.certificate })
    const result = await runTlsProbe({ host: '127.0.0.1', port: server.port, insecure: true })
    expect(result.ok).toBe(true)
    expect(result.error).toBeNull()
    expect(result.authorized).toBe(false)
    expect(result.authorizationReason).toBe('self-signed')
    expect(elementAt(result.certificates, 0).subjectCommonName).toBe('localhost')
    // An IP address target sends no SNI, and the certificate is checked against the address.
    expect(result.servername).toBeNull()
    expect(server.servernames).toEqual([])
    expect(result.hostnameMatches).toBe(true)
  })

  it('calls a leaf from an untrusted CA unknown-ca, and trusts it with that CA file', async () => {
    server = await startTlsServer({ key: certificates.leaf.key, cert: certificates.leaf.certificate })
    const untrusted = await runTlsProbe({ host: 'localhost', port: server.port })
    expect(untrusted.authorized).toBe(false)
    expect(untrusted.authorizationReason).toBe('unknown-ca')
    expect(untrusted.authorizationMessage).toContain('sockscope Test CA')

    const trusted = await runTlsProbe({
      host: 'localhost',
      port: server.port,
      caPem: certificates.certificateAuthority.certificate,
      caSource: certificates.certificateAuthorityPath
    })
    expect(trusted.ok).toBe(true)
    expect(trusted.authorized).toBe(true)
    expect(trusted.authorizationError).toBeNull()
    expect(trusted.authorizationReason).toBeNull()
    expect(trusted.trustStore).toEqual({ kind: 'ca-file', source: certificates.certificateAuthorityPath, certificateCount: 1 })
    expect(trusted.certificates.map((certificate) => certificate.subjectCommonName)).toEqual(['localhost', 'sockscope Test CA'])
    expect(elementAt(trusted.certificates, 1).isCertificateAuthority).toBe(true)
  })

  it('reports an expired certificate as expired', async () => {
    server = await startTlsServer({ key: certificates.expired.key, cert: certificates.expired.certificate })
    const result = await runTlsProbe({ host: 'localhost', port: server.port, caPem: certificates.certificateAuthority.certificate })
    expect(result.ok).toBe(false)
    expect(result.authorizationError).toBe('CERT_HAS_EXPIRED')
    expect(result.authorizationReason).toBe('expired')
    expect(elementAt(result.certificates, 0).expired).toBe(true)
    expect(elementAt(result.certificates, 0).daysToExpiry).toBeLessThan(0)
  })

  it('reports a name the certificate does not cover as wrong-host', async () => {
    server = await startTlsServer({ key: certificates.leaf.key, cert: certificates.leaf.certificate })
    const result = await runTlsProbe({
      host: '127.0.0.1',
      port: server.port,
      servername: 'wrong.example',
      caPem: certificates.certificateAuthority.certificate
    })
    expect(result.ok).toBe(false)
    expect(result.servername).toBe('wrong.example')
    expect(server.servernames).toEqual(['wrong.example'])
    expect(result.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
    expect(result.authorizationReason).toBe('wrong-host')
    expect(result.authorizationMessage).toContain('wrong.example')
    expect(result.hostnameMatches).toBe(false)
  })

  it('reports the ALPN protocol the server picked from those offered', async () => {
    server = await startTlsServer({
      key: certificates.selfSigned.key,
      cert: certificates.selfSigned.certificate,
      ALPNProtocols: ['h2', 'http/1.1']
    })
    const both = await runTlsProbe({ host: 'localhost', port: server.port, insecure: true, alpnProtocols: ['h2', 'http/1.1'] })
    expect(both.alpn).toBe('h2')
    expect(both.alpnOffered).toEqual(['h2', 'http/1.1'])
    const one = await runTlsProbe({ host: 'localhost', port: server.port, insecure: true, alpnProtocols: ['http/1.1'] })
    expect(one.alpn).toBe('http/1.1')
    const none = await runTlsProbe({ host: 'localhost', port: server.port, insecure: true })
    expect(none.alpn).toBeNull()
    const unsupported = await runTlsProbe({ host: 'localhost', port: server.port, insecure: true, alpnProtocols: ['spdy/3'] })
    expect(unsupported.ok).toBe(false)
    expect(unsupported.error?.kind).toBe('tls')
    expect(unsupported.error?.phase).toBe('tls-handshake')
  })

  it('reports a port that does not speak TLS as a TLS failure', async () => {
    plainServer = await startTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')))
    const result = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, timeoutMs: 2_000 })
    expect(result.ok).toBe(false)
    expect(result.connect?.connected).toBe(true)
    expect(result.error?.kind).toBe('tls')
    expect(result.certificates).toEqual([])
  })

  it('says a server that accepts but never answers the client hello does not speak TLS, not that a firewall dropped it', async () => {
    plainServer = await startTcpServer()
    const result = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, timeoutMs: 150 })
    expect(result.connect?.connected).toBe(true)
    expect(result.error).toMatchObject({ kind: 'tls', phase: 'tls-handshake' })
    expect(result.error?.message).toContain('does not speak TLS')
    expect(result.error?.message).not.toContain('firewall')
  })

  it('still times out a handshake the server started but did not finish', async () => {
    // One byte of a TLS record header, then nothing: a server that answered, but too slowly.
    plainServer = await startTcpServer((socket) => socket.once('data', () => socket.write(Buffer.from([0x16]))))
    const result = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, timeoutMs: 300 })
    expect(result.error).toMatchObject({ kind: 'timeout', phase: 'tls-handshake' })
  })

  it('rejects a CA file without certificates and a bad ALPN list before connecting', async () => {
    plainServer = await startTcpServer()
    const badCa = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, caPem: 'not a certificate' })
    expect(badCa.error?.kind).toBe('invalid-input')
    const badAlpn = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, alpnProtocols: ['h2', ''] })
    expect(badAlpn.error?.kind).toBe('invalid-input')
    const ipServername = await runTlsProbe({ host: '127.0.0.1', port: plainServer.port, servername: '10.0.0.1' })
    expect(ipServername.error?.kind).toBe('invalid-input')
    expect(plainServer.accepted).toHaveLength(0)
  })
})
