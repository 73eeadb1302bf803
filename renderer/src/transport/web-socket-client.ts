/** The web-mode transport: JSON messages over a WebSocket to `sockscope serve`, reconnecting on loss. */
import { WEB_SESSION_PATH, WEB_SOCKET_PATH, type WebSocketEvent, type WebSocketResponse } from '../../../shared/contract/web-socket-messages'
import type { Envelope } from '../../../shared/contract/envelope'
import type { AccessRefusal, BackendClient } from './backend-client'
import { BackendRequestError, unwrapEnvelope } from './backend-client'

interface Pending {
  resolve(envelope: Envelope<unknown>): void
}

const NO_VALID_TOKEN = 'this page has no valid sockscope token'

/** The page's own address: the server that served it is the one to talk to. */
export type PageAddress = Pick<Location, 'protocol' | 'host' | 'origin'>

/** Opens the web-mode link to the server that served this page, with the token this tab holds (null when none). */
export function createWebSocketClient(page: PageAddress, token: string | null): BackendClient {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:'
  const url = `${scheme}//${page.host}${WEB_SOCKET_PATH}?token=${encodeURIComponent(token ?? '')}`
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const connectionListeners = new Set<(connected: boolean) => void>()
  const refusalListeners = new Set<(refusal: AccessRefusal | null) => void>()
  const pending = new Map<number, Pending>()
  const outbox: string[] = []
  let nextId = 1
  let socket: WebSocket
  let open = false
  let retryMs = 250
  /** True once listeners were told the link is down, so they hear "up" again when it is back. */
  let reportedDown = false
  let refusal: AccessRefusal | null = token ? null : 'no-token'
  /** True once this page was served: a token refused after that means the server restarted. */
  let served = false

  function setRefusal(next: AccessRefusal | null): void {
    if (next === refusal) return
    refusal = next
    refusalListeners.forEach((listener) => listener(next))
  }

  /** A refusal that no retry can lift: the page needs a new address from the user. */
  function refusedForGood(): boolean {
    return refusal === 'no-token' || refusal === 'token-rejected' || refusal === 'server-restarted'
  }

  function connect(): void {
    let opened = false
    socket = new WebSocket(url)
    socket.addEventListener('open', () => {
      opened = true
      open = true
      served = true
      retryMs = 250
      setRefusal(null)
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
      failWaiting('The connection to sockscope was lost; this is tried again once it is back.')
      if (!reportedDown) {
        reportedDown = true
        connectionListeners.forEach((listener) => listener(false))
      }
      if (opened) return retryLater()
      // Refused before it opened: the browser hides why, so ask the server over plain HTTP.
      void askWhyRefused().then((reason) => {
        setRefusal(reason === 'token-rejected' && served ? 'server-restarted' : reason)
        if (refusedForGood()) failWaiting(NO_VALID_TOKEN)
        else retryLater()
      })
    })
  }

  function retryLater(): void {
    setTimeout(connect, retryMs)
    retryMs = Math.min(retryMs * 2, 5000)
  }

  /** 'token-rejected' or 'too-many-clients' when the server says so; null when it is just unreachable. */
  async function askWhyRefused(): Promise<AccessRefusal | null> {
    try {
      const answer = await fetch(`${page.origin}${WEB_SESSION_PATH}`, {
        headers: { Authorization: `Bearer ${token ?? ''}` },
        cache: 'no-store',
        credentials: 'omit'
      })
      if (answer.status === 401) return 'token-rejected'
      if (answer.status === 503) return 'too-many-clients'
    } catch {
      // The server is down: keep retrying the WebSocket.
    }
    return null
  }

  function failWaiting(message: string): void {
    outbox.length = 0
    for (const [id, request] of pending) {
      request.resolve({ ok: false, error: { code: 'failed', message } })
      pending.delete(id)
    }
  }

  if (token) connect()

  return {
    request(channel, args) {
      if (refusedForGood()) {
        return Promise.reject(new BackendRequestError({ code: 'permission-denied', message: NO_VALID_TOKEN }))
      }
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
    },
    onAccessRefused(listener) {
      refusalListeners.add(listener)
      if (refusal) listener(refusal)
      return () => refusalListeners.delete(listener)
    }
  }
}
