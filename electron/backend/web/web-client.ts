/**
 * One authorized web-mode client on its WebSocket: its requests, its answers and the events pushed
 * to it, each under a bound, so a client that stops reading or floods requests costs the server a
 * fixed amount of memory and is dropped instead of growing it.
 */
import type { RawData, WebSocket } from 'ws'
import type { WebSocketRequest } from '../../../shared/contract/web-socket-messages'
import { errorMessage } from '../../../shared/error-message'
import type { Backend } from '../backend'
import type { RequestCaller } from '../backend-module'

/** The bounds every web client is held to. */
export interface WebClientLimits {
  /** WebSocket clients served at once; one more is refused with close code 1013. */
  readonly maxClients: number
  /** Bytes queued to one client (answers and events) before it counts as not reading. */
  readonly maxBufferedBytes: number
  /** Requests of one client handled at once; further ones wait, and its socket is not read meanwhile. */
  readonly maxRequestsInFlight: number
  /** Largest message a client may send, in bytes. */
  readonly maxMessageBytes: number
  /** How often a client is pinged; one that left two pings in a row unanswered is dropped. */
  readonly heartbeatMs: number
  /**
   * How long an answer waits behind more than `maxBufferedBytes` while the client reads nothing
   * of it; a client still reading (a 30k-socket table is over 30 MiB) is waited for.
   */
  readonly stalledReadMs: number
}

/** The bounds web mode runs with unless a test shrinks them. */
export const DEFAULT_WEB_CLIENT_LIMITS: WebClientLimits = {
  maxClients: 16,
  maxBufferedBytes: 32 * 1024 * 1024,
  maxRequestsInFlight: 8,
  // An import chunk (512 KiB, base64) is the largest request the UI sends.
  maxMessageBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  stalledReadMs: 5_000
}

/** What a client's link needs from the server around it. */
export interface WebClientContext {
  readonly backend: Backend
  readonly limits: WebClientLimits
  /** Writes one line for the operator (stderr in `sockscope serve`). */
  readonly log: (line: string) => void
  /** Who this client is, for the action log. */
  readonly caller: RequestCaller
}

/** Serves one accepted WebSocket until it closes. */
export function serveWebClient(client: WebSocket, { backend, limits, log, caller }: WebClientContext): void {
  const waiting: RawData[] = []
  let inFlight = 0
  let pausedForBacklog = false
  let answeredPing = true
  let missedPings = 0
  let dropped = false

  /** Bytes of answers handed to the socket and not yet written out: at most `maxRequestsInFlight` answers. */
  let answerBytesWaiting = 0

  const unsubscribe = backend.subscribe((event, payload) => {
    // A client behind on events skips them; the stores notice the gap in tick numbers and re-read.
    // Answers being delivered do not count: otherwise every tick sent while a large table is on
    // its way would be skipped, and the re-read that follows would skip the next ones, for ever.
    if (client.readyState !== client.OPEN || client.bufferedAmount - answerBytesWaiting > limits.maxBufferedBytes) return
    client.send(JSON.stringify({ event, payload }))
  })

  const heartbeat = setInterval(() => {
    // While its socket is paused for our own backlog its pong cannot be read: not its fault. One
    // miss is forgiven, because after a stall of this process the timer can run before the pong is read.
    missedPings = answeredPing || pausedForBacklog ? 0 : missedPings + 1
    if (missedPings >= 2) {
      drop('did not answer two pings (dead link)')
      return
    }
    answeredPing = false
    client.ping()
  }, limits.heartbeatMs)

  client.on('pong', () => (answeredPing = true))
  client.on('message', (data) => {
    waiting.push(data)
    handleWaiting()
  })
  client.on('close', () => {
    clearInterval(heartbeat)
    unsubscribe()
    waiting.length = 0
  })
  // ws closes the link itself after a protocol error (an oversized message gets 1009); the listener
  // only keeps the error from being thrown.
  client.on('error', () => undefined)

  /** Starts waiting requests up to the in-flight bound, and reads the socket only while below it. */
  function handleWaiting(): void {
    while (inFlight < limits.maxRequestsInFlight && waiting.length > 0) handle(waiting.shift() as RawData)
    const backlog = inFlight >= limits.maxRequestsInFlight
    if (backlog && !pausedForBacklog) {
      pausedForBacklog = true
      client.pause()
    } else if (!backlog && pausedForBacklog) {
      pausedForBacklog = false
      client.resume()
    }
  }

  function handle(data: RawData): void {
    const message = parseRequest(data)
    if (typeof message === 'string') {
      answer(JSON.stringify({ id: -1, result: { ok: false, error: { code: 'invalid-arguments', message } } }))
      return
    }
    inFlight++
    void backend
      .handle(message.channel, message.args, caller)
      .then((result) => JSON.stringify({ id: message.id, result }))
      .catch((error: unknown) =>
        JSON.stringify({ id: message.id, result: { ok: false, error: { code: 'failed', message: `the answer could not be sent: ${errorMessage(error)}` } } })
      )
      .then(answerWhenRead)
      .finally(() => {
        inFlight--
        handleWaiting()
      })
  }

  function answer(text: string): void {
    if (client.readyState !== client.OPEN) return
    const bytes = Buffer.byteLength(text)
    answerBytesWaiting += bytes
    client.send(text, () => (answerBytesWaiting -= bytes))
  }

  /**
   * Sends an answer once fewer than `maxBufferedBytes` wait before it. Meanwhile the request
   * still counts as in flight, so at most `maxRequestsInFlight` answers wait and the client's
   * socket is not read. A client that reads nothing for `stalledReadMs` is dropped.
   */
  async function answerWhenRead(text: string): Promise<void> {
    let waited = client.bufferedAmount
    let stalledMs = 0
    let checkedAt = Date.now()
    while (client.readyState === client.OPEN && client.bufferedAmount > limits.maxBufferedBytes) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_CHECK_MS))
      const now = Date.now()
      // Time this process spent busy elsewhere (reading a large table) is nobody's stall: each
      // check counts for at most two check intervals, since only a running loop can write.
      const elapsed = Math.min(now - checkedAt, 2 * DRAIN_CHECK_MS)
      checkedAt = now
      if (client.bufferedAmount < waited) {
        waited = client.bufferedAmount
        stalledMs = 0
      } else if ((stalledMs += elapsed) >= limits.stalledReadMs) {
        drop(`stopped reading its answers (${mebibytes(client.bufferedAmount)} MiB waiting)`)
        return
      }
    }
    answer(text)
  }

  function drop(reason: string): void {
    // Several answers may give up on the same stalled client at once: it is dropped once.
    if (dropped) return
    dropped = true
    log(`sockscope: dropped a web client that ${reason}`)
    client.terminate()
  }
}

/** The request in a client message, or why it is not one. */
function parseRequest(data: RawData): WebSocketRequest | string {
  let message: unknown
  try {
    message = JSON.parse(String(data))
  } catch {
    return 'not JSON'
  }
  if (typeof message !== 'object' || message === null) return 'expected { id, channel, args }'
  const { id, channel } = message as Partial<WebSocketRequest>
  if (typeof id !== 'number' || typeof channel !== 'string') return 'expected { id, channel, args }'
  return message as WebSocketRequest
}

/** How often an answer waiting behind a backlog checks whether the client read some of it. */
const DRAIN_CHECK_MS = 50

function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1)
}
