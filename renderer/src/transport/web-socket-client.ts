/** The web-mode transport: JSON messages over a WebSocket to `sockscope serve`, reconnecting on loss. */
import { WEB_SOCKET_PATH, type WebSocketEvent, type WebSocketResponse } from '../../../shared/contract/web-socket-messages'
import type { Envelope } from '../../../shared/contract/envelope'
import type { BackendClient } from './backend-client'
import { BackendRequestError, unwrapEnvelope } from './backend-client'

interface Pending {
  resolve(envelope: Envelope<unknown>): void
}

/** Opens the web-mode link to the server that served this page. */
export function createWebSocketClient(location: Location): BackendClient {
  const token = new URLSearchParams(location.search).get('token')
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const url = `${scheme}//${location.host}${WEB_SOCKET_PATH}${token ? `?token=${encodeURIComponent(token)}` : ''}`
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const connectionListeners = new Set<(connected: boolean) => void>()
  const pending = new Map<number, Pending>()
  const outbox: string[] = []
  let nextId = 1
  let socket: WebSocket
  let open = false
  let retryMs = 250
  /** True once listeners were told the link is down, so they hear "up" again when it is back. */
  let reportedDown = false

  function connect(): void {
    socket = new WebSocket(url)
    socket.addEventListener('open', () => {
      open = true
      retryMs = 250
      for (const message of outbox.splice(0)) socket.send(message)
      if (reportedDown) {
        reportedDown = false
        connectionListeners.forEach((listener) => listener(true))
      }
    })
    socket.addEventListener('message', (message) => {
      const data = JSON.parse(String(message.data)) as WebSocketResponse | WebSocketEvent
      if ('id' in data) {
        pending.get(data.id)?.resolve(data.result)
        pending.delete(data.id)
      } else {
        listeners.get(data.event)?.forEach((listener) => listener(data.payload))
      }
    })
    socket.addEventListener('close', () => {
      open = false
      // Requests still waiting (sent or queued) fail now; the stores re-read once the link is back.
      outbox.length = 0
      for (const [id, request] of pending) {
        request.resolve({ ok: false, error: { code: 'failed', message: 'connection to sockscope lost' } })
        pending.delete(id)
      }
      if (!reportedDown) {
        reportedDown = true
        connectionListeners.forEach((listener) => listener(false))
      }
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    })
  }
  connect()

  return {
    request(channel, args) {
      const id = nextId++
      const message = JSON.stringify({ id, channel, args })
      return new Promise((resolve, reject) => {
        pending.set(id, {
          resolve: (envelope) => {
            try {
              resolve(unwrapEnvelope(envelope as Envelope<never>))
            } catch (error) {
              reject(error instanceof BackendRequestError ? error : new Error(String(error)))
            }
          }
        })
        if (open) socket.send(message)
        else outbox.push(message)
      })
    },
    subscribe(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const untyped = listener as (payload: unknown) => void
      set.add(untyped)
      return () => set.delete(untyped)
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    }
  }
}
