/** The sockets domain: the live table, pause and resume, and the poll interval. */
import type { BackendModuleFactory } from '../backend-module'

/** Serves `sockets/*`, and pushes one diff per tick and every status change. */
export const socketsModule: BackendModuleFactory = (context) => {
  const { sockets } = context
  const stopTicks = sockets.onTick((diff) => context.emit('sockets/tick', diff))
  const stopStatus = sockets.onStatus((status) => context.emit('sockets/status', status))

  return {
    handlers: {
      'sockets/snapshot': () => sockets.ready(),
      'sockets/status': () => sockets.status(),
      'sockets/pause': () => sockets.pause(),
      'sockets/resume': () => sockets.resume(),
      'sockets/set-interval': ({ intervalMs }) => sockets.setIntervalMs(intervalMs)
    },
    dispose() {
      stopTicks()
      stopStatus()
    }
  }
}
