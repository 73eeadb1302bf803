/*
 * SocketDiagnostics against the running kernel, with ss (iproute2) as the reference: real
 * loopback sockets, real UNIX socket pairs, and SOCK_DESTROY on a real connection.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createConnection, type Socket } from 'node:net'
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SocketDiagnostics } from '../../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import type { InetDiagSocket } from '../../../../../../electron/backend/platform/linux/netlink/inet-diag'
import { openKnownConnection, type KnownConnection } from '../../../../../support/netlink/loopback-connection'
import { parseSsDetails } from '../../../../../support/netlink/ss-details'
import { tcpInfoDifferences } from '../../../../../support/netlink/tcp-info-reference'
import { waitFor } from '../../../../../support/wait-for'
import { elementAt } from '../../../../../../shared/element-at'

const isLinux = process.platform === 'linux'
const isRoot = process.getuid?.() === 0
const ESTABLISHED_ONLY = 1 << 1

/** Inodes of the sockets this process holds, from its own fd table. */
function ownSocketInodes(pid: number | 'self' = 'self'): Set<number> {
  const inodes = new Set<number>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (match !== null) inodes.add(Number(match[1]))
    } catch {
      // The fd closed while being read.
    }
  }
  return inodes
}

describe.skipIf(!isLinux)('SocketDiagnostics on this kernel', () => {
  let diagnostics: SocketDiagnostics
  const cleanups: (() => Promise<void> | void)[] = []

  beforeAll(() => {
    diagnostics = SocketDiagnostics.open()
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })
  afterAll(() => diagnostics.close())

  /** Both ends of a connection from one dump (ESTABLISHED only), client first. */
  function ends(connection: KnownConnection, family: 4 | 6 = 4): [InetDiagSocket | undefined, InetDiagSocket | undefined] {
    const { sockets } = diagnostics.dumpInet({ family, protocol: 'tcp', states: ESTABLISHED_ONLY })
    return [
      sockets.find((socket) => socket.localPort === connection.clientPort && socket.remotePort === connection.serverPort),
      sockets.find((socket) => socket.localPort === connection.serverPort && socket.remotePort === connection.clientPort)
    ]
  }

  it("reads an idle connection's tcp_info: the bytes the test sent, and every field as ss -tinH prints it", async () => {
    const connection = await openKnownConnection(12_345, 54_321)
    cleanups.push(() => connection.close())
    // Idle means every byte acknowledged, so nothing changes between the two reads. The
    // connecting side also counts its SYN as acknowledged; the accepting side does not.
    await waitFor(
      () => {
        const [client, server] = ends(connection)
        return client?.tcpInfo?.bytesAcked === connection.clientBytes + 1 && server?.tcpInfo?.bytesAcked === connection.serverBytes
      },
      5_000,
      'both ends to be acknowledged'
    )

    const readAt = Date.now()
    const [client, server] = ends(connection)
    const port = connection.clientPort
    const ss = parseSsDetails(execFileSync('ss', ['-tinemH', `sport = :${port} or dport = :${port}`], { encoding: 'utf8' }))
    const delay = { atLeastMs: 0, atMostMs: Date.now() - readAt }

    expect(client?.tcpInfo).toMatchObject({ bytesSent: connection.clientBytes, bytesReceived: connection.serverBytes, bytesRetrans: 0 })
    expect(server?.tcpInfo).toMatchObject({ bytesSent: connection.serverBytes, bytesReceived: connection.clientBytes })
    for (const end of [client!, server!]) {
      const row = ss.find((candidate) => candidate.localPort === end.localPort && candidate.peerPort === end.remotePort)
      expect(row, `ss row for ${end.localPort}`).toBeDefined()
      expect(end.inode).toBe(Number(row!.values.get('ino')))
      expect(end.cookie).toBe(row!.values.get('sk'))
      expect(tcpInfoDifferences(end.tcpInfo!, end.memory, row!, delay), row!.text).toEqual([])
    }
    expect([client!.inode, server!.inode].every((inode) => ownSocketInodes().has(inode))).toBe(true)
  })

  it('reads IPv6 sockets and finds one socket exactly by its endpoints', async () => {
    const connection = await openKnownConnection(10, 20, '::1')
    cleanups.push(() => connection.close())
    const [client] = ends(connection, 6)
    expect(client).toMatchObject({ family: 6, localAddress: '::1', remoteAddress: '::1', state: 'ESTABLISHED' })
    const found = diagnostics.findInetSocket(client!)
    expect(found).toMatchObject({ inode: client!.inode, cookie: client!.cookie })
    // A cookie that belongs to no socket on those endpoints finds nothing.
    expect(diagnostics.findInetSocket({ ...client!, cookie: 'ffff0000ffff' })).toBeNull()
  })

  it('dumps every table, says which ones the kernel cannot dump, and lists what ss lists', async () => {
    const connection = await openKnownConnection(1, 1)
    cleanups.push(() => connection.close())
    const dump = diagnostics.dumpAll()
    expect(dump.skipped).toBe(0)
    // Raw sockets need CONFIG_INET_RAW_DIAG; where it is missing both raw tables fail with ENOENT.
    for (const table of dump.unavailable) {
      expect(table.table).toMatch(/^raw6?$/)
      expect(table.failure.code).toBe('ENOENT')
    }
    const ours = dump.inet.filter((socket) => socket.localPort === connection.serverPort || socket.remotePort === connection.serverPort)
    expect(ours.map((socket) => socket.state).sort()).toEqual(['ESTABLISHED', 'ESTABLISHED', 'LISTEN'])
    // The listener ss shows for the port is the one netlink shows.
    const listener = parseSsDetails(execFileSync('ss', ['-tlneH', `sport = :${connection.serverPort}`], { encoding: 'utf8' }))
    expect(listener).toHaveLength(1)
    expect(ours.find((socket) => socket.state === 'LISTEN')?.inode).toBe(Number(elementAt(listener, 0).values.get('ino')))
  })

  it("shows both ends of a UNIX socket pair with each other's inode", async () => {
    // A child's stdout pipe is a socket pair: one end here, the other as the child's fd 1.
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("ready\\n"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] })
    cleanups.push(() => {
      child.kill()
    })
    await new Promise((resolve) => child.stdout.once('data', resolve))
    const childEnd = Number(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${child.pid}/fd/1`))![1])
    const { sockets, failure } = diagnostics.dumpUnix()
    expect(failure).toBeNull()
    const theirs = sockets.find((socket) => socket.inode === childEnd)
    expect(theirs).toMatchObject({ type: 'stream', state: 'ESTABLISHED', path: null })
    const ours = sockets.find((socket) => socket.inode === theirs!.peerInode)
    expect(ours?.peerInode).toBe(childEnd)
    expect(ownSocketInodes().has(ours!.inode)).toBe(true)
  })

  it('shows a named listener with the connection waiting in its queue, named by the connecting socket', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sockscope-unix-'))
    const path = join(directory, 'listener.sock')
    // The listener lives in a child that is stopped once listening, so nothing gets accepted.
    const listenerSource = `require('node:net').createServer().listen({ path: ${JSON.stringify(path)}, backlog: 4 }, () => process.stdout.write('ready\\n'))`
    const child = spawn(process.execPath, ['-e', listenerSource], { stdio: ['ignore', 'pipe', 'inherit'] })
    let client: Socket | null = null
    cleanups.push(() => {
      client?.destroy()
      child.kill('SIGKILL')
      rmSync(directory, { recursive: true, force: true })
    })
    await new Promise((resolve) => child.stdout.once('data', resolve))
    child.kill('SIGSTOP')
    client = await new Promise<Socket>((resolve) => {
      const socket = createConnection(path, () => resolve(socket))
    })
    const { sockets } = diagnostics.dumpUnix()
    const listener = sockets.find((socket) => socket.path === path && socket.state === 'LISTEN')
    // For a listener the queues are connections waiting (1) and the backlog (4).
    expect(listener).toMatchObject({ type: 'stream', recvQueue: 1, sendQueue: 4 })
    expect(listener?.file?.inode).toBeGreaterThan(0)
    expect(listener?.pendingConnections).toHaveLength(1)
    const waiting = sockets.find((socket) => socket.inode === listener!.pendingConnections![0])
    expect(ownSocketInodes().has(waiting!.inode)).toBe(true)
    // Its peer, still queued on the listener, has no inode before it is accepted.
    expect(waiting).toMatchObject({ state: 'ESTABLISHED', path: null, peerInode: null })
  })

  describe.skipIf(!isRoot)('closing a connection (root)', () => {
    it('aborts the connection: the peer sees a reset, the closed end ECONNABORTED; a second close says it is gone', async () => {
      const connection = await openKnownConnection(100, 100)
      cleanups.push(() => connection.close())
      const peerError = new Promise<NodeJS.ErrnoException>((resolve) => connection.accepted.once('error', resolve))
      const ownError = new Promise<NodeJS.ErrnoException>((resolve) => connection.client.once('error', resolve))
      const [client] = ends(connection)
      expect(diagnostics.destroyTcpSocket(client!)).toEqual({ closed: true })
      expect((await peerError).code).toBe('ECONNRESET')
      expect((await ownError).code).toBe('ECONNABORTED')
      expect(diagnostics.destroyTcpSocket(client!)).toEqual({
        closed: false,
        reason: 'already-gone',
        code: 'ENOENT',
        message: 'the connection no longer exists'
      })
      expect(ends(connection)[0]).toBeUndefined()
    })

    it('refuses to close a newer connection that reuses the endpoints named with an old cookie', async () => {
      const connection = await openKnownConnection(1, 1)
      cleanups.push(() => connection.close())
      const [client] = ends(connection)
      const wrongCookie = { ...client!, cookie: (BigInt(`0x${client!.cookie}`) + 1n).toString(16) }
      expect(diagnostics.destroyTcpSocket(wrongCookie)).toMatchObject({ closed: false, reason: 'already-gone' })
      expect(ends(connection)[0]?.state).toBe('ESTABLISHED')
    })
  })
})
