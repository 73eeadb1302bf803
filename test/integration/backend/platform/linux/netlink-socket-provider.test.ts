/*
 * The Linux socket provider reading through netlink, against real loopback sockets: TCP rows carry
 * tcp_info equal to what `ss -tinemH` prints, UNIX rows carry their peer's inode as `ss -x` shows
 * it, raw sockets still appear (the kernel here cannot dump them, so /proc/net/raw fills in), the
 * reader in use is named and can be forced, and a live monitor carries the moving counters apart
 * from the changed rows.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { readlinkSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { SocketDiff, SocketEntry } from '../../../../../shared/model/socket'
import { LinuxPlatform, SOCKET_READER_VARIABLE } from '../../../../../electron/backend/platform/linux/linux-platform'
import { SocketMonitor } from '../../../../../electron/backend/sockets/socket-monitor'
import { openKnownConnection, type KnownConnection } from '../../../../support/netlink/loopback-connection'
import { parseSsDetails } from '../../../../support/netlink/ss-details'
import { tcpInfoDifferences } from '../../../../support/netlink/tcp-info-reference'
import { parseSsOutput } from '../../../../support/ss-output'
import { waitFor } from '../../../../support/wait-for'

const run = promisify(execFile)
const isLinux = process.platform === 'linux'
const isRoot = process.getuid?.() === 0
/** The network namespace this test runs in, which every reader names as the home one. */
const home = isLinux ? Number(/^net:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/net'))![1]) : null

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function netlinkPlatform(): LinuxPlatform {
  const platform = new LinuxPlatform({ socketReader: 'netlink' })
  cleanups.push(() => platform.dispose())
  return platform
}

/** The client's and the server's row of a known connection. */
function ends(sockets: readonly SocketEntry[], connection: KnownConnection): [SocketEntry | undefined, SocketEntry | undefined] {
  const tcp = sockets.filter((socket) => socket.protocol === 'tcp' && socket.state === 'ESTABLISHED')
  return [
    tcp.find((socket) => socket.localPort === connection.clientPort && socket.remotePort === connection.serverPort),
    tcp.find((socket) => socket.localPort === connection.serverPort && socket.remotePort === connection.clientPort)
  ]
}

describe.skipIf(!isLinux)('the Linux socket provider through netlink', () => {
  it('says it reads through netlink, and through /proc/net when the environment asks', () => {
    expect(netlinkPlatform().sockets.reader).toEqual({ kind: 'netlink', note: null, homeNetns: home })
    expect(new LinuxPlatform({ environment: {} }).sockets.reader).toEqual({ kind: 'netlink', note: null, homeNetns: home })
    expect(new LinuxPlatform({ environment: { [SOCKET_READER_VARIABLE]: 'proc' } }).sockets.reader).toEqual({
      kind: 'proc',
      homeNetns: home,
      note: 'SOCKSCOPE_SOCKET_READER=proc'
    })
    expect(new LinuxPlatform({ environment: { [SOCKET_READER_VARIABLE]: 'netlink' } }).sockets.reader.kind).toBe('netlink')
    const misspelt = new LinuxPlatform({ environment: { [SOCKET_READER_VARIABLE]: 'prok' } }).sockets.reader
    expect(misspelt).toEqual({ kind: 'netlink', note: 'SOCKSCOPE_SOCKET_READER="prok" is neither netlink nor proc, so it was ignored', homeNetns: home })
    // A made-up procfs is a made-up host: its tables, never the kernel's.
    expect(new LinuxPlatform({ procRoot: '/nonexistent' }).sockets.reader.kind).toBe('proc')
  })

  it('falls back to /proc/net when netlink cannot be opened, and fails clearly when netlink was asked for', async () => {
    const broken = (): never => {
      throw new Error('socket(AF_NETLINK) failed: EAFNOSUPPORT')
    }
    const fallback = new LinuxPlatform({ environment: {}, openNetlink: broken }).sockets
    expect(fallback.reader).toEqual({ kind: 'proc', note: 'netlink cannot be used: socket(AF_NETLINK) failed: EAFNOSUPPORT; reading /proc/net instead', homeNetns: home })
    const server = net.createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    cleanups.push(() => new Promise((done) => server.close(done)))
    const port = (server.address() as net.AddressInfo).port
    expect((await fallback.read({ withProcesses: true })).sockets.find((socket) => socket.localPort === port && socket.state === 'LISTEN')).toMatchObject({
      pid: process.pid,
      tcpInfo: null
    })

    const forced = new LinuxPlatform({ environment: { [SOCKET_READER_VARIABLE]: 'netlink' }, openNetlink: broken }).sockets
    expect(forced.reader.kind).toBe('netlink')
    await expect(forced.read({ withProcesses: true })).rejects.toThrow('SOCKSCOPE_SOCKET_READER=netlink, but netlink cannot be used: socket(AF_NETLINK) failed: EAFNOSUPPORT')
  })

  it('gives each TCP row tcp_info equal to ss -tinemH for an idle connection whose bytes the test knows', async () => {
    const connection = await openKnownConnection(12_345, 54_321)
    cleanups.push(() => connection.close())
    const provider = netlinkPlatform().sockets
    // Idle means every byte acknowledged. The connecting side also counts its SYN as acknowledged.
    await waitFor(
      async () => {
        const [client, server] = ends((await provider.read({ withProcesses: false })).sockets, connection)
        return client?.tcpInfo?.bytesAcked === connection.clientBytes + 1 && server?.tcpInfo?.bytesAcked === connection.serverBytes
      },
      5_000,
      'both ends to be acknowledged'
    )
    const readAt = Date.now()
    const [client, server] = ends((await provider.read({ withProcesses: true })).sockets, connection)
    const port = connection.clientPort
    const ss = parseSsDetails(execFileSync('ss', ['-tinemH', `sport = :${port} or dport = :${port}`], { encoding: 'utf8' }))
    const delay = { atLeastMs: 0, atMostMs: Date.now() - readAt }

    expect(client?.tcpInfo).toMatchObject({ bytesSent: 12_345, bytesReceived: 54_321, bytesAcked: 12_346, bytesRetrans: 0 })
    expect(server?.tcpInfo).toMatchObject({ bytesSent: 54_321, bytesReceived: 12_345, bytesAcked: 54_321 })
    for (const end of [client!, server!]) {
      expect(end.pid).toBe(process.pid)
      const row = ss.find((candidate) => candidate.localPort === end.localPort && candidate.peerPort === end.remotePort)
      expect(row, `ss row for ${end.localPort}`).toBeDefined()
      expect(end.inode).toBe(Number(row!.values.get('ino')))
      expect(tcpInfoDifferences(end.tcpInfo!, end.tcpInfo!.memory, row!, delay), row!.text).toEqual([])
    }
  })

  it('gives UNIX rows the inode of the peer, as ss -x shows it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sockscope-unix-peer-'))
    cleanups.push(() => rm(directory, { recursive: true, force: true }))
    const path = join(directory, 'peer.sock')
    const accepted: net.Socket[] = []
    const server = net.createServer((socket) => accepted.push(socket))
    await new Promise<void>((done) => server.listen(path, done))
    const client = net.connect(path)
    await new Promise<void>((done) => client.once('connect', done))
    await waitFor(() => accepted.length === 1, 5_000, 'the UNIX connection to be accepted')
    cleanups.push(
      () => new Promise((done) => server.close(done)),
      () => client.destroy(),
      () => accepted[0]!.destroy()
    )

    const { sockets } = await netlinkPlatform().sockets.read({ withProcesses: true })
    const rows = parseSsOutput(execFileSync('ss', ['-xapH'], { encoding: 'utf8' }))
    // ss names the server side by the path; its peer is the client, which has no name.
    const serverSide = rows.find((row) => row.localAddress === path && row.state === 'ESTAB')
    expect(serverSide, 'ss row of the accepted end').toBeDefined()
    const serverRow = sockets.find((socket) => socket.protocol === 'unix' && socket.inode === serverSide!.inode)
    const clientRow = sockets.find((socket) => socket.protocol === 'unix' && socket.inode === serverRow?.peerInode)
    expect(serverRow).toMatchObject({ state: 'ESTABLISHED', localAddress: path, pid: process.pid })
    expect(serverRow!.peerInode).toBe(Number(serverSide!.peerPort))
    expect(clientRow).toMatchObject({ state: 'ESTABLISHED', peerInode: serverRow!.inode, pid: process.pid })
    // The listener has no peer.
    expect(sockets.find((socket) => socket.protocol === 'unix' && socket.localAddress === path && socket.state === 'LISTEN')?.peerInode).toBeNull()
  })

  it.skipIf(!isRoot)('still lists raw sockets, which this kernel will not dump over netlink', async () => {
    const holder = spawn(
      'python3',
      ['-c', 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); print("ready", flush=True); sys.stdin.read()'],
      {
        stdio: ['pipe', 'pipe', 'inherit']
      }
    )
    cleanups.push(() => holder.kill())
    await new Promise<void>((done) => holder.stdout.once('data', () => done()))
    const { sockets, issues } = await netlinkPlatform().sockets.read({ withProcesses: true })
    expect(issues).toEqual([])
    expect(sockets.find((socket) => socket.protocol === 'raw' && socket.pid === holder.pid)).toMatchObject({ family: 4, rawProtocol: 1 })
  })

  it('leaves TCP internals out of a read that does not want them, and out of a monitor told so', async () => {
    const connection = await openKnownConnection(100, 100)
    cleanups.push(() => connection.close())
    const provider = netlinkPlatform().sockets
    const [withInfo] = ends((await provider.read({ withProcesses: false })).sockets, connection)
    const [without] = ends((await provider.read({ withProcesses: true, tcpInfo: false })).sockets, connection)
    expect(withInfo?.tcpInfo?.bytesSent).toBe(100)
    // The rest of the row is the same socket, with its owner.
    expect(without).toMatchObject({ id: withInfo?.id, inode: withInfo?.inode, state: 'ESTABLISHED', tcpInfo: null, pid: process.pid })
    const monitor = new SocketMonitor(provider, { tcpInfo: false })
    await monitor.refresh()
    await monitor.refresh()
    const [watched] = ends(monitor.current().sockets, connection)
    expect(watched).toMatchObject({ id: withInfo?.id, tcpInfo: null, throughput: null })
  })

  it('carries moving TCP counters and the bytes per second in the diff counters, never as changed rows', async () => {
    const connection = await openKnownConnection(100, 100)
    cleanups.push(() => connection.close())
    const monitor = new SocketMonitor(netlinkPlatform().sockets)
    const diffs: SocketDiff[] = []
    monitor.onTick((diff) => diffs.push(diff))
    const first = await monitor.refresh()
    const receivedMore = new Promise<void>((done) => {
      let count = 0
      connection.accepted.on('data', (data: Buffer) => {
        count += data.length
        if (count >= 4096) done()
      })
    })
    connection.client.write(Buffer.alloc(4096, 1))
    await receivedMore
    // Once every byte is acknowledged the send queue is empty again, as at the first read: only
    // the per-tick values differ.
    const probe = netlinkPlatform().sockets
    await waitFor(
      async () => ends((await probe.read({ withProcesses: false })).sockets, connection)[0]?.tcpInfo?.bytesAcked === 100 + 4096 + 1,
      5_000,
      'the new bytes to be acknowledged'
    )
    await monitor.refresh()
    const diff = diffs.at(-1)!
    const [client] = ends(monitor.current().sockets, connection)
    // Its send MSS grows as loopback's large segments are learnt: a per-tick value too.
    expect(ends(first.sockets, connection)[0]?.tcpInfo?.bytesSent).toBe(100)
    expect(client?.tcpInfo?.bytesSent).toBe(100 + 4096)
    expect(diff.changed.map((socket) => socket.id)).not.toContain(client!.id)
    expect(diff.added.map((socket) => socket.id)).not.toContain(client!.id)
    const update = diff.counters.find((counters) => counters.id === client!.id)
    expect(update?.tcpInfo?.bytesSent).toBe(100 + 4096)
    // Throughput is the acknowledged bytes between the two reads over the time between them.
    const [before] = ends(first.sockets, connection)
    const second = monitor.current()
    const acknowledged = client!.tcpInfo!.bytesAcked! - before!.tcpInfo!.bytesAcked!
    expect(acknowledged).toBeGreaterThanOrEqual(4096)
    expect(update?.throughput).toEqual({ sendBytesPerSecond: (acknowledged * 1000) / (second.takenAt - first.takenAt), receiveBytesPerSecond: 0 })
    expect(before!.throughput).toBeNull()
  })
})

describe.skipIf(!isLinux)('sockscope list with a forced reader', () => {
  it('names the reader with --verbose and reads the same listener either way', async () => {
    const server = net.createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    cleanups.push(() => new Promise((done) => server.close(done)))
    const port = (server.address() as net.AddressInfo).port
    const cli = join(__dirname, '../../../../../out/main/cli.js')
    for (const reader of ['netlink', 'proc'] as const) {
      const { stdout, stderr } = await run(process.execPath, [cli, 'list', '--json', '--no-resolve', '--verbose', '--filter', `laddr:127.0.0.1 lport:${port} state:listen`], {
        env: { ...process.env, [SOCKET_READER_VARIABLE]: reader }
      })
      expect(stderr).toContain(`socket reader: ${reader} (SOCKSCOPE_SOCKET_READER=${reader})`)
      const rows = JSON.parse(stdout) as SocketEntry[]
      expect(rows).toEqual([
        expect.objectContaining({ localPort: port, state: 'LISTEN', pid: process.pid, tcpInfo: reader === 'netlink' ? expect.objectContaining({ mss: expect.any(Number) }) : null })
      ])
    }
  })
})
