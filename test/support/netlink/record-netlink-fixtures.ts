/**
 * Records the raw NETLINK_SOCK_DIAG replies in test/fixtures/netlink from the running kernel.
 *
 * Usage, as root from the repository root: npx tsx test/support/netlink/record-netlink-fixtures.ts
 *
 * It creates an empty network namespace, re-runs itself inside it (so the dumps hold only the
 * sockets made here: UNIX sockets belong to a namespace too), makes known sockets, and saves:
 * - tcp4.bin, tcp6.bin: TCP dumps with every extension (tcp_info, congestion, memory, TOS or
 *   traffic class), datagrams as received, concatenated;
 * - udp4.bin, udp6.bin: UDP dumps with memory counters;
 * - unix.bin: the UNIX dump with name, file, peer, pending connections, queues, uid and memory;
 * - raw4.bin: the raw IPv4 dump (on kernels without CONFIG_INET_RAW_DIAG, a NLMSG_DONE carrying
 *   -ENOENT);
 * - close-events.bin: what the TCP destroy multicast groups delivered when the IPv4 connection
 *   was closed (two events, one per end);
 * - destroy-ok.bin, destroy-enoent.bin: the acknowledgements of SOCK_DESTROY for the IPv6
 *   connection and for a socket that does not exist;
 * - ss-tcp.txt, ss-udp.txt, ss-unix.txt: `ss -tainemH`, `ss -uanemH` and `ss -xanemH` run right
 *   after the dumps, as the reference for the same sockets;
 * - facts.json: what the recorder knows (ports, bytes each side sent, paths, sequence numbers,
 *   how long after the dumps ss ran, the kernel release).
 *
 * The sockets: a TCP IPv4 connection 127.0.0.1 client → 127.0.0.1:41001 where the client sent
 * 1234 bytes and the server 4321; an IPv6 connection to [::1]:41002 where the client sent 777;
 * a connection to 127.0.0.1:41003 closed by the client (left in TIME_WAIT); one to
 * 127.0.0.1:41004 half-closed by the client (FIN_WAIT2 / CLOSE_WAIT); UDP on 127.0.0.1:41005
 * (unconnected, one unread 300-byte datagram) and [::1]:41006 connected to [::1]:41007; UNIX
 * stream listeners on a path and on an abstract name, each with a connected client whose 100
 * bytes the server has not read.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ALL_INET_DIAG_EXTENSIONS, encodeInetDiagRequest, INET_DIAG_EXTENSIONS } from '../../../electron/backend/platform/linux/netlink/inet-diag'
import type { InetDiagRequest } from '../../../electron/backend/platform/linux/netlink/inet-diag'
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, NetlinkMessageReader, NLMSG_DONE, NLMSG_ERROR } from '../../../electron/backend/platform/linux/netlink/netlink-message'
import { MSG_DONTWAIT, NETLINK_SOCK_DIAG, NetlinkSocket } from '../../../electron/backend/platform/linux/netlink/netlink-socket'
import { SOCK_DESTROY, SOCK_DIAG_BY_FAMILY } from '../../../electron/backend/platform/linux/netlink/sock-diag'
import { encodeUnixDiagRequest, UNIX_DIAG_SHOW } from '../../../electron/backend/platform/linux/netlink/unix-diag'

const INSIDE_FLAG = '--inside'

/** A child that binds the UDP port and says so; it is then stopped so the socket is never read. */
const UDP_HOLDER = `
const socket = require('node:dgram').createSocket('udp4')
socket.bind(41005, '127.0.0.1', () => process.stdout.write('ready\\n'))
`
const OUTPUT = join(__dirname, '../../fixtures/netlink')

const pause = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds))

function outside(): void {
  const namespace = `sockscope-netlink-fixtures-${process.pid}`
  execFileSync('ip', ['netns', 'add', namespace])
  try {
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    const result = spawnSync('ip', ['netns', 'exec', namespace, process.execPath, '--import', 'tsx', __filename, INSIDE_FLAG], { stdio: 'inherit' })
    if (result.status !== 0) throw new Error(`the recorder failed inside the namespace (exit ${result.status})`)
  } finally {
    execFileSync('ip', ['netns', 'del', namespace])
  }
}

/** Sends a request and returns every datagram of the reply, concatenated. */
function record(socket: NetlinkSocket, message: Uint8Array, sequence: number): Buffer {
  socket.send(message)
  const buffer = Buffer.alloc(64 * 1024)
  const datagrams: Buffer[] = []
  const reader = new NetlinkMessageReader()
  for (;;) {
    const length = socket.receive(buffer)
    if (length < 0) throw new Error(`recv failed: errno ${-length}`)
    datagrams.push(Buffer.from(buffer.subarray(0, length)))
    reader.reset(buffer, length)
    let last = 0
    while (reader.next()) if (reader.sequence === sequence) last = reader.type
    // A dump ends with DONE or ERROR; an acknowledged request with ERROR.
    if (last === NLMSG_DONE || last === NLMSG_ERROR) return Buffer.concat(datagrams)
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve) => server.listen(port, host, resolve))
}

function connect(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host }, () => resolve(socket))
    socket.on('error', reject)
  })
}

/** Accepts one connection and counts what arrives on it. */
function acceptOne(server: Server): Promise<{ socket: Socket; received: () => number }> {
  return new Promise((resolve) => {
    server.once('connection', (socket) => {
      let received = 0
      socket.on('data', (data) => (received += data.length))
      resolve({ socket, received: () => received })
    })
  })
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !condition(); tries++) await pause(10)
  if (!condition()) throw new Error('timed out')
}

async function inside(): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'sockscope-netlink-fixtures-'))
  const keep: unknown[] = []

  // TCP over IPv4 with known bytes both ways.
  const server4 = createServer()
  await listen(server4, 41001, '127.0.0.1')
  const accepted4 = acceptOne(server4)
  const client4 = await connect(41001, '127.0.0.1')
  let client4Received = 0
  client4.on('data', (data) => (client4Received += data.length))
  const server4Side = await accepted4
  client4.write(Buffer.alloc(1234, 0x61))
  server4Side.socket.write(Buffer.alloc(4321, 0x62))
  await waitUntil(() => client4Received === 4321 && server4Side.received() === 1234)

  // TCP over IPv6.
  const server6 = createServer()
  await listen(server6, 41002, '::1')
  const accepted6 = acceptOne(server6)
  const client6 = await connect(41002, '::1')
  const server6Side = await accepted6
  client6.write(Buffer.alloc(777, 0x63))
  await waitUntil(() => server6Side.received() === 777)

  // TIME_WAIT: the client closes first and both ends finish.
  const serverTimeWait = createServer((socket) => socket.on('end', () => socket.end()))
  await listen(serverTimeWait, 41003, '127.0.0.1')
  const timeWaitClient = await connect(41003, '127.0.0.1')
  const timeWaitClientPort = timeWaitClient.localPort
  timeWaitClient.on('data', () => {})
  await new Promise<void>((resolve) => {
    timeWaitClient.on('close', () => resolve())
    timeWaitClient.end()
  })

  // Half-closed: the client shuts its sending side, the server never does.
  const serverHalf = createServer({ allowHalfOpen: true }, (socket) => {
    keep.push(socket)
    socket.on('data', () => {})
  })
  await listen(serverHalf, 41004, '127.0.0.1')
  const halfClient = createConnection({ port: 41004, host: '127.0.0.1', allowHalfOpen: true })
  halfClient.on('data', () => {})
  await new Promise<void>((resolve) => halfClient.once('connect', () => resolve()))
  halfClient.end()
  await pause(100)

  // UDP: an unconnected IPv4 socket holding one unread datagram (its process is stopped, so
  // nothing reads it), and a connected IPv6 pair.
  const udpHolder = spawn(process.execPath, ['-e', UDP_HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => udpHolder.stdout!.once('data', () => resolve()))
  udpHolder.kill('SIGSTOP')
  const udpSender = createSocket('udp4')
  await new Promise<void>((resolve) => udpSender.send(Buffer.alloc(300, 0x64), 41005, '127.0.0.1', () => resolve()))
  const udp6 = createSocket('udp6')
  const udp6Peer = createSocket('udp6')
  await new Promise<void>((resolve) => udp6Peer.bind(41007, '::1', resolve))
  await new Promise<void>((resolve) => udp6.bind(41006, '::1', resolve))
  await new Promise<void>((resolve) => udp6.connect(41007, '::1', resolve))
  await pause(50)

  // UNIX stream listeners on a path and an abstract name, each with a client whose data waits unread.
  const unixPath = join(work, 'fixture.sock')
  const abstractName = '\0sockscope-fixture'
  const unixClients: Socket[] = []
  for (const address of [unixPath, abstractName]) {
    // Accepted sockets never read, so the clients' bytes wait in the kernel.
    const server = createServer({ pauseOnConnect: true }, (socket) => keep.push(socket))
    await new Promise<void>((resolve) => server.listen(address, resolve))
    const client = await new Promise<Socket>((resolve) => {
      const socket = createConnection(address, () => resolve(socket))
    })
    client.write(Buffer.alloc(100, 0x65))
    unixClients.push(client)
    keep.push(server)
  }
  await pause(100)

  const socket = NetlinkSocket.open(NETLINK_SOCK_DIAG)
  let sequence = 100
  const dump = (name: string, request: InetDiagRequest): number => {
    sequence++
    const message = encodeInetDiagRequest(request, { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence })
    writeFileSync(join(OUTPUT, `${name}.bin`), record(socket, message, sequence))
    return sequence
  }
  const sequences: Record<string, number> = {}
  const dumpsTakenAt = Date.now()
  sequences.tcp4 = dump('tcp4', { family: 4, protocol: 'tcp', extensions: ALL_INET_DIAG_EXTENSIONS })
  sequences.tcp6 = dump('tcp6', { family: 6, protocol: 'tcp', extensions: ALL_INET_DIAG_EXTENSIONS })
  sequences.udp4 = dump('udp4', { family: 4, protocol: 'udp', extensions: INET_DIAG_EXTENSIONS.memory })
  sequences.udp6 = dump('udp6', { family: 6, protocol: 'udp', extensions: INET_DIAG_EXTENSIONS.memory })
  sequences.raw4 = dump('raw4', { family: 4, protocol: 'raw' })
  sequence++
  sequences.unix = sequence
  const unixShow =
    UNIX_DIAG_SHOW.name | UNIX_DIAG_SHOW.fileInode | UNIX_DIAG_SHOW.peer | UNIX_DIAG_SHOW.pendingConnections | UNIX_DIAG_SHOW.queues | UNIX_DIAG_SHOW.uid | UNIX_DIAG_SHOW.memory
  const unixMessage = encodeUnixDiagRequest({ show: unixShow }, { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence })
  writeFileSync(join(OUTPUT, 'unix.bin'), record(socket, unixMessage, sequence))
  const ssStartedAfterMs = Date.now() - dumpsTakenAt
  const ss = (flags: string): string => execFileSync('ss', [flags], { encoding: 'utf8' })
  writeFileSync(join(OUTPUT, 'ss-tcp.txt'), ss('-tainemH'))
  writeFileSync(join(OUTPUT, 'ss-udp.txt'), ss('-uanemH'))
  writeFileSync(join(OUTPUT, 'ss-unix.txt'), ss('-xanemH'))
  const ssFinishedAfterMs = Date.now() - dumpsTakenAt

  // Close events of the IPv4 connection.
  const events = NetlinkSocket.open(NETLINK_SOCK_DIAG, { nonBlocking: true })
  events.bind()
  events.joinGroup(1)
  events.joinGroup(3)
  const client4Port = client4.localPort!
  client4.destroy()
  server4Side.socket.destroy()
  await pause(200)
  const eventBuffer = Buffer.alloc(64 * 1024)
  const eventDatagrams: Buffer[] = []
  for (;;) {
    const length = events.receive(eventBuffer, MSG_DONTWAIT)
    if (length < 0) break
    eventDatagrams.push(Buffer.from(eventBuffer.subarray(0, length)))
  }
  writeFileSync(join(OUTPUT, 'close-events.bin'), Buffer.concat(eventDatagrams))
  events.close()

  // SOCK_DESTROY: the IPv6 connection's client end, then a socket that does not exist.
  const destroy = (name: string, localPort: number, remotePort: number): number => {
    sequence++
    const id = { family: 6 as const, localAddress: '::1', localPort, remoteAddress: '::1', remotePort }
    const message = encodeInetDiagRequest({ family: 6, protocol: 'tcp', socket: id }, { type: SOCK_DESTROY, flags: NLM_F_REQUEST | NLM_F_ACK, sequence })
    writeFileSync(join(OUTPUT, `${name}.bin`), record(socket, message, sequence))
    return sequence
  }
  const client6Port = client6.localPort!
  client6.on('error', () => {})
  server6Side.socket.on('error', () => {})
  sequences.destroyOk = destroy('destroy-ok', client6Port, 41002)
  sequences.destroyEnoent = destroy('destroy-enoent', 1, 2)
  socket.close()

  const facts = {
    kernel: release(),
    recordedAt: new Date(dumpsTakenAt).toISOString(),
    sequences,
    ssStartedAfterMs,
    ssFinishedAfterMs,
    tcp4: { serverPort: 41001, clientPort: client4Port, clientSent: 1234, serverSent: 4321 },
    tcp6: { serverPort: 41002, clientPort: client6Port, clientSent: 777, serverSent: 0 },
    timeWait: { serverPort: 41003, clientPort: timeWaitClientPort },
    halfClosed: { serverPort: 41004, clientPort: halfClient.localPort },
    udp4: { port: 41005, queuedDatagramBytes: 300 },
    udp6: { port: 41006, peerPort: 41007 },
    unix: { path: unixPath, abstractName: '@sockscope-fixture', unreadBytesPerClient: 100 }
  }
  writeFileSync(join(OUTPUT, 'facts.json'), `${JSON.stringify(facts, null, 2)}\n`)
  udpHolder.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
  process.exit(0)
}

if (process.argv.includes(INSIDE_FLAG)) {
  inside().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
} else {
  outside()
}
