/** The sockets and dns domains: the live table, pause/resume and reverse DNS. */
import type { BackendModuleFactory } from '../backend-module'
import { ReverseResolver } from '../dns/reverse-resolver'

/** Serves `sockets/*` and `dns/*`, and pushes one diff per tick. */
export const socketsModule: BackendModuleFactory = (context) => {
  const { sockets } = context
  let resolveNames = context.options.resolveNames
  const resolver = new ReverseResolver()

  const stopTicks = sockets.onTick((diff, snapshot) => {
    context.emit('sockets/tick', diff)
    if (!resolveNames) return
    // The first tick asks for every remote address; later ones only for new sockets.
    const fresh = diff.previousTick === 0 ? snapshot.sockets : diff.added
    resolver.request(fresh.filter((socket) => socket.family !== null).map((socket) => socket.remoteAddress))
    const names = resolver.takeResolved()
    if (Object.keys(names).length > 0) context.emit('dns/resolved', { names })
  })
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
        resolveNames = enabled
        return { enabled }
      }
    },
    dispose() {
      stopTicks()
      stopStatus()
    }
  }
}
