/*
 * The netlink reader's rows from one read to the next, on real sockets inside a network namespace
 * the test makes (so nothing but its own sockets is there): a socket whose message did not change
 * comes back as the very same row, a read where nothing changed as the very same array, and every
 * change the kernel reports still reaches the row: a receive queue that fills, a UDP socket
 * connected elsewhere in the same state, a TIME_WAIT timer counting down.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readlinkSync } from 'node:fs'
import { createInterface, type Interface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../../shared/model/socket'
import { DiagRowCache } from '../../../../../electron/backend/platform/linux/diag-row-cache'
import { readNetlinkTables } from '../../../../../electron/backend/platform/linux/netlink-table-reader'
import { SocketDiagnostics } from '../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { ProcNetTableReader } from '../../../../../electron/backend/platform/linux/proc-net-tables'
import { sleepAtLeast, waitFor } from '../../../../support/wait-for'

const isRoot = process.platform === 'linux' && process.getuid?.() === 0
const hasIp =
  isRoot &&
  (() => {
    try {
      execFileSync('ip', ['-V'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()

/** Sockets of its own inside the namespace, changed one way or another on each command line. */
const HOLDER = `
const net = require('node:net'), dgram = require('node:dgram')
const say = (value) => process.stdout.write(JSON.stringify(value) + '\\n')
const listen = (server) => new Promise((done) => server.listen(0, '127.0.0.1', () => done(server.address().port)))
const connect = (port) => new Promise((done) => { const socket = net.connect(port, '127.0.0.1', () => done(socket)) })
const bound = () => new Promise((done) => { const socket = dgram.createSocket('udp4'); socket.bind(0, '127.0.0.1', () => done(socket)) })
;(async () => {
  let accepted
  // The accepted end is never read, so what the client sends stays in its kernel queue.
  const server = net.createServer({ pauseOnConnect: true }, (socket) => { accepted ??= socket })
  const tcpPort = await listen(server)
  const client = await connect(tcpPort)
  // A port bound by number stays when the socket disconnects (an ephemeral one is given back).
  const ephemeral = await bound(), udpPort = ephemeral.address().port
  await new Promise((done) => ephemeral.close(done))
  const udp = dgram.createSocket('udp4')
  await new Promise((done) => udp.bind(udpPort, '127.0.0.1', done))
  const [firstPeer, secondPeer] = [await bound(), await bound()]
  await new Promise((done) => udp.connect(firstPeer.address().port, '127.0.0.1', done))
  const closing = net.createServer((socket) => socket.on('end', () => socket.end()))
  const closingPort = await listen(closing)
  const closer = await connect(closingPort)
  await new Promise((done) => setTimeout(done, 50))
  say({ tcpPort, clientPort: client.localPort, udpPort: udp.address().port, peers: [firstPeer.address().port, secondPeer.address().port], closerPort: closer.localPort })
  require('node:readline').createInterface({ input: process.stdin }).on('line', (command) => {
    if (command === 'fill') client.write(Buffer.alloc(1000), () => setTimeout(() => say('filled'), 50))
    if (command === 'reconnect') { udp.disconnect(); udp.connect(secondPeer.address().port, '127.0.0.1', () => say('reconnected')) }
    if (command === 'close') { closer.on('close', () => say('closed')); closer.end() }
  })
})()
`

interface Ports {
  readonly tcpPort: number
  readonly clientPort: number
  readonly udpPort: number
  readonly peers: readonly [number, number]
  readonly closerPort: number
}

describe.skipIf(!hasIp)('rows handed back from one netlink read to the next (root, in a namespace of its own)', () => {
  const namespace = `sockscope-rows-${process.pid}`
  let holder: ChildProcessWithoutNullStreams
  let lines: Interface
  let ports: Ports
  let diagnostics: SocketDiagnostics
  const cache = new DiagRowCache()
  const scope = { netns: 0, container: null }

  const nextLine = (): Promise<unknown> => new Promise((resolve) => lines.once('line', (line) => resolve(JSON.parse(line))))
  const command = async (name: string): Promise<void> => {
    const answer = nextLine()
    holder.stdin.write(`${name}\n`)
    await answer
  }
  const read = async (): Promise<readonly SocketEntry[]> =>
    (await readNetlinkTables(diagnostics, new ProcNetTableReader(`/proc/${holder.pid}`, scope), scope, { tcpInfo: false }, cache)).rows
  const row = (rows: readonly SocketEntry[], protocol: string, localPort: number, state?: string): SocketEntry | undefined =>
    rows.find((entry) => entry.protocol === protocol && entry.localPort === localPort && (state === undefined || entry.state === state))

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', namespace])
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    holder = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', HOLDER])
    lines = createInterface({ input: holder.stdout })
    ports = (await nextLine()) as Ports
    diagnostics = SocketDiagnostics.open({ networkNamespacePath: `/run/netns/${namespace}` })
    scope.netns = Number(/\d+/.exec(readlinkSync(`/proc/${holder.pid}/ns/net`))?.[0])
  })

  afterAll(() => {
    diagnostics?.close()
    holder?.kill('SIGKILL')
    execFileSync('ip', ['netns', 'del', namespace])
  })

  it('hands back the same rows, in the same array, while nothing changed', async () => {
    const first = await read()
    const second = await read()
    expect(row(first, 'tcp', ports.clientPort)).toMatchObject({ state: 'ESTABLISHED', remotePort: ports.tcpPort })
    expect(second).toBe(first)
    expect(cache.size).toBe(first.length)
  })

  it('makes a new row for a socket whose receive queue filled, and keeps the others', async () => {
    const before = await read()
    await command('fill')
    const after = await read()
    expect(after).not.toBe(before)
    const accepted = (rows: readonly SocketEntry[]): SocketEntry | undefined =>
      rows.find((entry) => entry.protocol === 'tcp' && entry.localPort === ports.tcpPort && entry.remotePort === ports.clientPort)
    expect(accepted(before)?.recvQueue).toBe(0)
    expect(accepted(after)?.recvQueue).toBe(1000)
    expect(row(after, 'tcp', ports.tcpPort, 'LISTEN')).toBe(row(before, 'tcp', ports.tcpPort, 'LISTEN'))
    expect(row(after, 'udp', ports.udpPort)).toBe(row(before, 'udp', ports.udpPort))
  })

  it('sees a UDP socket connected elsewhere though its state stayed the same', async () => {
    const before = row(await read(), 'udp', ports.udpPort)
    await command('reconnect')
    const after = row(await read(), 'udp', ports.udpPort)
    expect(after?.inode).toBe(before?.inode)
    expect(before).toMatchObject({ state: 'ESTABLISHED', remotePort: ports.peers[0] })
    expect(after).toMatchObject({ state: 'ESTABLISHED', remotePort: ports.peers[1] })
  })

  it('counts a TIME_WAIT timer down on every read, under the same id', async () => {
    await command('close')
    let first: SocketEntry | undefined
    await waitFor(async () => (first = row(await read(), 'tcp', ports.closerPort, 'TIME_WAIT')) !== undefined, 5_000, 'the closed connection in TIME_WAIT')
    await sleepAtLeast(50)
    const second = row(await read(), 'tcp', ports.closerPort, 'TIME_WAIT')
    expect(first?.timer?.kind).toBe('time-wait')
    expect(second).not.toBe(first)
    expect(second?.id).toBe(first?.id)
    expect(second?.timer?.kind).toBe('time-wait')
    expect(second!.timer!.expiresInMs).toBeLessThanOrEqual(first!.timer!.expiresInMs - 40)
  })
})
