/** The desktop transport: the preload's named methods on `window.sockscope`. */
import { listenerNameFor, methodNameFor } from '../../../shared/contract/define'
import type { Envelope } from '../../../shared/contract/envelope'
import type { BackendClient } from './backend-client'
import { unwrapEnvelope } from './backend-client'

type BridgeMethod = (argument: unknown) => unknown

/** Wraps the preload bridge in the renderer's client interface. */
export function createIpcClient(bridge: Record<string, BridgeMethod>): BackendClient {
  const method = (name: string): BridgeMethod => {
    const found = bridge[name]
    if (typeof found !== 'function') throw new Error(`the desktop bridge has no ${name}`)
    return found
  }
  return {
    async request(channel, args) {
      const envelope = (await method(methodNameFor(channel))(args)) as Envelope<never>
      return unwrapEnvelope(envelope)
    },
    subscribe(event, listener) {
      return method(listenerNameFor(event))(listener) as () => void
    },
    onConnectionChange() {
      // IPC cannot drop while the window lives.
      return () => undefined
    },
    onAccessRefused() {
      // The desktop window needs no token.
      return () => undefined
    }
  }
}
