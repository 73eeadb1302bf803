/*
 * The fixtures in test/fixtures/netlink are raw NETLINK_SOCK_DIAG replies recorded from kernel
 * 6.18 in an empty network namespace by test/support/netlink/record-netlink-fixtures.ts (its
 * header lists every socket it made); ss-*.txt is what `ss` printed right after, and facts.json
 * what the recorder knew (ports, bytes each side sent, sequence numbers, how much later ss ran).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ALL_INET_DIAG_EXTENSIONS,
  decodeInetDiagMessage,
  encodeInetDiagRequest,
  INET_DIAG_EXTENSIONS,
  inetStateName
} from '../../../../../../electron/backend/platform/linux/netlink/inet-diag'
import type { InetDiagSocket } from '../../../../../../electron/backend/platform/linux/netlink/inet-diag'
import { NLM_F_DUMP, NLM_F_REQUEST, readUint32 } from '../../../../../../electron/backend/platform/linux/netlink/netlink-message'
import { readAcknowledgement } from '../../../../../../electron/backend/platform/linux/netlink/diag-reply'
import { SOCK_DESTROY, SOCK_DIAG_BY_FAMILY } from '../../../../../../electron/backend/platform/linux/netlink/sock-diag'
import { decodeInetDump } from '../../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { parseSsDetails } from '../../../../../support/netlink/ss-details'
import type { SsDetailedSocket } from '../../../../../support/netlink/ss-details'
import { tcpInfoDifferences } from '../../../../../support/netlink/tcp-info-reference'
import { elementAt } from '../../../../../../shared/element-at'

const FIXTURES = join(__dirname, '../../../../../fixtures/netlink')
const facts = JSON.parse(readFileSync(join(FIXTURES, 'facts.json'), 'utf8')) as {
  sequences: Record<string, number>
  ssStartedAfterMs: number
  ssFinishedAfterMs: number
  tcp4: { serverPort: number; clientPort: number; clientSent: number; serverSent: number }
  tcp6: { serverPort: number; clientPort: number; clientSent: number; serverSent: number }
  timeWait: { serverPort: number; clientPort: number }
  halfClosed: { serverPort: number; clientPort: number }
  udp4: { port: number; queuedDatagramBytes: number }
  udp6: { port: number; peerPort: number }
}

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name))
}

function dump(name: 'tcp4' | 'tcp6' | 'udp4' | 'udp6' | 'raw4', protocol: 'tcp' | 'udp' | 'raw'): readonly InetDiagSocket[] {
  const sequence = facts.sequences[name]
  if (sequence === undefined) throw new Error(`the recorded facts have no sequence number for ${name}`)
  const reply = decodeInetDump(fixture(`${name}.bin`), sequence, protocol)
  expect(reply).toMatchObject({ complete: true, failure: null, skipped: 0, truncatedDatagrams: 0, interrupted: false })
  return reply.sockets
}

function only<T>(items: readonly T[], description: string): T {
  expect(items, description).toHaveLength(1)
  return elementAt(items, 0)
}

const ssTcp = parseSsDetails(readFileSync(join(FIXTURES, 'ss-tcp.txt'), 'utf8'))
const ssUdp = parseSsDetails(readFileSync(join(FIXTURES, 'ss-udp.txt'), 'utf8'))

function ssRow(rows: readonly SsDetailedSocket[], socket: InetDiagSocket): SsDetailedSocket {
  return only(
    rows.filter(
      (row) =>
        row.localAddress === socket.localAddress &&
        row.localPort === socket.localPort &&
        row.peerAddress === (socket.remotePort === 0 ? row.peerAddress : socket.remoteAddress) &&
        (row.peerPort ?? 0) === socket.remotePort
    ),
    `one ss row for ${socket.localAddress}:${socket.localPort} → ${socket.remoteAddress}:${socket.remotePort}`
  )
}

describe('inet_diag requests', () => {
  it('lays out a dump request as inet_diag_req_v2 behind a netlink header', () => {
    const message = encodeInetDiagRequest(
      { family: 6, protocol: 'tcp', extensions: INET_DIAG_EXTENSIONS.tcpInfo | INET_DIAG_EXTENSIONS.memory, states: 1 << 10 },
      { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: 7 }
    )
    expect(message.length).toBe(16 + 56)
    expect(readUint32(message, 0)).toBe(72)
    expect(message.readUInt16LE(4)).toBe(20)
    expect(message.readUInt16LE(6)).toBe(0x301)
    expect(readUint32(message, 8)).toBe(7)
    // family AF_INET6, IPPROTO_TCP, extension bits INFO (1 << 1) and SKMEMINFO (1 << 6), no raw protocol.
    expect([...message.subarray(16, 20)]).toEqual([10, 6, 0x42, 0])
    expect(readUint32(message, 20)).toBe(1 << 10)
    // A dump names no socket: ports, addresses and interface are zero, the cookie is "none".
    expect(message.subarray(24, 24 + 40).every((byte) => byte === 0)).toBe(true)
    expect(message.subarray(64, 72).every((byte) => byte === 0xff)).toBe(true)
  })

  it('names one socket for SOCK_DESTROY: ports and addresses in network order, the cookie low half first', () => {
    const message = encodeInetDiagRequest(
      {
        family: 4,
        protocol: 'tcp',
        socket: { family: 4, localAddress: '127.0.0.2', localPort: 0x1234, remoteAddress: '10.1.2.3', remotePort: 443, interfaceIndex: 3, cookie: '1a2b3c4d5e' }
      },
      { type: SOCK_DESTROY, flags: NLM_F_REQUEST, sequence: 1 }
    )
    const id = message.subarray(24)
    expect([...id.subarray(0, 4)]).toEqual([0x12, 0x34, 0x01, 0xbb])
    expect([...id.subarray(4, 8)]).toEqual([127, 0, 0, 2])
    expect(id.subarray(8, 20).every((byte) => byte === 0)).toBe(true)
    expect([...id.subarray(20, 24)]).toEqual([10, 1, 2, 3])
    expect(readUint32(id, 36)).toBe(3)
    expect(readUint32(id, 40)).toBe(0x2b3c4d5e)
    expect(readUint32(id, 44)).toBe(0x1a)
  })

  it('asks raw sockets from the IPPROTO_RAW handler, with the protocol attribute and the raw protocol byte', () => {
    const message = encodeInetDiagRequest({ family: 4, protocol: 'raw', rawProtocol: 1 }, { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: 1 })
    expect([...message.subarray(16, 20)]).toEqual([2, 255, 0, 1])
    // INET_DIAG_REQ_PROTOCOL (3), length 8, value 255.
    expect(message.length).toBe(16 + 56 + 8)
    expect(message.readUInt16LE(72)).toBe(8)
    expect(message.readUInt16LE(74)).toBe(3)
    expect(readUint32(message, 76)).toBe(255)
  })

  it('refuses a socket id it cannot encode instead of sending a wrong one', () => {
    const header = { type: SOCK_DESTROY, flags: NLM_F_REQUEST, sequence: 1 }
    const socket = { family: 4 as const, localAddress: '127.0.0.1', localPort: 1, remoteAddress: '127.0.0.1', remotePort: 2 }
    expect(() => encodeInetDiagRequest({ family: 4, protocol: 'tcp', socket: { ...socket, localAddress: '::1' } }, header)).toThrow(/IPv4/)
    expect(() => encodeInetDiagRequest({ family: 4, protocol: 'tcp', socket: { ...socket, localPort: 65536 } }, header)).toThrow(/port/)
    expect(() => encodeInetDiagRequest({ family: 4, protocol: 'tcp', socket: { ...socket, cookie: 'xyz' } }, header)).toThrow(/cookie/)
    expect(() => encodeInetDiagRequest({ family: 4, protocol: 'tcp', socket: { ...socket, localPort: 65535 } }, header)).not.toThrow()
  })
})

describe('inet_diag replies recorded from the kernel', () => {
  const tcp4 = dump('tcp4', 'tcp')
  const tcp6 = dump('tcp6', 'tcp')

  it('finds each known IPv4 TCP socket with its endpoints and state', () => {
    const byEnds = (localPort: number, remotePort: number): InetDiagSocket =>
      only(
        tcp4.filter((socket) => socket.localPort === localPort && socket.remotePort === remotePort),
        `${localPort} → ${remotePort}`
      )
    expect(byEnds(facts.tcp4.serverPort, 0)).toMatchObject({ state: 'LISTEN', localAddress: '127.0.0.1', remoteAddress: '0.0.0.0', family: 4, protocol: 'tcp' })
    expect(byEnds(facts.tcp4.clientPort, facts.tcp4.serverPort)).toMatchObject({ state: 'ESTABLISHED', remoteAddress: '127.0.0.1' })
    expect(byEnds(facts.tcp4.serverPort, facts.tcp4.clientPort).state).toBe('ESTABLISHED')
    expect(byEnds(facts.halfClosed.clientPort, facts.halfClosed.serverPort).state).toBe('FIN_WAIT2')
    expect(byEnds(facts.halfClosed.serverPort, facts.halfClosed.clientPort).state).toBe('CLOSE_WAIT')
    const timeWait = byEnds(facts.timeWait.clientPort, facts.timeWait.serverPort)
    expect(timeWait).toMatchObject({ state: 'TIME_WAIT', inode: 0, tcpInfo: null, memory: null })
    // ss printed timer:(timewait,59sec,0) a few milliseconds later.
    expect(timeWait.timer?.kind).toBe('time-wait')
    expect(Math.floor(timeWait.timer!.expiresInMs / 1000)).toBe(59)
  })

  it('reads the bytes each end of the connection sent and received', () => {
    const client = only(
      tcp4.filter((socket) => socket.localPort === facts.tcp4.clientPort),
      'client'
    )
    const server = only(
      tcp4.filter((socket) => socket.remotePort === facts.tcp4.clientPort),
      'server side'
    )
    expect(client.tcpInfo).toMatchObject({ bytesSent: facts.tcp4.clientSent, bytesReceived: facts.tcp4.serverSent })
    expect(server.tcpInfo).toMatchObject({ bytesSent: facts.tcp4.serverSent, bytesReceived: facts.tcp4.clientSent })
    // Acknowledged bytes count the SYN as well.
    expect(client.tcpInfo?.bytesAcked).toBe(facts.tcp4.clientSent + 1)
    const client6 = only(
      tcp6.filter((socket) => socket.localPort === facts.tcp6.clientPort),
      'IPv6 client'
    )
    expect(client6).toMatchObject({ localAddress: '::1', remoteAddress: '::1', remotePort: facts.tcp6.serverPort })
    expect(client6.tcpInfo).toMatchObject({ bytesSent: facts.tcp6.clientSent, bytesReceived: 0 })
  })

  it('agrees with ss on every TCP field for every socket it printed details for', () => {
    const delay = { atLeastMs: facts.ssStartedAfterMs, atMostMs: facts.ssFinishedAfterMs }
    let compared = 0
    for (const socket of [...tcp4, ...tcp6]) {
      const row = ssRow(ssTcp, socket)
      expect(socket.inode, row.text).toBe(Number(row.values.get('ino')))
      expect(socket.cookie, row.text).toBe(row.values.get('sk'))
      expect([socket.recvQueue, socket.sendQueue], row.text).toEqual([row.recvQueue, row.sendQueue])
      if (socket.tcpInfo === null) continue
      expect(tcpInfoDifferences(socket.tcpInfo, socket.memory, row, delay), row.text).toEqual([])
      compared++
    }
    // Four listeners and six connected or half-closed ends carry tcp_info; TIME_WAIT does not.
    expect(compared).toBe(10)
  })

  it('reports the congestion algorithm and an unbounded slow-start threshold as null', () => {
    const client = only(
      tcp4.filter((socket) => socket.localPort === facts.tcp4.clientPort),
      'client'
    )
    expect(client.tcpInfo?.congestion).toMatch(/^[a-z0-9_]+$/)
    expect(client.tcpInfo?.ssthresh).toBeNull()
    expect(client.shutdown).toBe('none')
    const finWait = only(
      tcp4.filter((socket) => socket.state === 'FIN_WAIT2'),
      'FIN_WAIT2'
    )
    expect(finWait.shutdown).toBe('send')
    const closeWait = only(
      tcp4.filter((socket) => socket.state === 'CLOSE_WAIT'),
      'CLOSE_WAIT'
    )
    expect(closeWait.shutdown).toBe('receive')
  })

  it('reads UDP sockets, their queued bytes and memory, as ss does', () => {
    const udp4 = dump('udp4', 'udp')
    const udp6 = dump('udp6', 'udp')
    const holder = only(
      udp4.filter((socket) => socket.localPort === facts.udp4.port),
      'UDP holder'
    )
    expect(holder).toMatchObject({ state: 'UNCONN', localAddress: '127.0.0.1', remotePort: 0, tcpInfo: null, timer: null, retransmits: null })
    // The queue counts the buffer the datagram occupies, more than its 300 bytes.
    expect(holder.recvQueue).toBeGreaterThan(facts.udp4.queuedDatagramBytes)
    const connected = only(
      udp6.filter((socket) => socket.localPort === facts.udp6.port),
      'connected UDP'
    )
    expect(connected).toMatchObject({ state: 'ESTABLISHED', remoteAddress: '::1', remotePort: facts.udp6.peerPort })
    for (const socket of [...udp4, ...udp6]) {
      const row = ssRow(ssUdp, socket)
      expect([socket.recvQueue, socket.sendQueue, socket.inode], row.text).toEqual([row.recvQueue, row.sendQueue, Number(row.values.get('ino'))])
      expect(socket.memory?.rmemAlloc, row.text).toBe(Number(/\(r(\d+),/.exec(row.values.get('skmem')!)![1]))
    }
    expect(udp4.length + udp6.length).toBe(ssUdp.length)
  })

  it('reports a dump the kernel cannot make (raw sockets without raw_diag) as its errno', () => {
    const reply = decodeInetDump(fixture('raw4.bin'), facts.sequences.raw4!, 'raw')
    expect(reply).toMatchObject({ complete: true, sockets: [], failure: { errno: 2, code: 'ENOENT' } })
  })

  it('ignores replies to another request', () => {
    const reply = decodeInetDump(fixture('tcp4.bin'), facts.sequences.tcp4! + 1, 'tcp')
    expect(reply).toMatchObject({ complete: false, sockets: [], failure: null })
  })

  it('reads SOCK_DESTROY acknowledgements: 0 for done, the errno for a socket that is gone', () => {
    const ok = fixture('destroy-ok.bin')
    const gone = fixture('destroy-enoent.bin')
    expect(readAcknowledgement(ok, ok.length, facts.sequences.destroyOk!)).toBe(0)
    expect(readAcknowledgement(gone, gone.length, facts.sequences.destroyEnoent!)).toBe(2)
    expect(readAcknowledgement(gone, gone.length, facts.sequences.destroyOk!)).toBeNull()
  })

  it('names states the way the socket model does', () => {
    expect(inetStateName('tcp', 1)).toBe('ESTABLISHED')
    expect(inetStateName('tcp', 7)).toBe('CLOSE')
    expect(inetStateName('udp', 7)).toBe('UNCONN')
    expect(inetStateName('raw', 1)).toBe('ESTABLISHED')
    expect(inetStateName('tcp', 12)).toBe('NEW_SYN_RECV')
    expect(inetStateName('tcp', 13)).toBe('BOUND_INACTIVE')
    expect(inetStateName('tcp', 99)).toBe('UNKNOWN_99')
  })

  it('asks for every decoded extension by default', () => {
    expect(ALL_INET_DIAG_EXTENSIONS).toBe(0x02 | 0x08 | 0x10 | 0x20 | 0x40)
  })
})

describe('close events recorded from the destroy multicast groups', () => {
  const bytes = fixture('close-events.bin')
  // Multicast messages carry sequence 0.
  const reply = decodeInetDump(bytes, 0, 'udp')

  it('holds both ends of the closed connection with their final byte counts, protocol from the attribute', () => {
    expect(reply.skipped).toBe(0)
    expect(reply.sockets).toHaveLength(2)
    const client = only(
      reply.sockets.filter((socket) => socket.localPort === facts.tcp4.clientPort),
      'client end'
    )
    const server = only(
      reply.sockets.filter((socket) => socket.remotePort === facts.tcp4.clientPort),
      'server end'
    )
    // The decoder was told 'udp'; INET_DIAG_PROTOCOL in each event says TCP.
    expect(client).toMatchObject({ protocol: 'tcp', state: 'CLOSE', inode: 0, uid: 0, remotePort: facts.tcp4.serverPort })
    // Both ends closed cleanly, so each received the other's FIN, which takes one byte of
    // sequence space and so counts in bytes received.
    expect(client.tcpInfo).toMatchObject({ bytesSent: facts.tcp4.clientSent, bytesReceived: facts.tcp4.serverSent + 1, congestion: null })
    expect(server.tcpInfo).toMatchObject({ bytesSent: facts.tcp4.serverSent, bytesReceived: facts.tcp4.clientSent + 1 })
  })

  it('keeps the cookie the socket had in the dump, so an event can be joined to what a poll saw', () => {
    const tcp4 = dump('tcp4', 'tcp')
    for (const event of reply.sockets) {
      const seen = only(
        tcp4.filter((socket) => socket.localPort === event.localPort && socket.remotePort === event.remotePort),
        'dumped socket'
      )
      expect(event.cookie).toBe(seen.cookie)
    }
  })

  it('decodes a single message in place, and refuses one too short for inet_diag_msg', () => {
    const payloadStart = 16
    const length = bytes.readUInt32LE(0)
    expect(decodeInetDiagMessage(bytes, payloadStart, length, 'tcp')).not.toBeNull()
    expect(decodeInetDiagMessage(bytes, payloadStart, payloadStart + 71, 'tcp')).toBeNull()
    expect(decodeInetDiagMessage(bytes, payloadStart, payloadStart + 72, 'tcp')).toMatchObject({ tcpInfo: null })
  })
})
