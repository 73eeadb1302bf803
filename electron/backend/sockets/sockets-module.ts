/** The sockets and dns domains: the live table, pause/resume and reverse DNS. */
import type { SocketEntry } from '../../../shared/model/socket'
import type { BackendModuleFactory } from '../backend-module'
import { ReverseResolver } from '../dns/reverse-resolver'

/** Serves `sockets/*` and `dns/*`, and pushes one diff per tick. */
export const socketsModule: BackendModuleFactory = (context) => {
  const { sockets } = context
  let resolveNames = context.options.resolveNames
  const resolver = new ReverseResolver()

  const requestNames = (table: readonly SocketEntry[]) =>
    resolver.request(table.filter((socket) => socket.family !== null).map((socket) => socket.remoteAddress))
  const pushNames = () => {
    const names = resolver.takeResolved()
    if (Object.keys(names).length > 0) context.emit('dns/resolved', { names })
  }
  const stopTicks = sockets.onTick((diff, snapshot) => {
    context.emit('sockets/tick', diff)
    if (!resolveNames) return
    // The first tick asks for every remote address; later ones only for new sockets.
    requestNames(diff.previousTick === 0 ? snapshot.sockets : diff.added)
    pushNames()
  })
  // Names that arrive between ticks (or while paused) go out on their own, batched once a second.
  const namePusher = setInterval(pushNames, 1000)
  namePusher.unref()
  const stopStatus = sockets.onStatus((status) => context.emit('sockets/status', status))

  return {
    handlers: {
      'sockets/snapshot': () => sockets.ready(),
      'sockets/status': () => sockets.status(),
      'sockets/pause': () => sockets.pause(),
      'sockets/resume': () => sockets.resume(),
      'sockets/set-interval': ({ intervalMs }) => sockets.setIntervalMs(intervalMs),
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
      stopStatus()
    }
  }
}
