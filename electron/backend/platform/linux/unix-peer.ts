/** The other end of a connected UNIX socket, from a unix_diag dump (procfs does not say). */
import { SocketDiagnostics } from './netlink/socket-diagnostics'
import { UNIX_DIAG_SHOW } from './netlink/unix-diag'

/** unix_diag state bit of a connected stream socket (TCP_ESTABLISHED is state 1). */
const CONNECTED_STATES = 1 << 1

/**
 * The inode of the socket connected to `inode`, or null when it has none, it is gone, or netlink
 * cannot be used here. A dump of connected UNIX sockets asking only for peers is a few hundred
 * bytes per socket, read in one call.
 */
export function findUnixPeer(inode: number): number | null {
  let diagnostics: SocketDiagnostics
  try {
    diagnostics = SocketDiagnostics.open()
  } catch {
    return null
  }
  try {
    const reply = diagnostics.dumpUnix({ show: UNIX_DIAG_SHOW.peer, states: CONNECTED_STATES })
    return reply.sockets.find((socket) => socket.inode === inode)?.peerInode ?? null
  } catch {
    return null
  } finally {
    diagnostics.close()
  }
}
