/** Builds SocketEntry values for unit tests, with every field filled in. */
import { emptySocketEntry, type SocketEntry, type SocketOwner } from '../../shared/model/socket'
import type { TcpInfo } from '../../shared/model/tcp-info'

/** A TCP listener owned by node with sensible defaults; override any field. */
export function buildSocket(overrides: Partial<SocketEntry> = {}): SocketEntry {
  const base: SocketEntry = {
    ...emptySocketEntry('tcp', 4),
    localAddress: '127.0.0.1',
    localPort: 8080,
    remoteAddress: '0.0.0.0',
    remotePort: 0,
    state: 'LISTEN',
    recvQueue: 0,
    sendQueue: 0,
    inode: 1000,
    uid: 0,
    user: 'root',
    pid: 42,
    process: 'node',
    command: 'node server.js',
    owners: [{ pid: 42, process: 'node', command: 'node server.js', user: 'root' }],
    ownerVisibility: 'known',
    retransmits: 0
  }
  const socket = { ...base, ...overrides }
  return {
    ...socket,
    id: socket.id || `${socket.protocol}${socket.family} ${socket.localAddress}|${socket.localPort} ${socket.remoteAddress}|${socket.remotePort} #${socket.inode}`
  }
}

/**
 * One socket of each kind (TCP listener and IPv6 connection, UDP, UNIX, raw, TIME_WAIT), between
 * them giving every field of the socket field table a value.
 */
export function socketSamples(): SocketEntry[] {
  return [
    buildSocket({ localPort: 8080, inode: 1001, netns: 4026531840 }),
    buildSocket({
      family: 6,
      localAddress: '::1',
      localPort: 50_000,
      remoteAddress: '::1',
      remotePort: 8080,
      state: 'ESTABLISHED',
      recvQueue: 12,
      sendQueue: 34,
      inode: 1002,
      uid: 1000,
      user: null,
      pid: 77,
      process: 'nginx',
      command: 'nginx: worker',
      owners: [sampleOwner(77, 'nginx'), sampleOwner(78, 'nginx')],
      timer: { kind: 'keepalive', expiresInMs: 7000 },
      retransmits: 3,
      tcpInfo: sampleTcpInfo(),
      throughput: { sendBytesPerSecond: 2048, receiveBytesPerSecond: 512 },
      netns: 4026532301,
      container: 'docker:3f2a9c1b7d4e'
    }),
    buildSocket({ protocol: 'udp', localPort: 53, state: 'UNCONN', inode: 1003, user: 'alice', uid: 1001, retransmits: null }),
    buildSocket({
      ...emptySocketEntry('unix', null),
      localAddress: '/run/app.sock',
      state: 'LISTEN',
      inode: 1004,
      unixType: 'stream',
      ownerVisibility: 'hidden',
      peerInode: 2004
    }),
    buildSocket({ ...emptySocketEntry('raw', 6), localAddress: '::', remoteAddress: '::', rawProtocol: 58, inode: 1005, state: 'UNCONN' }),
    buildSocket({
      remotePort: 40_000,
      remoteAddress: '127.0.0.1',
      state: 'TIME_WAIT',
      inode: 0,
      pid: null,
      process: null,
      command: null,
      owners: [],
      ownerVisibility: 'none',
      uid: 0
    })
  ]
}

function sampleOwner(pid: number, process: string): SocketOwner {
  return { pid, process, command: `${process} --serve`, user: 'root' }
}

/** TCP internals with a distinct value in every field, as a busy connection would show them. */
export function sampleTcpInfo(overrides: Partial<TcpInfo> = {}): TcpInfo {
  return {
    rttMs: 0.125,
    rttVarMs: 0.05,
    minRttMs: 0.03,
    cwnd: 10,
    ssthresh: 7,
    mss: 32768,
    bytesSent: 5000,
    bytesAcked: 4999,
    bytesReceived: 700,
    bytesRetrans: 96,
    segsOut: 12,
    segsIn: 9,
    retransTotal: 1,
    lost: 2,
    reordering: 3,
    lastSendMs: 1500,
    lastReceiveMs: 2500,
    deliveryRateBps: 12_500_000,
    pacingRateBps: 250_000_000,
    busyMs: 4,
    rwndLimitedMs: 1,
    sndbufLimitedMs: 2,
    congestion: 'cubic',
    memory: { rmemAlloc: 0, rcvBuf: 131072, wmemAlloc: 0, sndBuf: 2626560, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: 0 },
    ...overrides
  }
}
