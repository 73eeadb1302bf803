/** The dns domain: reverse-DNS names for the remote addresses of the live table, looked up in the background. */
import type { SocketEntry } from '../../../shared/model/socket'
import type { BackendModuleFactory } from '../backend-module'
import { ReverseResolver } from './reverse-resolver'

/** Serves `dns/*` and pushes names as they are learned, at most once a tick. */
export const dnsModule: BackendModuleFactory = (context) => {
  const { sockets } = context
  let resolveNames = context.options.resolveNames
  const resolver = new ReverseResolver()

  const requestNames = (table: readonly SocketEntry[]) => resolver.request(table.filter((socket) => socket.family !== null).map((socket) => socket.remoteAddress))
  const pushNames = () => {
    const names = resolver.takeResolved()
    if (Object.keys(names).length > 0) context.emit('dns/resolved', { names })
  }
  const stopTicks = sockets.onTick((diff, snapshot) => {
    if (!resolveNames) return
    // The first tick asks for every remote address; later ones only for new sockets.
    requestNames(diff.previousTick === 0 ? snapshot.sockets : diff.added)
    pushNames()
  })
  // Names that arrive between ticks (or while paused) go out on their own, batched once a second.
  const namePusher = setInterval(pushNames, 1000)
  namePusher.unref()

  return {
    handlers: {
      'dns/names': () => ({ names: resolver.known() }),
      'dns/set-enabled': ({ enabled }) => {
        // Turning names on names the sockets already open, not only those opened from now on.
        if (enabled && !resolveNames) requestNames(sockets.current().sockets)
        resolveNames = enabled
        return { enabled }
      }
    },
    dispose() {
      clearInterval(namePusher)
      stopTicks()
    }
  }
}
