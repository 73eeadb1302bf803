import type { SocketEntry } from '../../../shared/model/socket'

/** The fields that identify one socket across reads. */
export type SocketIdentity = Pick<SocketEntry, 'protocol' | 'family' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort' | 'inode' | 'rawProtocol' | 'netns'>

/**
 * Stable key of a socket, the same from one read to the next while the socket lives.
 *
 * The inode tells apart sockets that share endpoints (unnamed UNIX sockets, a listener and
 * the sockets it accepted on the same port); the endpoints tell apart sockets without a file
 * (inode 0, such as TIME_WAIT). A socket that loses its file (closed into TIME_WAIT) gets a new
 * key, which is right: from the user's point of view it became a different row.
 *
 * The network namespace tells apart sockets on the same endpoints in two namespaces (a
 * container's listener on 127.0.0.1:8080 and the host's); a row whose namespace is not known
 * leaves it out.
 *
 * `instance` tells apart sockets that nothing else does: UNIX connections still waiting in a
 * listener's queue have no inode and show the listener's path, so the kernel's (hashed)
 * address of the socket is the only difference.
 */
export function socketId(socket: SocketIdentity, instance?: string): string {
  const kind = socket.family === null ? socket.protocol : `${socket.protocol}${socket.family}`
  const localPort = socket.localPort ?? socket.rawProtocol ?? ''
  const remotePort = socket.remotePort ?? ''
  const namespace = socket.netns === null ? '' : ` netns:${socket.netns}`
  const key = `${kind} ${socket.localAddress}|${localPort} ${socket.remoteAddress}|${remotePort} #${socket.inode}${namespace}`
  return instance === undefined ? key : `${key} @${instance}`
}
