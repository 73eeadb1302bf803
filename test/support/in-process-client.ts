/** A BackendClient wired straight to a real backend in the same process, for store tests. */
import type { Backend } from '../../electron/backend/backend'
import { unwrapEnvelope, type BackendClient } from '../../renderer/src/transport/backend-client'

/** Wraps a running backend in the renderer's client interface, without a transport in between. */
export function createInProcessClient(backend: Backend): BackendClient {
  return {
    async request(channel, args) {
      return unwrapEnvelope(await backend.handle(channel, args)) as never
    },
    subscribe(event, listener) {
      return backend.subscribe((name, payload) => {
        if ((name as string) === event) (listener as (value: unknown) => void)(payload)
      })
    },
    onConnectionChange() {
      return () => undefined
    },
    onAccessRefused() {
      return () => undefined
    }
  }
}
