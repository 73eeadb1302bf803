/** Builds SocketEntry values for unit tests, with every field filled in. */
import type { SocketEntry } from '../../shared/model/socket'

/** A TCP socket with sensible defaults; override any field. */
export function buildSocket(overrides: Partial<SocketEntry> = {}): SocketEntry {
  const base: SocketEntry = {
    id: '',
    protocol: 'tcp',
    family: 4,
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
    timer: null,
    retransmits: 0,
    unixType: null,
    rawProtocol: null
  }
  const socket = { ...base, ...overrides }
  return { ...socket, id: socket.id || `${socket.protocol}${socket.family} ${socket.localAddress}|${socket.localPort} ${socket.remoteAddress}|${socket.remotePort} #${socket.inode}` }
}
