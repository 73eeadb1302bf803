/**
 * Linux close events: the sock_diag destroy groups (what `ss -E` listens to), one message per
 * freed TCP socket with its final tcp_info. Listening needs no privilege.
 */
import type { KernelClosedSocket } from '../../../../shared/model/closed-connection'
import { errorMessage } from '../../../../shared/error-message'
import type { CloseEventSource, CloseFeed, CloseFeedListener, CloseFeedOptions } from '../platform'
import { CloseEventSubscription } from './netlink/close-events'
import type { InetDiagSocket } from './netlink/inet-diag'
import { currentNetworkNamespaceInode } from './netlink/network-namespace'

function ownNetworkNamespace(): number | null {
  try {
    return currentNetworkNamespaceInode()
  } catch {
    return null
  }
}

/** The platform's view of one kernel close message, heard in the namespace `netns`. */
function closedSocketOf(socket: InetDiagSocket, netns: number | null): KernelClosedSocket {
  return {
    family: socket.family,
    state: socket.state,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    cookie: socket.cookie,
    tcpInfo: socket.tcpInfo,
    netns
  }
}

/** Close events from the kernel's sock_diag destroy groups. */
export class LinuxCloseEventSource implements CloseEventSource {
  start(listener: CloseFeedListener, options: CloseFeedOptions = {}): CloseFeed {
    let subscription: CloseEventSubscription
    try {
      subscription = CloseEventSubscription.start({ protocols: ['tcp'], receiveBufferBytes: options.receiveBufferBytes })
    } catch (error) {
      throw new Error(`cannot listen for closed TCP connections (sock_diag destroy groups over netlink): ${errorMessage(error)}`, { cause: error })
    }
    // The destroy groups speak for the namespace the subscription was opened in: this process's.
    const netns = ownNetworkNamespace()
    subscription.on('closed', (batch) => {
      // Only TCP is joined; the check keeps a future UDP group from slipping in.
      const sockets = batch.sockets.filter((socket) => socket.protocol === 'tcp').map((socket) => closedSocketOf(socket, netns))
      if (sockets.length > 0) listener.closed(sockets, batch.receivedAt)
    })
    subscription.on('lost', (count, total) => listener.lost(count, total))
    subscription.on('error', (error) => listener.failed(error))
    return {
      counters: () => {
        const stats = subscription.stats()
        return { lost: stats.lost, receiveBufferBytes: stats.receiveBufferBytes }
      },
      unref: () => void subscription.unref(),
      close: () => subscription.close()
    }
  }
}
