/*
 * The slow-clients finding on the real socket table: a program outside this test's process tree
 * opens 50 connections to a listener here, sends each a partial HTTP request and then a byte every
 * 10 s, and fills a keep-alive pool against a second listener that answered and is now idle. This
 * test itself holds 50 equally slow connections to a third listener. Only the first listener gets
 * the finding: the pool exchanged data and is parked, and the third one's peers are its own tree.
 * The finding's age threshold is lowered to 12 s (just over one trickle) so it is raised well within
 * a minute; everything else is the detector's default.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSocketProvider, HistorySession } from '../../../../electron/backend'
import type { Finding } from '../../../../shared/model/finding'
import { DEFAULT_LEAK_SETTINGS } from '../../../../shared/leak-settings'
import { startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { waitFor } from '../../../support/wait-for'

const CONNECTIONS = 50
const TRICKLE_MS = 10_000
const MINIMUM_AGE_SECONDS = 12
const POOL = 20
const PARTIAL_REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: '

let folder = ''
let slowServer: LoopbackTcpServer
let ownServer: LoopbackTcpServer
let poolServer: HttpServer
let poolPort = 0
let outsiderPid = 0
const ownClients: Socket[] = []
let ownTrickle: NodeJS.Timeout | null = null
/** Bytes each accepted connection of the slow listener received, by the client's port. */
const receivedByPeer = new Map<number, number>()

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sockscope-slow-clients-'))
  slowServer = await startTcpServer((socket) => {
    const peerPort = socket.remotePort ?? 0
    receivedByPeer.set(peerPort, 0)
    socket.on('data', (chunk: Buffer) => receivedByPeer.set(peerPort, (receivedByPeer.get(peerPort) ?? 0) + chunk.length))
  })
  ownServer = await startTcpServer()
  poolServer = createHttpServer((_request, response) => response.end('ok'))
  // Parked keep-alive connections stay until the client closes them.
  poolServer.keepAliveTimeout = 0
  await new Promise<void>((resolve) => poolServer.listen(0, '127.0.0.1', resolve))
  const address = poolServer.address()
  poolPort = typeof address === 'object' && address !== null ? address.port : 0

  // This test's own slow clients: the same behaviour, from the listener's own process tree.
  for (let index = 0; index < CONNECTIONS; index++) {
    const socket = connect(ownServer.port, '127.0.0.1')
    socket.on('error', () => undefined)
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(PARTIAL_REQUEST)
    ownClients.push(socket)
  }
  ownTrickle = setInterval(() => {
    for (const socket of ownClients) socket.write('a')
  }, TRICKLE_MS)

  // The outsider: started by a shell that exits at once, so it belongs to init (or a subreaper), not to this test.
  const ready = join(folder, 'ready.json')
  const script = join(__dirname, '../../../fixtures/programs/slow-clients.js')
  const args = [ready, String(slowServer.port), String(CONNECTIONS), String(TRICKLE_MS), String(poolPort), String(POOL)]
  spawn('bash', ['-c', '"$0" "$@" </dev/null >/dev/null 2>&1 &', process.execPath, script, ...args], { stdio: 'ignore' })
  await waitFor(async () => (await readFile(ready, 'utf8').catch(() => '')) !== '', 20_000, 'the slow clients to connect')
  const started = JSON.parse(await readFile(ready, 'utf8')) as { pid?: number; error?: string }
  if (started.pid === undefined) throw new Error(`the slow clients failed: ${started.error}`)
  outsiderPid = started.pid
}, 30_000)

afterAll(async () => {
  if (outsiderPid > 0) process.kill(outsiderPid, 'SIGKILL')
  if (ownTrickle !== null) clearInterval(ownTrickle)
  for (const socket of ownClients) socket.destroy()
  await slowServer?.close()
  await ownServer?.close()
  poolServer?.closeAllConnections()
  await new Promise<void>((resolve) => (poolServer ? poolServer.close(() => resolve()) : resolve()))
  await rm(folder, { recursive: true, force: true })
})

describe.skipIf(process.platform !== 'linux')('slow clients on the real socket table', () => {
  it('are found on the listener strangers trickle into within a minute, and neither the parked pool nor our own clients are', async () => {
    const session = new HistorySession({ settings: { ...DEFAULT_LEAK_SETTINGS, notify: false, raiseAfterSeconds: 2, slowClientMinimumAgeSeconds: MINIMUM_AGE_SECONDS } })
    const provider = createSocketProvider()
    const appeared: Finding[] = []
    const startedAt = Date.now()
    const aboutPort = (port: number) => (finding: Finding) => finding.kind === 'slow-clients' && finding.id.endsWith(`|${port}`)
    try {
      for (let tick = 1; !appeared.some(aboutPort(slowServer.port)) && Date.now() - startedAt < 60_000; tick++) {
        const read = await provider.read({ withProcesses: true })
        const { findings } = await session.tick({ tick, takenAt: Date.now(), refreshMs: 0, ...read })
        appeared.push(...findings.appeared)
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    } finally {
      provider.dispose?.()
    }
    const elapsedMs = Date.now() - startedAt
    const finding = appeared.find(aboutPort(slowServer.port))
    expect(finding, `no slow-clients finding on :${slowServer.port} after ${elapsedMs} ms`).toBeDefined()
    // It takes the age threshold at least, and less than a minute.
    expect(elapsedMs).toBeGreaterThanOrEqual(MINIMUM_AGE_SECONDS * 1000)
    expect(elapsedMs).toBeLessThan(60_000)
    expect(finding).toMatchObject({
      process: { pid: process.pid },
      title: `${finding?.process?.name} (pid ${process.pid}) on :${slowServer.port} is held open by ${CONNECTIONS} slow clients`,
      evidence: { groups: [{ label: 'from 127.0.0.1', count: CONNECTIONS }] }
    })
    expect(finding?.evidence.numbers).toMatchObject({ slowConnections: CONNECTIONS, peers: 1 })
    // The peers really trickled: every connection got its partial request and at least one byte after it.
    expect(receivedByPeer.size).toBe(CONNECTIONS)
    for (const bytes of receivedByPeer.values()) expect(bytes).toBeGreaterThan(PARTIAL_REQUEST.length)
    // The pool is as old as the slow clients, and parked; our own clients are as slow, but ours.
    expect(appeared.filter(aboutPort(poolPort))).toEqual([])
    expect(appeared.filter(aboutPort(ownServer.port))).toEqual([])
  }, 90_000)
})
