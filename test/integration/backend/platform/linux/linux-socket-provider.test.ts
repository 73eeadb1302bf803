/*
 * The Linux socket provider (the socket tables, through netlink or from /proc/net, joined with
 * owners from /proc/PID/fd) against real loopback sockets, checked field by field against `ss`,
 * which reads the same kernel state over netlink. Both readers pass the same checks. Also covers the process-table cache with real processes, and what a user who is
 * not root sees (a child run as nobody).
 */
import { execFile, spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../../shared/model/socket'
import { LinuxPlatform, type SocketReaderChoice } from '../../../../../electron/backend/platform/linux/linux-platform'
import { ProcessTable } from '../../../../../electron/backend/platform/linux/process-table'
import { createSocketProvider } from '../../../../../electron/backend/platform/create-platform'
import { kernelStateName, parseSsOutput } from '../../../../support/ss-output'
import { startProgram, stopPrograms } from '../../../../support/test-programs'
import { waitFor } from '../../../../support/wait-for'
import { bundleForOtherUsers, canRunAsNobody, makeSharedFolder } from '../../../../support/other-user'
import type { SsSocket } from '../../../../support/ss-output'
import { elementAt } from '../../../../../shared/element-at'

const run = promisify(execFile)
const CLIENT_COUNT = 20
const UNSENT_BYTES = 8 * 1024 * 1024
const isLinux = process.platform === 'linux'
const isRoot = process.getuid?.() === 0
/** Who this test runs as; the sockets it opens belong to that user. */
const userName = userInfo().username

/** The socket provider of a fresh Linux platform, with nothing cached yet. */
function linuxSockets(socketReader: SocketReaderChoice = 'auto'): LinuxPlatform['sockets'] {
  return new LinuxPlatform({ socketReader }).sockets
}

interface TrackedServer {
  readonly server: net.Server
  readonly port: number
  readonly accepted: net.Socket[]
}

const cleanups: (() => unknown)[] = []

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  await stopPrograms()
})

async function listen(host: string): Promise<TrackedServer> {
  const accepted: net.Socket[] = []
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined)
    accepted.push(socket)
  })
  await new Promise<void>((done) => server.listen({ host, port: 0 }, done))
  cleanups.push(() => {
    for (const socket of accepted) socket.destroy()
    return new Promise((done) => server.close(done))
  })
  return { server, port: (server.address() as net.AddressInfo).port, accepted }
}

async function connect(host: string, port: number): Promise<net.Socket> {
  const socket = net.connect({ host, port, allowHalfOpen: true })
  socket.on('error', () => undefined)
  await new Promise<void>((done, fail) => {
    socket.once('connect', done)
    socket.once('error', fail)
  })
  cleanups.push(() => socket.destroy())
  return socket
}

async function ss(...flags: string[]): Promise<SsSocket[]> {
  const { stdout } = await run('ss', flags, { maxBuffer: 256 * 1024 * 1024 })
  return parseSsOutput(stdout)
}

function ssPort(port: string): number {
  return port === '*' ? 0 : Number(port)
}

/** The provider's entry for an ss row: same protocol, inode and ports. */
function entryFor(sockets: readonly SocketEntry[], protocol: string, row: SsSocket): SocketEntry | undefined {
  return sockets.find((entry) => entry.protocol === protocol && entry.inode === row.inode && entry.localPort === ssPort(row.localPort) && entry.remotePort === ssPort(row.peerPort))
}

/** Compare one provider entry with the ss row for the same socket. */
function expectSameSocket(entry: SocketEntry | undefined, row: SsSocket, reader: SocketReaderChoice): void {
  expect(entry, row.line).toBeDefined()
  expect(entry!.localAddress, row.line).toBe(row.localAddress === '*' ? '::' : row.localAddress)
  expect(entry!.remoteAddress, row.line).toBe(row.peerAddress === '*' ? '::' : row.peerAddress)
  expect(entry!.state, row.line).toBe(kernelStateName(row.state))
  expect(entry!.recvQueue, row.line).toBe(row.recvQueue)
  // ss shows a listener's backlog limit as Send-Q, as netlink does; /proc has no such column.
  if (entry!.state !== 'LISTEN' || reader === 'netlink') expect(entry!.sendQueue, row.line).toBe(row.sendQueue)
  expect(entry!.owners.map((owner) => owner.pid).sort(), row.line).toEqual(row.users.map((user) => user.pid).sort())
  expect(entry!.owners.map((owner) => owner.process).sort(), row.line).toEqual(row.users.map((user) => user.process).sort())
  expect(entry!.pid, row.line).toBe(row.users.length === 0 ? null : Math.min(...row.users.map((user) => user.pid)))
  expect(entry!.ownerVisibility, row.line).toBe(row.users.length === 0 ? 'none' : 'known')
}

describe.skipIf(!isLinux).each(['netlink', 'proc'] as const)('the Linux socket provider reading through %s, against ss', (reader) => {
  let server4: TrackedServer
  let server6: TrackedServer
  let childPort: number
  let childPid: number
  let closeWaitClientPort: number
  let unreadClientPort: number
  let udpPort: number
  let udpClientPort: number
  let unixPath: string
  /** "localPort remotePort" of every TCP socket the test opened, both ends of each connection. */
  let endpoints: Set<string>

  beforeAll(async () => {
    server4 = await listen('127.0.0.1')
    server6 = await listen('::1')
    const clients: net.Socket[] = []
    for (let index = 0; index < CLIENT_COUNT; index++) {
      clients.push(await connect(index % 2 === 0 ? '127.0.0.1' : '::1', index % 2 === 0 ? server4.port : server6.port))
    }
    // A client that stops reading: once its receive window is full, the rest waits in the
    // server's send queue, and both queues stay put.
    elementAt(clients, 0).pause()
    unreadClientPort = elementAt(clients, 0).localPort!
    await waitFor(() => server4.accepted.length >= 1, 5_000, 'the first connection to be accepted')
    const sender = server4.accepted.find((socket) => socket.remotePort === unreadClientPort)!
    sender.write(Buffer.alloc(UNSENT_BYTES, 7))
    await waitFor(() => sender.writableLength > 0, 5_000, 'the sender to stall')
    await queuesSettled(unreadClientPort)
    // The peer closes its side; the server never does, so its side stays in CLOSE_WAIT.
    const closing = await connect('127.0.0.1', server4.port)
    closeWaitClientPort = closing.localPort!
    await waitFor(() => server4.accepted.length === CLIENT_COUNT / 2 + 1, 5_000, 'the IPv4 server to accept')
    await waitFor(() => server6.accepted.length === CLIENT_COUNT / 2, 5_000, 'the IPv6 server to accept')
    const closeWaitServerSide = server4.accepted.find((socket) => socket.remotePort === closeWaitClientPort)!
    const peerClosed = new Promise((done) => closeWaitServerSide.once('end', done))
    closing.end()
    await peerClosed

    // A listener held by another process: the closing server only ever listens here.
    const child = await startProgram('closing-server.js')
    childPort = Number(child.ready.port)
    childPid = child.pid

    const udp = dgram.createSocket('udp4')
    await new Promise<void>((done) => udp.bind(0, '127.0.0.1', done))
    const udpClient = dgram.createSocket('udp4')
    await new Promise<void>((done) => udpClient.bind(0, '127.0.0.1', done))
    await new Promise<void>((done) => udpClient.connect(udp.address().port, '127.0.0.1', done))
    cleanups.push(
      () => udp.close(),
      () => udpClient.close()
    )
    udpPort = udp.address().port
    udpClientPort = udpClient.address().port

    const directory = await mkdtemp(join(tmpdir(), 'sockscope-provider-'))
    unixPath = join(directory, 'listener.sock')
    const unixServer = net.createServer()
    await new Promise<void>((done) => unixServer.listen(unixPath, done))
    cleanups.push(
      () => new Promise((done) => unixServer.close(done)),
      () => rm(directory, { recursive: true, force: true })
    )

    endpoints = new Set([`${server4.port} 0`, `${server6.port} 0`, `${childPort} 0`])
    for (const client of [...clients, closing]) {
      endpoints.add(`${client.localPort} ${client.remotePort}`)
      endpoints.add(`${client.remotePort} ${client.localPort}`)
    }
  })

  it('matches ss for every TCP socket the test opened', async () => {
    const read = await linuxSockets(reader).read({ withProcesses: true })
    // Matching on both ports leaves out TIME_WAIT leftovers that reuse one of them.
    const listed = (await ss('-tanpeH')).filter((row) => endpoints.has(`${ssPort(row.localPort)} ${ssPort(row.peerPort)}`))
    // Listeners, both ends of every connection, and the CLOSE_WAIT pair.
    expect(listed).toHaveLength(3 + 2 * CLIENT_COUNT + 2)
    for (const row of listed) expectSameSocket(entryFor(read.sockets, 'tcp', row), row, reader)
    const ours = read.sockets.filter((entry) => entry.protocol === 'tcp' && endpoints.has(`${entry.localPort} ${entry.remotePort}`))
    expect(ours).toHaveLength(listed.length)
    // Not root: other users' processes cannot be looked into.
    expect(read.partialOwnership).toBe(!isRoot)
    const stalledReceiver = ours.find((entry) => entry.localPort === unreadClientPort)!
    const stalledSender = ours.find((entry) => entry.remotePort === unreadClientPort)!
    expect(stalledReceiver.recvQueue).toBeGreaterThan(0)
    expect(stalledReceiver.sendQueue).toBe(0)
    expect(stalledSender.sendQueue).toBeGreaterThan(0)
  })

  it('reads the listeners on 127.0.0.1 and ::1 with this process as owner', async () => {
    const { sockets } = await linuxSockets(reader).read({ withProcesses: true })
    const listener4 = sockets.find((entry) => entry.state === 'LISTEN' && entry.localAddress === '127.0.0.1' && entry.localPort === server4.port)
    const listener6 = sockets.find((entry) => entry.state === 'LISTEN' && entry.localAddress === '::1' && entry.localPort === server6.port)
    expect(listener4).toMatchObject({ family: 4, localAddress: '127.0.0.1', pid: process.pid, ownerVisibility: 'known', user: userName })
    expect(listener6).toMatchObject({ family: 6, localAddress: '::1', pid: process.pid })
    expect(listener4?.command).toContain(process.execPath)
  })

  it('reads the half-closed connection as CLOSE_WAIT on our side and FIN_WAIT2 on the peer', async () => {
    const { sockets } = await linuxSockets(reader).read({ withProcesses: true })
    expect(sockets.find((entry) => entry.localPort === server4.port && entry.remotePort === closeWaitClientPort)).toMatchObject({
      state: 'CLOSE_WAIT',
      pid: process.pid
    })
    // Match on both ends: parallel tests may reuse the same ephemeral port towards another peer.
    expect(sockets.find((entry) => entry.localPort === closeWaitClientPort && entry.remotePort === server4.port)).toMatchObject({ state: 'FIN_WAIT2' })
  })

  it('finds the listener of a child process by pid and name', async () => {
    const { sockets } = await linuxSockets(reader).read({ withProcesses: true })
    const listener = sockets.find((entry) => entry.protocol === 'tcp' && entry.state === 'LISTEN' && entry.localAddress === '127.0.0.1' && entry.localPort === childPort)
    expect(listener).toMatchObject({
      state: 'LISTEN',
      pid: childPid,
      process: 'node',
      ownerVisibility: 'known',
      owners: [expect.objectContaining({ pid: childPid, process: 'node', user: userName })]
    })
    // The whole command line, program and argument joined by a space.
    expect(listener?.command).toMatch(/^\S+ \S+\/closing-server\.js$/)
  })

  it('matches ss for UDP sockets', async () => {
    const read = await linuxSockets(reader).read({ withProcesses: true })
    const listed = (await ss('-uanpeH')).filter((row) => [udpPort, udpClientPort].includes(ssPort(row.localPort)))
    expect(listed.map((row) => row.state).sort()).toEqual(['ESTAB', 'UNCONN'])
    for (const row of listed) expectSameSocket(entryFor(read.sockets, 'udp', row), row, reader)
  })

  it('matches ss for a UNIX listener', async () => {
    const read = await linuxSockets(reader).read({ withProcesses: true })
    const row = elementAt(
      (await ss('-xlpH')).filter((candidate) => candidate.localAddress === unixPath),
      0
    )
    expect(row).toBeDefined()
    const entry = read.sockets.find((candidate) => candidate.protocol === 'unix' && candidate.inode === row.inode)
    expect(entry).toMatchObject({ localAddress: unixPath, state: 'LISTEN', unixType: 'stream', pid: process.pid })
  })

  it('skips the process walk when asked to', async () => {
    const read = await linuxSockets(reader).read({ withProcesses: false })
    const listener = read.sockets.find((entry) => entry.state === 'LISTEN' && entry.localPort === server4.port)
    expect(listener).toMatchObject({ pid: null, owners: [], ownerVisibility: 'hidden', user: userName })
    expect(read.partialOwnership).toBe(false)
  })

  it('is what createSocketProvider gives on Linux', async () => {
    const provider = createSocketProvider()
    expect(provider.platform).toBe('linux')
    const { sockets } = await provider.read({ withProcesses: true })
    expect(sockets.some((entry) => entry.localPort === server4.port && entry.pid === process.pid)).toBe(true)
    provider.dispose?.()
  })
})

describe.skipIf(!isLinux)('process table cache', () => {
  it('finds a socket opened after the previous read, with its pid', async () => {
    const provider = linuxSockets()
    await provider.read({ withProcesses: true })
    const late = await listen('127.0.0.1')
    const { sockets } = await provider.read({ withProcesses: true })
    expect(provider.owners.lastWalk.fullWalk).toBe(false)
    expect(sockets.find((entry) => entry.localPort === late.port && entry.state === 'LISTEN')).toMatchObject({
      pid: process.pid,
      ownerVisibility: 'known'
    })
  })

  it('notices a new process sharing a socket that was already known', async () => {
    const server = await listen('127.0.0.1')
    const client = await connect('127.0.0.1', server.port)
    const inode = elementAt(await inodesOf([[client.localPort!, server.port]]), 0)
    const table = new ProcessTable()
    const before = await table.findOwners([inode])
    expect(before.ownersByInode.get(inode)?.map((owner) => owner.pid)).toEqual([process.pid])
    // The child gets a duplicate of the client's file descriptor as its fd 3.
    const child = spawn(process.execPath, ['-e', 'process.stdin.on("end", () => process.exit(0)); process.stdin.resume(); console.log("ready")'], {
      stdio: ['pipe', 'pipe', 'inherit', client]
    })
    cleanups.push(() => child.kill())
    await new Promise((done) => child.stdout!.once('data', done))
    const after = await table.findOwners([inode])
    expect(table.lastWalk.fullWalk).toBe(false)
    const pids = after.ownersByInode.get(inode)?.map((owner) => owner.pid)
    expect(pids).toEqual([process.pid, child.pid!].sort((left, right) => left - right))
    child.stdin!.end()
  })

  it('finds a new socket of a running process, and a socket it hands to its child, by their changed fd counts', async () => {
    // Two quiet processes, so their fd counts change only when told to.
    const { child, pid, ready } = await startProgram('socket-handover.js')
    const childPid = Number(ready.childPid)
    const lines = createInterface({ input: child.stdout! })
    const command = (line: string): Promise<Record<string, unknown>> => {
      child.stdin!.write(`${line}\n`)
      return new Promise((done) => lines.once('line', (reply) => done(JSON.parse(reply) as Record<string, unknown>)))
    }
    // A frozen clock: after the first (full) walk, neither a full walk nor a search is due again,
    // so only the changed fd counts can lead the table to these sockets.
    const table = new ProcessTable({ clock: () => 0 })
    await table.findOwners([])

    const { port } = await command('listen')
    const inode = elementAt(await inodesOf([[Number(port), 0]]), 0)
    const opened = await table.findOwners([inode])
    expect(table.lastWalk).toMatchObject({ fullWalk: false, searched: false })
    expect(opened.ownersByInode.get(inode)?.map((owner) => owner.pid)).toEqual([pid])

    await command('hand-over')
    const handedOver = await table.findOwners([inode])
    expect(table.lastWalk).toMatchObject({ fullWalk: false, searched: false })
    expect(handedOver.ownersByInode.get(inode)?.map((owner) => owner.pid)).toEqual([childPid])
  })

  it('takes processes that come and go during a lookup in its stride', async () => {
    // A shell starting short-lived processes as fast as it can, while the table reads /proc.
    const churn = spawn('bash', ['-c', 'while :; do /bin/true; done'], { stdio: 'ignore' })
    cleanups.push(() => churn.kill())
    const table = new ProcessTable()
    const server = await listen('127.0.0.1')
    const inode = elementAt(await inodesOf([[server.port, 0]]), 0)
    for (let round = 0; round < 15; round++) {
      table.clear()
      const lookup = await table.findOwners([inode])
      expect(lookup.ownersByInode.get(inode)?.map((owner) => owner.pid)).toEqual([process.pid])
    }
    churn.kill()
  })

  it('does not walk known processes again when every socket asked for is known', async () => {
    const server = await listen('127.0.0.1')
    const client = await connect('127.0.0.1', server.port)
    await waitFor(() => server.accepted.length === 1, 5_000, 'the server to accept')
    const inodes = await inodesOf([
      [server.port, 0],
      [server.port, client.localPort!],
      [client.localPort!, server.port]
    ])
    // A frozen clock keeps the periodic full walk from landing between the two reads on a slow machine.
    const table = new ProcessTable({ clock: () => 0 })
    const first = await table.findOwners(inodes)
    expect(table.lastWalk.fullWalk).toBe(true)
    expect(table.lastWalk.walkedCount).toBe(table.lastWalk.processCount)
    const second = await table.findOwners(inodes)
    // Only processes started in between are read; this one is not.
    expect(table.lastWalk.fullWalk).toBe(false)
    expect(table.lastWalk.walkedCount).toBeLessThan(table.lastWalk.processCount)
    for (const inode of inodes) {
      expect(second.ownersByInode.get(inode)?.map((owner) => owner.pid)).toEqual([process.pid])
      expect(second.ownersByInode.get(inode)).toEqual(first.ownersByInode.get(inode))
    }
  })

  it('does not search again for an inode nobody holds', async () => {
    const table = new ProcessTable({ clock: () => 0 })
    const missingInode = 4_000_000_000
    await table.findOwners([missingInode])
    await table.findOwners([missingInode])
    const lookup = await table.findOwners([missingInode])
    expect(lookup.ownersByInode.size).toBe(0)
    expect(table.lastWalk.walkedCount).toBeLessThan(table.lastWalk.processCount)
  })

  it('walks everything again once the full-walk interval has passed', async () => {
    let now = 0
    const table = new ProcessTable({ clock: () => now, fullWalkIntervalMs: 1000 })
    await table.findOwners([])
    now = 500
    await table.findOwners([])
    expect(table.lastWalk.fullWalk).toBe(false)
    now = 1500
    await table.findOwners([])
    expect(table.lastWalk.fullWalk).toBe(true)
  })

  it('takes a process that exits between reads in its stride', async () => {
    const provider = linuxSockets()
    const { child, pid, ready } = await startProgram('closing-server.js')
    const port = Number(ready.port)
    const before = await provider.read({ withProcesses: true })
    expect(before.sockets.find((entry) => entry.localPort === port)).toMatchObject({ pid, process: 'node' })
    const exited = new Promise((done) => child.once('exit', done))
    child.kill()
    await exited
    const after = await provider.read({ withProcesses: true })
    expect(after.sockets.some((entry) => entry.localPort === port && entry.state === 'LISTEN')).toBe(false)
    expect(after.sockets.some((entry) => entry.pid === pid)).toBe(false)
    expect(after.issues).toEqual([])
  })
})

// Running a child as another user takes root.
describe.skipIf(!isLinux || !canRunAsNobody)('reading as a user who is not root', () => {
  it('marks other users’ sockets hidden, socketless ones none, and its own known', async () => {
    const server = await listen('127.0.0.1')
    // Close a connection from the client side first so the client port sits in TIME_WAIT.
    const client = await connect('127.0.0.1', server.port)
    const timeWaitPort = client.localPort!
    await waitFor(() => server.accepted.length === 1, 5_000, 'the server to accept')
    const serverSide = elementAt(server.accepted, 0)
    const clientClosed = new Promise((done) => client.once('close', done))
    serverSide.once('end', () => serverSide.end())
    client.end()
    await clientClosed

    const shared = await makeSharedFolder('sockscope-nobody')
    cleanups.push(() => shared.remove())
    const program = await bundleForOtherUsers(resolve(__dirname, '../../../../fixtures/programs/read-sockets.ts'), shared.path)
    const { stdout } = await run(process.execPath, [program, String(server.port), String(timeWaitPort)], {
      uid: 65534,
      gid: 65534,
      cwd: shared.path,
      timeout: 20_000
    })
    const seen = JSON.parse(stdout) as { partial: boolean; pid: number; own: SocketEntry[]; others: Record<string, SocketEntry[]> }
    expect(seen.partial).toBe(true)
    expect(seen.own).toEqual([expect.objectContaining({ state: 'LISTEN', pid: seen.pid, ownerVisibility: 'known', user: 'nobody' })])
    const rootListener = (seen.others[server.port] ?? []).filter((entry) => entry.state === 'LISTEN' && entry.localAddress === '127.0.0.1')
    expect(rootListener).toEqual([expect.objectContaining({ pid: null, ownerVisibility: 'hidden', user: 'root' })])
    // The same local port may serve other connections; the closed one is the one to the server.
    const closed = (seen.others[timeWaitPort] ?? []).filter((entry) => entry.remoteAddress === '127.0.0.1' && entry.remotePort === server.port)
    expect(closed).toEqual([expect.objectContaining({ state: 'TIME_WAIT', inode: 0, ownerVisibility: 'none' })])
  })
})

/** Wait until the queues of the connection on `clientPort` stop changing between two reads. */
async function queuesSettled(clientPort: number): Promise<void> {
  const provider = linuxSockets()
  const queues = async (): Promise<string> => {
    const { sockets } = await provider.read({ withProcesses: false })
    const pair = sockets.filter((entry) => entry.localPort === clientPort || entry.remotePort === clientPort)
    return JSON.stringify(pair.map((entry) => [entry.localPort, entry.recvQueue, entry.sendQueue]))
  }
  let previous = await queues()
  for (let attempt = 0; attempt < 100; attempt++) {
    await new Promise((done) => setTimeout(done, 20))
    const current = await queues()
    if (current === previous) return
    previous = current
  }
  throw new Error('the stalled connection kept moving')
}

/**
 * Inodes of this test's TCP sockets on 127.0.0.1, each named by its local and peer port (0 for a
 * listener), from ss (an independent source). Both ports are matched: another test's connection
 * may use the same local port towards another peer.
 */
async function inodesOf(ends: ReadonlyArray<readonly [localPort: number, peerPort: number]>): Promise<number[]> {
  const rows = (await ss('-tanpeH')).filter((row) => row.localAddress === '127.0.0.1' && row.inode !== null && row.inode > 0)
  return ends.map(([localPort, peerPort]) => {
    const matching = rows.filter((row) => ssPort(row.localPort) === localPort && ssPort(row.peerPort) === peerPort)
    expect(matching, `${localPort} → ${peerPort}`).toHaveLength(1)
    return elementAt(matching, 0).inode!
  })
}
