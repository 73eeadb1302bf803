/**
 * Closing one TCP connection on Linux with SOCK_DESTROY, the way `ss -K` does: the kernel aborts
 * it, the peer gets a reset and the owner's reads fail with ECONNABORTED.
 *
 * The connection is looked up first and must still be the socket the caller saw (same inode),
 * then destroyed by its cookie, so a connection that closed meanwhile and whose endpoints a
 * newer socket took over is never closed in its place.
 */
import type { CloseConnectionOutcome, TcpConnectionTarget } from '../platform'
import { SocketDiagnostics } from './netlink/socket-diagnostics'
import { errorMessage } from '../../../../shared/error-message'

/** Closes one TCP connection; never throws, says why it could not instead. */
export function closeTcpConnection(target: TcpConnectionTarget, diagnostics?: SocketDiagnostics): CloseConnectionOutcome {
  // A socket of our own is opened only when the caller lends none, and closed again below.
  let own: SocketDiagnostics | null = null
  try {
    if (diagnostics === undefined) own = SocketDiagnostics.open()
  } catch (error) {
    return { closed: false, reason: 'unsupported', message: `netlink sock_diag is not available here: ${errorMessage(error)}` }
  }
  const socket = diagnostics ?? own
  if (socket === null) return { closed: false, reason: 'unsupported', message: 'netlink sock_diag is not available here' }
  try {
    const found = socket.findInetSocket({ ...target, cookie: null })
    if (found === null) return { closed: false, reason: 'already-gone', message: 'the connection no longer exists' }
    if (!('cookie' in found)) return { closed: false, reason: 'failed', message: `the kernel could not look the connection up (${found.code})` }
    if (target.inode !== 0 && found.inode !== target.inode) {
      return { closed: false, reason: 'already-gone', message: 'the connection closed, and another socket now uses its endpoints' }
    }
    const result = socket.destroyTcpSocket({ ...target, cookie: found.cookie })
    return result.closed ? result : { closed: false, reason: result.reason, message: result.message }
  } finally {
    own?.close()
  }
}
