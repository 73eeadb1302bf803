/** Picks the transport once: the desktop bridge when the preload provided one, else web mode. */
import type { SockscopeBridge } from '../../../shared/contract/bridge'
import type { BackendClient } from './backend-client'
import { createIpcClient } from './ipc-client'
import { takePageToken } from './page-token'
import { createWebSocketClient } from './web-socket-client'

let client: BackendClient | null = null

/** The app's backend client. */
export function backendClient(): BackendClient {
  if (client) return client
  const bridge = (window as unknown as { sockscope?: SockscopeBridge }).sockscope
  client = bridge ? createIpcClient(bridge as unknown as Record<string, (argument: unknown) => unknown>) : createWebSocketClient(window.location, takePageToken(window))
  return client
}

/** Replaces the client (component tests). */
export function setBackendClient(replacement: BackendClient): void {
  client = replacement
}

export type { AccessRefusal, BackendClient } from './backend-client'
export { BackendRequestError, describeRequestFailure } from './backend-client'
