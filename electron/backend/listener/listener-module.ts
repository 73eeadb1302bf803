/**
 * The listener domain behind the contract: local TCP and UDP test listeners. Stops them all on
 * dispose (app quit, end of `serve`); an address beyond loopback goes through the backend's
 * remote-target gate before anything is bound.
 */
import { RequestError } from '../../../shared/contract/envelope'
import type { BackendModuleFactory } from '../backend-module'
import { requestErrorFor } from '../probe/probe-errors'
import { TestListenerRegistry } from './test-listener'

/** Serves `listener/*` and pushes `listener/update` when a listener's peers or counters change. */
export const listenerModule: BackendModuleFactory = (context) => {
  const listeners = new TestListenerRegistry((info) => context.emit('listener/update', info), context.remoteTargets.authorize)

  return {
    handlers: {
      'listener/start': async (args) => {
        const started = await listeners.start(args)
        if (!started.ok) throw requestErrorFor(started.error)
        return started.listener
      },
      'listener/stop': async ({ id }) => {
        const stopped = await listeners.stop(id)
        if (stopped === null) throw new RequestError('not-found', `No test listener with id ${id}.`)
        return stopped
      },
      'listener/list': () => listeners.list()
    },
    async dispose() {
      await listeners.stopAll()
    }
  }
}
