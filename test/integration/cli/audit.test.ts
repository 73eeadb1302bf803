/**
 * `sockscope audit` from the build, against listeners this test opens for its own duration: one on
 * loopback, one on every address, a UDP socket on every address and an `openssl s_server` on
 * loopback. Every run is narrowed with --filter to these listeners, so the TLS check sends its
 * ClientHellos to them alone; the only traffic is on loopback.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createSocket, type Socket as DatagramSocket } from 'node:dgram'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBuiltCli } from '../../support/built-cli'
import { startTcpServer, type LoopbackTcpServer } from '../../support/loopback-servers'
import { createTestCertificates, SELF_SIGNED_DAYS, type TestCertificates } from '../../support/probes/test-certificates'
import { waitFor } from '../../support/wait-for'

/** A server that answers anything with an HTTP error, the way a plain web server answers a ClientHello. */
function answersHttp(socket: import('node:net').Socket): void {
  socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'))
}

/** Starts `openssl s_server` on a loopback port with the given certificate; resolves once it accepts. */
async function startOpensslServer(certificates: TestCertificates): Promise<{ readonly child: ChildProcessWithoutNullStreams; readonly port: number }> {
  const folder = certificates.folder
  await writeFile(join(folder, 'server.pem'), certificates.selfSigned.certificate)
  await writeFile(join(folder, 'server.key'), certificates.selfSigned.key)
  const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-cert', join(folder, 'server.pem'), '-key', join(folder, 'server.key')])
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', () => undefined)
  await waitFor(() => /ACCEPT 127\.0\.0\.1:\d+/.test(output), 10_000, 'openssl s_server to accept')
  return { child, port: Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(output)?.[1]) }
}

interface AuditJson {
  protocol: string
  localAddress: string
  localPort: number
  reach: string
  pid: number | null
  process: string | null
  user: string | null
  netns: number | null
  service: string | null
  tls: { speaksTls: boolean; version: string | null; subject: string | null; daysLeft: number | null } | null
  warnings: string[]
}

describe('sockscope audit', () => {
  let certificates: TestCertificates
  let loopback: LoopbackTcpServer
  let everywhere: LoopbackTcpServer
  let datagrams: DatagramSocket
  let udpPort: number
  let openssl: { readonly child: ChildProcessWithoutNullStreams; readonly port: number }
  let filter: string

  beforeAll(async () => {
    certificates = await createTestCertificates()
    loopback = await startTcpServer(answersHttp, '127.0.0.1')
    everywhere = await startTcpServer(answersHttp, '0.0.0.0')
    datagrams = createSocket('udp4')
    await new Promise<void>((resolve) => datagrams.bind(0, '0.0.0.0', resolve))
    udpPort = datagrams.address().port
    openssl = await startOpensslServer(certificates)
    filter = [loopback.port, everywhere.port, udpPort, openssl.port].map((port) => `lport:${port}`).join(' or ')
  })

  afterAll(async () => {
    openssl?.child.kill()
    datagrams?.close()
    await loopback?.close()
    await everywhere?.close()
    await certificates?.remove()
  })

  const find = (listeners: AuditJson[], protocol: string, port: number): AuditJson => {
    const found = listeners.find((listener) => listener.protocol === protocol && listener.localPort === port)
    if (found === undefined) throw new Error(`no ${protocol} listener on port ${port} in ${JSON.stringify(listeners)}`)
    return found
  }

  it('reports each listener with its reach and owner, in the documented shape, without probing unless asked', async () => {
    const run = await runBuiltCli('audit', '--json', '--filter', filter)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const listeners = JSON.parse(run.stdout) as AuditJson[]
    expect(listeners).toHaveLength(4)
    for (const listener of listeners) {
      expect(Object.keys(listener)).toEqual(['protocol', 'localAddress', 'localPort', 'reach', 'pid', 'process', 'user', 'netns', 'service', 'tls', 'warnings'])
      expect(listener.tls).toBeNull()
      expect(listener.user).toBe('root')
      expect(listener.netns).toEqual(expect.any(Number))
    }
    expect(find(listeners, 'tcp', loopback.port)).toMatchObject({ localAddress: '127.0.0.1', reach: 'loopback', pid: process.pid, process: 'node', warnings: [] })
    const exposed = find(listeners, 'tcp', everywhere.port)
    expect(exposed).toMatchObject({ localAddress: '0.0.0.0', reach: 'all', pid: process.pid, process: 'node' })
    expect(exposed.warnings).toEqual([
      expect.stringContaining(`tcp 0.0.0.0:${everywhere.port} (node pid ${process.pid}) is reachable from every network interface and no reason is given`)
    ])
    expect(find(listeners, 'udp', udpPort)).toMatchObject({ localAddress: '0.0.0.0', reach: 'all', pid: process.pid })
    expect(find(listeners, 'tcp', openssl.port)).toMatchObject({ reach: 'loopback', pid: openssl.child.pid, process: 'openssl' })
  })

  it('with --probe-tls tells the TLS server from the cleartext ones and reads its certificate', async () => {
    const run = await runBuiltCli('audit', '--json', '--probe-tls', '--filter', filter)
    expect(run.code).toBe(0)
    const listeners = JSON.parse(run.stdout) as AuditJson[]
    const tls = find(listeners, 'tcp', openssl.port).tls
    expect(tls).toMatchObject({ speaksTls: true, version: expect.stringMatching(/^TLSv1\.[23]$/), subject: expect.stringContaining('CN=localhost') })
    // Made today for SELF_SIGNED_DAYS days: that many left, or one fewer once the clock passed the hour it was made at.
    expect(tls?.daysLeft).toBeGreaterThanOrEqual(SELF_SIGNED_DAYS - 1)
    expect(tls?.daysLeft).toBeLessThanOrEqual(SELF_SIGNED_DAYS)
    for (const port of [loopback.port, everywhere.port]) expect(find(listeners, 'tcp', port).tls).toEqual({ speaksTls: false, version: null, subject: null, daysLeft: null })
    expect(find(listeners, 'tcp', everywhere.port).warnings).toContainEqual(expect.stringContaining('It answers in cleartext'))
    // UDP listeners get no ClientHello.
    expect(find(listeners, 'udp', udpPort).tls).toBeNull()
    const text = await runBuiltCli('audit', '--probe-tls', '--filter', filter)
    expect(text.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${openssl.port} .* TLSv1\\.[23] \\d+d`))
    expect(text.stdout).toContain(`Cleartext: 127.0.0.1:${everywhere.port} answered the TLS ClientHello with bytes that are not TLS.`)
  })

  it('--fail-on exposed-unexplained exits 1 for the listener on every address, and a reason lets it pass', async () => {
    const failing = await runBuiltCli('audit', '--fail-on', 'exposed-unexplained', '--filter', filter)
    expect(failing.code).toBe(1)
    expect(failing.stderr).toContain(`exposed-unexplained: tcp 0.0.0.0:${everywhere.port} held by node (pid ${process.pid})`)
    expect(failing.stderr).toContain(`exposed-unexplained: udp 0.0.0.0:${udpPort}`)
    expect(failing.stderr).not.toContain(`:${loopback.port}`)
    const folder = await mkdtemp(join(tmpdir(), 'sockscope-reasons-'))
    try {
      const reasons = join(folder, 'reasons.json')
      await writeFile(
        reasons,
        JSON.stringify([
          { port: everywhere.port, process: 'node', reason: 'the test serves the LAN' },
          { protocol: 'udp', port: udpPort, reason: 'discovery' }
        ])
      )
      const passing = await runBuiltCli('audit', '--fail-on', 'exposed-unexplained', '--reasons', reasons, '--filter', filter, '--json')
      expect(passing.code).toBe(0)
      expect(find(JSON.parse(passing.stdout) as AuditJson[], 'tcp', everywhere.port).warnings).toEqual([])
      await writeFile(reasons, '[{ "port": "eighty" }]')
      const bad = await runBuiltCli('audit', '--reasons', reasons)
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain(`${reasons} is not a list of reasons like`)
      expect(bad.stderr).toContain('at 0.port')
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('refuses an unknown --fail-on rule, naming the known ones', async () => {
    const run = await runBuiltCli('audit', '--fail-on', 'exposed-everything')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--fail-on does not know "exposed-everything"; the rules are exposed-sensitive, exposed-unexplained, exposed-cleartext, expiring-certificate')
  })
})

describe('sockscope audit --fail-on exposed-sensitive', () => {
  /** Well-known sensitive ports; the first one free on this machine is used. */
  const SENSITIVE_PORTS: ReadonlyArray<readonly [number, string]> = [
    [27017, 'MongoDB'],
    [9200, 'Elasticsearch'],
    [5984, 'CouchDB'],
    [9042, 'Cassandra'],
    [11211, 'memcached']
  ]

  /** Listens on the first free sensitive port at `host`. */
  async function listenOnSensitivePort(host: string, only?: number): Promise<{ server: import('node:net').Server; port: number; service: string }> {
    const { createServer } = await import('node:net')
    for (const [port, service] of SENSITIVE_PORTS) {
      if (only !== undefined && port !== only) continue
      const server = createServer((socket) => socket.destroy())
      const bound = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false))
        server.listen(port, host, () => resolve(true))
      })
      if (bound) return { server, port, service }
    }
    throw new Error(`every one of ${SENSITIVE_PORTS.map(([port]) => port).join(', ')} is taken on ${host}`)
  }

  const close = (server: import('node:net').Server) => new Promise<void>((resolve) => server.close(() => resolve()))

  it('exits 1 for a sensitive port on every address and 0 once it listens on loopback only', async () => {
    const exposed = await listenOnSensitivePort('0.0.0.0')
    let port = exposed.port
    try {
      const run = await runBuiltCli('audit', '--json', '--fail-on', 'exposed-sensitive', '--filter', `lport:${port}`)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`exposed-sensitive: tcp 0.0.0.0:${port} (${exposed.service}) held by node (pid ${process.pid})`)
      const [listener] = JSON.parse(run.stdout) as AuditJson[]
      expect(listener).toMatchObject({ reach: 'all', service: exposed.service })
      expect(listener?.warnings[0]).toContain(`${exposed.service} on tcp 0.0.0.0:${port} (node pid ${process.pid}) is reachable from every network interface`)
    } finally {
      await close(exposed.server)
    }
    const local = await listenOnSensitivePort('127.0.0.1', port)
    port = local.port
    try {
      const run = await runBuiltCli('audit', '--json', '--fail-on', 'exposed-sensitive', '--filter', `lport:${port}`)
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ reach: 'loopback', service: local.service, warnings: [] })])
    } finally {
      await close(local.server)
    }
  })
})
