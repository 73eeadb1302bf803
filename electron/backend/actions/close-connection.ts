/** Closing one TCP connection of the socket table, for the actions module and `sockscope close`. */
import type { ActionFailureReason, ActionOutcome } from '../../../shared/model/action'
import type { SocketEntry } from '../../../shared/model/socket'
import { whyNotClosable } from '../../../shared/format/action-text'
import type { SystemActions } from '../platform/platform'

/** What one attempt did, before it is logged. */
export interface ActionAttempt {
  readonly outcome: ActionOutcome
  readonly reason: ActionFailureReason | null
  readonly message: string
}

/** A refusal before anything was attempted. */
export function refused(reason: ActionFailureReason, message: string): ActionAttempt {
  return { outcome: 'refused', reason, message }
}

/**
 * Closes `socket` with SOCK_DESTROY when it is a TCP connection. The message says exactly what
 * is missing when the kernel refuses: CAP_NET_ADMIN, CONFIG_INET_DIAG_DESTROY, or the socket.
 */
export function closeConnection(platform: SystemActions, socket: SocketEntry): ActionAttempt {
  const notClosable = whyNotClosable(socket)
  if (notClosable !== null) return refused('not-a-connection', notClosable)
  const outcome = platform.closeTcpConnection({
    family: socket.family as 4 | 6,
    localAddress: socket.localAddress,
    localPort: socket.localPort ?? 0,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort ?? 0,
    inode: socket.inode,
    netns: socket.netns
  })
  if (outcome.closed) return { outcome: 'done', reason: null, message: 'closed; the peer was sent a reset' }
  return { outcome: 'failed', reason: outcome.reason, message: outcome.message }
}
