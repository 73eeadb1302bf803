/** The JSON messages web mode exchanges over its WebSocket; the same contract as Electron IPC. */
import type { Envelope } from './envelope'

/** Client → server: call a request channel. */
export interface WebSocketRequest {
  readonly id: number
  readonly channel: string
  readonly args: unknown
}

/** Server → client: the answer to request `id`. */
export interface WebSocketResponse {
  readonly id: number
  readonly result: Envelope<unknown>
}

/** Server → client: a pushed event. */
export interface WebSocketEvent {
  readonly event: string
  readonly payload: unknown
}

/** The path the WebSocket listens on. */
export const WEB_SOCKET_PATH = '/api'

/**
 * Plain HTTP under the API path, asking whether this token may open the WebSocket now: 204 yes,
 * 401 wrong token, 503 the server serves as many pages as it allows. A browser cannot read why an
 * upgrade was refused, so a page asks here after one fails.
 */
export const WEB_SESSION_PATH = `${WEB_SOCKET_PATH}/session`
