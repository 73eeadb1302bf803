/**
 * The events domain: every closed TCP connection, from the platform's close events, attributed
 * through the live socket table. Clients get them in batches, a few times a second at most; the
 * leak detector gets the last minute's churn per destination.
 */
import type { ClosedConnection } from '../../../shared/model/closed-connection'
import type { BackendModuleFactory } from '../backend-module'
import { CloseEventRecorder } from './close-event-recorder'
import { ConnectionChurnWindow } from './connection-churn'

/** How often closed connections are pushed to clients, at most. */
const PUSH_INTERVAL_MS = 500

/** Serves `events/*` and pushes `events/closed` batches and `events/status` changes. */
export const eventsModule: BackendModuleFactory = (context) => {
  let pending: ClosedConnection[] = []
  let statusChanged = false
  let timer: NodeJS.Timeout | null = null
  const churn = new ConnectionChurnWindow((port) => recorder.log.isListeningPort(port))
  // The leak detector judges churn at every tick from the last minute of closed connections.
  context.history.session.followChurn((now) => churn.summary(now))

  const flush = (): void => {
    timer = null
    const status = recorder.status()
    if (pending.length > 0) context.emit('events/closed', { connections: pending, status })
    else if (statusChanged) context.emit('events/status', status)
    pending = []
    statusChanged = false
  }
  const schedule = (): void => {
    if (timer === null) timer = setTimeout(flush, PUSH_INTERVAL_MS).unref()
  }

  const recorder = new CloseEventRecorder(context.closeEvents, context.sockets, {
    closed(connections) {
      churn.add(connections)
      pending.push(...connections)
      // Clients keep no more than the ring does, so neither does a batch.
      if (pending.length > recorder.log.capacity) pending = pending.slice(-recorder.log.capacity)
      schedule()
    },
    lost() {
      statusChanged = true
      schedule()
    },
    unavailable() {
      statusChanged = true
      schedule()
    }
  })
  recorder.unref()

  return {
    handlers: {
      'events/recent': ({ limit }) => ({ connections: recorder.log.recent(limit), status: recorder.status() }),
      'events/status': () => recorder.status()
    },
    dispose() {
      if (timer !== null) clearTimeout(timer)
      context.history.session.followChurn(null)
      recorder.dispose()
    }
  }
}
