/*
 * unix.bin and ss-unix.txt come from test/support/netlink/record-netlink-fixtures.ts (see its
 * header): listeners on a path and on an abstract name, each with a connected client whose 100
 * bytes were never read, plus the socket pairs Node and the recorder's children held.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NLM_F_DUMP, NLM_F_REQUEST, readUint32 } from '../../../../../../electron/backend/platform/linux/netlink/netlink-message'
import { SOCK_DIAG_BY_FAMILY } from '../../../../../../electron/backend/platform/linux/netlink/sock-diag'
import { decodeUnixDump } from '../../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { DEFAULT_UNIX_DIAG_SHOW, decodeUnixDiagMessage, encodeUnixDiagRequest, UNIX_DIAG_SHOW } from '../../../../../../electron/backend/platform/linux/netlink/unix-diag'
import { parseSsOutput } from '../../../../../support/ss-output'
import { elementAt } from '../../../../../../shared/element-at'

const FIXTURES = join(__dirname, '../../../../../fixtures/netlink')
const facts = JSON.parse(readFileSync(join(FIXTURES, 'facts.json'), 'utf8')) as {
  sequences: Record<string, number>
  unix: { path: string; abstractName: string; unreadBytesPerClient: number }
}
const reply = decodeUnixDump(readFileSync(join(FIXTURES, 'unix.bin')), facts.sequences.unix!)
const sockets = reply.sockets
const ss = parseSsOutput(readFileSync(join(FIXTURES, 'ss-unix.txt'), 'utf8'))

describe('unix_diag requests', () => {
  it('lays out unix_diag_req behind the netlink header', () => {
    const message = encodeUnixDiagRequest({ show: UNIX_DIAG_SHOW.peer | UNIX_DIAG_SHOW.name }, { type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: 3 })
    expect(message.length).toBe(16 + 24)
    expect([...message.subarray(16, 20)]).toEqual([1, 0, 0, 0])
    expect(readUint32(message, 20)).toBe(0xffffffff)
    expect(readUint32(message, 24)).toBe(0)
    expect(readUint32(message, 28)).toBe(0x05)
    expect(message.subarray(32, 40).every((byte) => byte === 0xff)).toBe(true)
    expect(readUint32(encodeUnixDiagRequest({}, { type: 20, flags: 1, sequence: 1 }), 28)).toBe(DEFAULT_UNIX_DIAG_SHOW)
  })
})

describe('unix_diag replies recorded from the kernel', () => {
  it('decodes the whole dump', () => {
    expect(reply).toMatchObject({ complete: true, failure: null, skipped: 0, truncatedDatagrams: 0 })
    expect(sockets.length).toBeGreaterThanOrEqual(6)
  })

  it("shows both ends of each connection with the other end's inode", () => {
    const byInode = new Map(sockets.map((socket) => [socket.inode, socket]))
    const connected = sockets.filter((socket) => socket.state === 'ESTABLISHED')
    expect(connected.length).toBeGreaterThanOrEqual(4)
    for (const socket of connected) {
      expect(socket.peerInode, `peer of ${socket.inode}`).not.toBeNull()
      expect(byInode.get(socket.peerInode!)?.peerInode, `peer of ${socket.peerInode}`).toBe(socket.inode)
    }
  })

  it('names path and abstract listeners, with their backlog and the accepted ends holding the unread bytes', () => {
    for (const name of [facts.unix.path, facts.unix.abstractName]) {
      const listener = sockets.filter((socket) => socket.state === 'LISTEN' && socket.path?.startsWith(name))
      expect(listener, name).toHaveLength(1)
      expect(listener[0]).toMatchObject({ type: 'stream', recvQueue: 0, sendQueue: 511, pendingConnections: [], peerInode: null, uid: 0 })
      const accepted = sockets.filter((socket) => socket.state === 'ESTABLISHED' && socket.path?.startsWith(name))
      expect(accepted, name).toHaveLength(1)
      expect(elementAt(accepted, 0).recvQueue).toBe(facts.unix.unreadBytesPerClient)
    }
    const pathListener = sockets.find((socket) => socket.state === 'LISTEN' && socket.path === facts.unix.path)
    expect(pathListener?.file?.inode).toBeGreaterThan(0)
  })

  it('agrees with ss on every socket both saw: state, queues, name and peer', () => {
    for (const socket of sockets) {
      const row = ss.find((candidate) => candidate.inode === socket.inode)
      expect(row, `ss row for ${socket.inode}`).toBeDefined()
      expect(row!.state).toBe(socket.state === 'ESTABLISHED' ? 'ESTAB' : socket.state)
      expect([row!.recvQueue, row!.sendQueue]).toEqual([socket.recvQueue, socket.sendQueue])
      expect(row!.localAddress).toBe(socket.path ?? '*')
      expect(row!.peerPort).toBe(String(socket.peerInode ?? 0))
      const fileInode = /\bino:(\d+)/.exec(row!.line)
      expect(socket.file?.inode ?? null).toBe(fileInode === null ? null : Number(fileInode[1]))
      expect(socket.memory?.rcvBuf).toBe(Number(/rb(\d+)/.exec(row!.line)![1]))
    }
  })

  it('refuses a message that is not AF_UNIX or too short for unix_diag_msg', () => {
    const message = new Uint8Array(16)
    message[0] = 1
    expect(decodeUnixDiagMessage(message, 0, 16)).toMatchObject({ type: null, state: 'UNKNOWN_0', path: null })
    expect(decodeUnixDiagMessage(message, 0, 15)).toBeNull()
    message[0] = 2
    expect(decodeUnixDiagMessage(message, 0, 16)).toBeNull()
  })
})
