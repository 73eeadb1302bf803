/**
 * The holder domain behind the contract: groups of connections opened and kept open to one
 * target. Releases them all on dispose (app quit, end of `serve`); a target beyond this machine
 * goes through the backend's remote-target gate before anything connects.
 */
import { RequestError } from '../../../shared/contract/envelope'
import type { BackendModuleFactory } from '../backend-module'
import { requestErrorFor } from '../probe/probe-errors'
import { ConnectionHolder } from './connection-holder'

/** Serves `holder/*` and pushes `holder/update` whenever the held connections change. */
export const holderModule: BackendModuleFactory = (context) => {
  const holder = new ConnectionHolder({ onChange: (status) => context.emit('holder/update', status), authorize: context.remoteTargets.authorize })

  return {
    handlers: {
      'holder/open': async (args) => {
        const opened = await holder.open(args)
        if (!opened.ok) throw requestErrorFor(opened.error)
        return opened.group
      },
      'holder/release': ({ id }) => {
        if (id === undefined) holder.releaseAll()
        else if (holder.release(id) === null) throw new RequestError('not-found', `No held connection group with id ${id}.`)
        return holder.status()
      },
      'holder/status': () => holder.status()
    },
    dispose() {
      holder.releaseAll()
    }
  }
}
