/**
 * `sockscope probe` and `sockscope listen` from the build, against real loopback servers this
 * test starts: exit codes, the classified errors, and the JSON fields scripts rely on.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_CLI, runBuiltCli } from '../../support/built-cli'
import { closedTcpPort, closedUdpPort, startTcpServer, startUdpServer } from '../../support/loopback-servers'
import { waitFor } from '../../support/wait-for'
import { createTestCertificates, type TestCertificates } from '../../support/probes/test-certificates'

describe('sockscope probe tcp', () => {
  it('exits 0 with the connect details for a listener', async () => {
    const server = await startTcpServer()
    try {
      const run = await runBuiltCli('probe', 'tcp', `127.0.0.1:${server.port}`, '--json')
      expect(run.code).toBe(0)
      const result = JSON.parse(run.stdout)
      expect(result).toMatchObject({ kind: 'tcp', ok: true, error: null, port: server.port })
      expect(result.attempts[0]).toMatchObject({ connected: true, localAddress: '127.0.0.1' })
      // A loopback connect takes some time, and no more than the whole probe.
      expect(result.attempts[0].connectMs).toBeGreaterThan(0)
      expect(result.attempts[0].connectMs).toBeLessThanOrEqual(result.durationMs)

      const text = await runBuiltCli('probe', 'tcp', `localhost:${server.port}`)
      expect(text.code).toBe(0)
      expect(text.stdout).toContain(`connect     127.0.0.1:${server.port}`)
    } finally {
      await server.close()
    }
  })

  it('exits 1 with kind refused for a closed port', async () => {
    const port = await closedTcpPort()
    const json = await runBuiltCli('probe', 'tcp', `127.0.0.1:${port}`, '--json')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).error.kind).toBe('refused')
    const text = await runBuiltCli('probe', 'tcp', `127.0.0.1:${port}`)
    expect(text.code).toBe(1)
    expect(text.stderr).toContain('refused')
  })

  it('reports a DNS failure for a name that does not exist', async () => {
    const run = await runBuiltCli('probe', 'tcp', 'nonexistent.invalid:80', '--json')
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).error.kind).toBe('dns')
  })

  it('stops at the first-byte limit when the server never replies', async () => {
    const server = await startTcpServer()
    try {
      const run = await runBuiltCli('probe', 'tcp', `127.0.0.1:${server.port}`, '--send', 'hello\\r\\n', '--read-timeout', '200', '--json')
      expect(run.code).toBe(1)
      const result = JSON.parse(run.stdout)
      expect(result.error).toMatchObject({ kind: 'timeout', phase: 'first-byte' })
      expect(result.exchange.sentBytes).toBe(7)
    } finally {
      await server.close()
    }
  })

  it('repeats with --count and prints statistics', async () => {
    const server = await startTcpServer()
    try {
      const json = await runBuiltCli('probe', 'tcp', `127.0.0.1:${server.port}`, '--count', '4', '--interval', '20', '--json')
      expect(json.code).toBe(0)
      const summary = JSON.parse(json.stdout)
      expect(summary.samples).toHaveLength(4)
      expect(summary.statistics).toMatchObject({ sent: 4, received: 4, lossPercent: 0 })
      const text = await runBuiltCli('probe', 'tcp', `127.0.0.1:${server.port}`, '--count', '3', '--interval', '20')
      expect(text.stdout).toContain('seq=3 connected')
      expect(text.stdout).toContain('3 sent, 3 connected, 0% loss')
      expect(text.stdout).toMatch(/min\/avg\/max\/p95 = [0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+ ms/)
    } finally {
      await server.close()
    }
  })

  it('refuses bad input with exit 2 before connecting', async () => {
    const server = await startTcpServer()
    try {
      for (const args of [
        ['::1:80'],
        ['127.0.0.1:70000'],
        ['bad host:80'],
        [`127.0.0.1:${server.port}`, '--send-hex', 'abc'],
        [`127.0.0.1:${server.port}`, '--send', ''],
        [`127.0.0.1:${server.port}`, '--timeout', '999999'],
        [`127.0.0.1:${server.port}`, '--send', 'a', '--send-hex', '61']
      ]) {
        const run = await runBuiltCli('probe', 'tcp', ...args)
        expect(run.code, args.join(' ')).toBe(2)
        expect(run.stderr, args.join(' ')).toContain('Run "sockscope probe --help" for usage.')
      }
      const json = await runBuiltCli('probe', 'tcp', '[::1]443', '--json')
      expect(json.code).toBe(2)
      expect(JSON.parse(json.stdout).error.kind).toBe('invalid-input')
      expect(server.accepted).toHaveLength(0)
    } finally {
      await server.close()
    }
  })
})

describe('sockscope probe tls', () => {
  let certificates: TestCertificates
  let server: TlsServer
  let port = 0
  beforeAll(async () => {
    certificates = await createTestCertificates()
    server = createTlsServer({ key: certificates.selfSigned.key, cert: certificates.selfSigned.certificate, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => socket.end())
    server.on('tlsClientError', () => {})
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((done) => server.close(done))
    await certificates.remove()
  })

  it('reports the chain and exits 1 with reason self-signed by default', async () => {
    const run = await runBuiltCli('probe', 'tls', `localhost:${port}`, '--alpn', 'spdy/1,http/1.1', '--json')
    expect(run.code).toBe(1)
    const result = JSON.parse(run.stdout)
    expect(result).toMatchObject({
      protocol: 'TLSv1.3',
      alpn: 'http/1.1',
      authorized: false,
      authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      authorizationReason: 'self-signed',
      error: { kind: 'tls' }
    })
    expect(typeof result.cipher).toBe('string')
    const [leaf] = result.certificates
    expect(leaf.subject).toContain('CN=localhost')
    expect(leaf.issuer).toContain('CN=localhost')
    expect(leaf.subjectAltNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1'])
    expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.parse(leaf.validTo))
    expect(leaf.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  it('exits 0 with --insecure, and with --ca pointing at the certificate', async () => {
    const insecure = await runBuiltCli('probe', 'tls', `localhost:${port}`, '--insecure', '--json')
    expect(insecure.code).toBe(0)
    expect(JSON.parse(insecure.stdout)).toMatchObject({ ok: true, authorized: false })

    // A self-signed certificate is its own CA: trusting it makes the chain valid.
    const { writeFile } = await import('node:fs/promises')
    const caFile = resolve(certificates.folder, 'self-as-ca.pem')
    await writeFile(caFile, certificates.selfSigned.certificate)
    const trusted = await runBuiltCli('probe', 'tls', `localhost:${port}`, '--ca', caFile)
    expect(trusted.code).toBe(0)
    expect(trusted.stdout).toContain('verified    yes')
    expect(trusted.stdout).toContain('subject     CN=localhost, O=sockscope tests')
  })

  it('refuses a missing CA file with exit 2', async () => {
    const run = await runBuiltCli('probe', 'tls', `localhost:${port}`, '--ca', '/nonexistent/ca.pem')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('no such file')
  })
})

describe('sockscope probe udp', () => {
  it('reports the reply of an echo server', async () => {
    const server = await startUdpServer((message, remote, socket) => socket.send(message, remote.port, remote.address))
    try {
      const run = await runBuiltCli('probe', 'udp', `127.0.0.1:${server.port}`, '--send', 'ping', '--max-replies', '1', '--json')
      expect(run.code).toBe(0)
      const result = JSON.parse(run.stdout)
      expect(result.replies[0].data.text).toBe('ping')
      expect(result.replies[0].fromPort).toBe(server.port)
    } finally {
      await server.close()
    }
  })

  it.runIf(process.platform === 'linux')('exits 1 with kind refused for a closed port', async () => {
    const port = await closedUdpPort()
    const run = await runBuiltCli('probe', 'udp', `127.0.0.1:${port}`, '--send-hex', '00 01', '--json')
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).error.kind).toBe('refused')
  })

  it('needs a payload', async () => {
    const run = await runBuiltCli('probe', 'udp', '127.0.0.1:53')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('needs a payload')
  })
})

describe('sockscope listen', () => {
  /** Start `listen` and wait for its first line. */
  async function startListen(...args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; firstLine: string }> {
    const child = spawn(process.execPath, [BUILT_CLI, 'listen', ...args])
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    await waitFor(() => output.includes('\n'), 10_000)
    const [firstLine = ''] = output.split('\n')
    return { child, firstLine }
  }

  async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
    const exited = once(child, 'exit')
    child.kill('SIGINT')
    const [code] = (await exited) as [number | null]
    return code
  }

  it('appears in "sockscope list --json" with its pid, echoes, and exits 0 on Ctrl-C', async () => {
    const { child, firstLine } = await startListen('tcp', '127.0.0.1:0', '--echo', '--json')
    try {
      const info = JSON.parse(firstLine)
      expect(info).toMatchObject({ protocol: 'tcp', address: '127.0.0.1', mode: 'echo', pid: child.pid })
      const list = await runBuiltCli('list', '--json', '--no-resolve', '--filter', `port:${info.port}`)
      const rows = JSON.parse(list.stdout) as Array<{ localAddress: string; localPort: number; state: string; pid: number | null }>
      const listener = rows.filter((row) => row.localAddress === '127.0.0.1' && row.localPort === info.port && row.state === 'LISTEN')
      expect(listener.map((row) => row.pid)).toEqual([child.pid])

      const socket = connect(info.port, '127.0.0.1')
      await once(socket, 'connect')
      socket.write('echo me')
      const [reply] = (await once(socket, 'data')) as [Buffer]
      expect(reply.toString()).toBe('echo me')
      socket.destroy()
    } finally {
      expect(await stop(child)).toBe(0)
    }
  })

  it('runs a UDP listener with a fixed reply', async () => {
    const { child, firstLine } = await startListen('udp', '0', '--reply', 'pong')
    try {
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(firstLine)?.[1])
      const run = await runBuiltCli('probe', 'udp', `127.0.0.1:${port}`, '--send', 'ping', '--max-replies', '1', '--json')
      expect(JSON.parse(run.stdout).replies[0].data.text).toBe('pong')
    } finally {
      expect(await stop(child)).toBe(0)
    }
  })

  it('exits 1 when the port is taken and 2 for bad arguments', async () => {
    const server = await startTcpServer()
    try {
      const taken = await runBuiltCli('listen', 'tcp', `127.0.0.1:${server.port}`)
      expect(taken.code).toBe(1)
      expect(taken.stderr).toContain('address-in-use')
    } finally {
      await server.close()
    }
    expect((await runBuiltCli('listen', 'sctp', '80')).code).toBe(2)
    expect((await runBuiltCli('listen', 'tcp', 'localhost:80')).code).toBe(2)
    expect((await runBuiltCli('listen', 'tcp', '80', '--echo', '--discard')).code).toBe(2)
  })
})
