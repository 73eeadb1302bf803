/*
 * Decoding socket_fdinfo. No bytes recorded on a Mac were available, so every buffer here is laid
 * out by koffi from the structs of sys/proc_info.h (test/support/libproc-structs.ts) with made-up
 * sockets, and the decoder must read back exactly what was put in.
 */
import { describe, expect, it } from 'vitest'
import { decodeSocketFdInfo, type LibprocDecodeResult } from '../../../../../electron/backend/platform/darwin/libproc-socket-decoder'
import { SOCKET_FDINFO } from '../../../../../electron/backend/platform/darwin/libproc-layout'
import { inetSocketFdinfo, unixSocketFdinfo } from '../../../../support/libproc-structs'

function socketOf(result: LibprocDecodeResult) {
  if (result.kind !== 'socket') throw new Error(`expected a socket, got ${JSON.stringify(result)}`)
  return result.socket
}

describe('decodeSocketFdInfo', () => {
  it('reads an established IPv4 TCP connection: endpoints, ports in network order, state, buffers, uid', () => {
    const bytes = inetSocketFdinfo({
      kind: 'tcp',
      family: 4,
      local: ['192.168.0.105', 59739],
      remote: ['108.177.127.109', 993],
      tcpState: 4,
      handle: 0xcdf758597a6d43c3n,
      uid: 501,
      receiveBytes: 17,
      sendBytes: 300
    })
    const { row, handle } = socketOf(decodeSocketFdInfo(bytes))
    expect(row).toMatchObject({
      protocol: 'tcp',
      family: 4,
      localAddress: '192.168.0.105',
      localPort: 59739,
      remoteAddress: '108.177.127.109',
      remotePort: 993,
      state: 'ESTABLISHED',
      recvQueue: 17,
      sendQueue: 300,
      uid: 501,
      inode: 0
    })
    expect(handle).toBe('cdf758597a6d43c3')
    expect(row.id).toContain('cdf758597a6d43c3')
  })

  it.each([
    [0, 'CLOSE'],
    [1, 'LISTEN'],
    [3, 'SYN_RECV'],
    [5, 'CLOSE_WAIT'],
    [6, 'FIN_WAIT1'],
    [9, 'FIN_WAIT2'],
    [10, 'TIME_WAIT'],
    [11, 'UNKNOWN_11']
  ])('maps TSI_S state %i to %s', (number, state) => {
    const bytes = inetSocketFdinfo({ kind: 'tcp', family: 4, local: ['127.0.0.1', 1], remote: ['127.0.0.1', 2], tcpState: number, handle: 1n })
    expect(socketOf(decodeSocketFdInfo(bytes)).row.state).toBe(state)
  })

  it('shows a listener the way ss does: queued connections and the backlog, not buffer bytes', () => {
    const bytes = inetSocketFdinfo({
      kind: 'tcp',
      family: 6,
      local: ['::', 7000],
      remote: ['::', 0],
      tcpState: 1,
      handle: 2n,
      listening: { queued: 3, limit: 128 },
      receiveBytes: 999,
      versionFlags: 3
    })
    expect(socketOf(decodeSocketFdInfo(bytes)).row).toMatchObject({ family: 6, localAddress: '::', localPort: 7000, state: 'LISTEN', recvQueue: 3, sendQueue: 128 })
  })

  it('reads IPv6 UDP, connected or not', () => {
    const bound = socketOf(decodeSocketFdInfo(inetSocketFdinfo({ kind: 'udp', family: 6, local: ['fe80::1', 5353], remote: ['::', 0], handle: 3n }))).row
    expect(bound).toMatchObject({ protocol: 'udp', localAddress: 'fe80::1', localPort: 5353, remotePort: 0, state: 'UNCONN' })
    const connected = socketOf(decodeSocketFdInfo(inetSocketFdinfo({ kind: 'udp', family: 6, local: ['2001:db8::5', 64161], remote: ['2001:db8::9', 443], handle: 4n }))).row
    expect(connected).toMatchObject({ remoteAddress: '2001:db8::9', remotePort: 443, state: 'ESTABLISHED' })
  })

  it('shows an IPv6 socket carrying IPv4 (INI_IPV4 alone) with IPv4-mapped addresses', () => {
    const bytes = inetSocketFdinfo({ kind: 'tcp', family: 6, local: ['10.0.0.2', 5000], remote: ['10.0.0.9', 41000], handle: 5n, versionFlags: 1 })
    expect(socketOf(decodeSocketFdInfo(bytes)).row).toMatchObject({ family: 6, localAddress: '::ffff:10.0.0.2', remoteAddress: '::ffff:10.0.0.9' })
  })

  it('reads UNIX sockets: path, peer path, type and state from the soi_state flags', () => {
    const listener = socketOf(
      decodeSocketFdInfo(unixSocketFdinfo({ type: 1, path: '/var/run/mDNSResponder', peerPath: '', stateFlags: 0, handle: 6n, listening: { queued: 0, limit: 16 } }))
    ).row
    expect(listener).toMatchObject({
      protocol: 'unix',
      family: null,
      localAddress: '/var/run/mDNSResponder',
      remoteAddress: '',
      unixType: 'stream',
      state: 'LISTEN',
      sendQueue: 16
    })
    const connected = socketOf(decodeSocketFdInfo(unixSocketFdinfo({ type: 1, path: '', peerPath: '/var/run/mDNSResponder', stateFlags: 0x0002, handle: 7n }))).row
    expect(connected).toMatchObject({ localAddress: '', remoteAddress: '/var/run/mDNSResponder', state: 'ESTABLISHED' })
    const datagram = socketOf(decodeSocketFdInfo(unixSocketFdinfo({ type: 2, path: '', peerPath: '', stateFlags: 0, handle: 8n }))).row
    expect(datagram).toMatchObject({ unixType: 'dgram', state: 'UNCONN' })
    const connecting = socketOf(decodeSocketFdInfo(unixSocketFdinfo({ type: 5, path: '', peerPath: '', stateFlags: 0x0004, handle: 9n }))).row
    expect(connecting).toMatchObject({ unixType: 'seqpacket', state: 'CONNECTING' })
  })

  it('tells unnamed UNIX sockets apart by their kernel handle', () => {
    const first = socketOf(decodeSocketFdInfo(unixSocketFdinfo({ type: 1, path: '', peerPath: '', stateFlags: 2, handle: 10n }))).row
    const second = socketOf(decodeSocketFdInfo(unixSocketFdinfo({ type: 1, path: '', peerPath: '', stateFlags: 2, handle: 11n }))).row
    expect(first.id).not.toBe(second.id)
  })

  it('says a buffer one byte short is malformed, and takes one of exactly 792 bytes', () => {
    const full = inetSocketFdinfo({ kind: 'tcp', family: 4, local: ['127.0.0.1', 1], remote: ['127.0.0.1', 2], handle: 12n })
    expect(full.length).toBe(SOCKET_FDINFO.size)
    expect(decodeSocketFdInfo(full).kind).toBe('socket')
    expect(decodeSocketFdInfo(full.subarray(0, SOCKET_FDINFO.size - 1))).toEqual({ kind: 'malformed', message: 'socket_fdinfo is 792 bytes, got 791' })
  })

  it('says an IP socket with a UNIX family is malformed, and leaves other kinds out', () => {
    const wrongFamily = inetSocketFdinfo({ kind: 'tcp', family: 4, local: ['127.0.0.1', 1], remote: ['127.0.0.1', 2], handle: 13n })
    wrongFamily.writeInt32LE(1, SOCKET_FDINFO.family)
    expect(decodeSocketFdInfo(wrongFamily)).toMatchObject({ kind: 'malformed' })
    const kernelControl = Buffer.from(wrongFamily)
    kernelControl.writeInt32LE(6, SOCKET_FDINFO.kind)
    expect(decodeSocketFdInfo(kernelControl)).toMatchObject({ kind: 'other' })
  })
})
