/**
 * Web mode: the built renderer served over HTTP and the contract served over a WebSocket, on
 * loopback, behind a random per-run token that only the API needs. No cookie ever carries it: a
 * cookie for 127.0.0.1 would go to every other service on 127.0.0.1, whatever its port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { networkInterfaces } from 'node:os'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { WEB_SESSION_PATH, WEB_SOCKET_PATH } from '../../../shared/contract/web-socket-messages'
import { formatHostPort } from '../../../shared/format/socket-text'
import type { Backend } from '../backend'
import { isLoopbackHost } from './loopback'
import { AccessToken, newAccessToken } from './access-token'
import { answerMetrics, METRICS_PATH } from './metrics-endpoint'
import type { MetricsSource } from '../metrics/metrics-source'
import { answerPlainText, serveStaticFile } from './static-files'
import { DEFAULT_WEB_CLIENT_LIMITS, serveWebClient, type WebClientLimits } from './web-client'

/** Options for `startWebServer`. */
export interface WebServerOptions {
  readonly backend: Backend
  /** The folder holding the built renderer (index.html and assets). */
  readonly staticDirectory: string
  /** 127.0.0.1 by default. */
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
  /** A fixed token instead of a random one (only for embedding in tests). */
  readonly token?: string
  /** Bounds on each client; the defaults unless a test shrinks some. */
  readonly limits?: Partial<WebClientLimits>
  /** Where lines for the operator go (dropped clients); stderr by default. */
  readonly log?: (line: string) => void
  /** Served at `/metrics` to clients with the token in an Authorization header. */
  readonly metrics?: MetricsSource
}

/** A running web server. */
export interface WebServer {
  /** The URL a user opens, token included. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly token: string
  close(): Promise<void>
}

/** Content security policy of every page web mode serves. */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

/**
 * Open HTTP and WebSocket connections at once, from anyone (static files need no token): a local
 * process opening thousands must not use up the descriptors the socket monitor needs.
 */
const MAX_CONNECTIONS = 256

/** Starts web mode. Resolves once the server listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? newAccessToken()
  const access = new AccessToken(token)
  const limits: WebClientLimits = { ...DEFAULT_WEB_CLIENT_LIMITS, ...options.limits }
  const log = options.log ?? ((line: string) => void process.stderr.write(line + '\n'))
  let port = options.port ?? 0
  const sockets = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes })
  const clients = new Set<WebSocket>()
  const tooManyClients = () => `sockscope serves at most ${limits.maxClients} pages at a time; close one and try again`

  const server = createServer((request, response) => {
    serveHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  server.maxConnections = MAX_CONNECTIONS

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setSecurityHeaders(response)
    if (!hostAllowed(request)) return answerPlainText(response, 421, 'unexpected Host header')
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname === METRICS_PATH && options.metrics) return answerMetrics(request, response, access, options.metrics)
    if (isApiPath(url.pathname)) {
      if (!requestHasToken(request, url)) return answerPlainText(response, 401, 'sockscope web mode needs the token printed when the server started')
      if (url.pathname !== WEB_SESSION_PATH) return answerPlainText(response, 404, 'not found')
      if (clients.size >= limits.maxClients) return answerPlainText(response, 503, tooManyClients())
      response.writeHead(204)
      return void response.end()
    }
    await serveStaticFile(request, response, options.staticDirectory, url.pathname)
  }

  /** The token from `?token=` or an `Authorization: Bearer` header, compared in constant time. */
  function requestHasToken(request: IncomingMessage, url: URL): boolean {
    return access.matches(url.searchParams.get('token')) || access.inBearerHeader(request)
  }

  /** The Host header must name this server on a loopback name: DNS rebinding sends a foreign name. */
  function hostAllowed(request: IncomingMessage): boolean {
    const header = request.headers.host
    if (!header) return false
    return allowedOrigins().has(`http://${header.toLowerCase()}`)
  }

  function allowedOrigins(): Set<string> {
    return new Set(hostNamesFor(host).map((name) => `http://${formatHostPort(name, port)}`))
  }

  let clientNumber = 0
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves upgrade sockets without an error listener: a peer reset while we refuse would crash serve.
    socket.on('error', () => socket.destroy())
    const url = new URL(request.url ?? '/', 'http://localhost')
    const refuse = (status: number, reason: string, body = '') => {
      const headers = `Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}`
      socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers}\r\n\r\n${body}`)
    }
    if (url.pathname !== WEB_SOCKET_PATH) return refuse(404, 'Not Found')
    if (!hostAllowed(request)) return refuse(421, 'Misdirected Request')
    if (!requestHasToken(request, url)) return refuse(401, 'Unauthorized')
    // A page on another origin must not drive the backend, even with a token it somehow learned.
    const origin = request.headers.origin
    if (!origin || !allowedOrigins().has(origin.toLowerCase())) return refuse(403, 'Forbidden')
    if (clients.size >= limits.maxClients) return refuse(503, 'Service Unavailable', tooManyClients() + '\n')
    const address = request.socket.remoteAddress ?? 'unknown address'
    sockets.handleUpgrade(request, socket, head, (client) => {
      clients.add(client)
      client.on('close', () => clients.delete(client))
      clientNumber += 1
      // The action log names the page that asked: its number in this run and where it connected from.
      const caller = { actor: 'web', label: `web client ${clientNumber} (${address})` } as const
      serveWebClient(client, { backend: options.backend, limits, log, caller })
    })
  })

  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(port, host, () => {
      server.off('error', rejectListen)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://${formatHostPort(host, port)}/?token=${token}`,
    host,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function isApiPath(pathname: string): boolean {
  return pathname === WEB_SOCKET_PATH || pathname.startsWith(WEB_SOCKET_PATH + '/')
}

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY)
  response.setHeader('X-Content-Type-Options', 'nosniff')
  response.setHeader('X-Frame-Options', 'DENY')
  response.setHeader('Referrer-Policy', 'no-referrer')
  response.setHeader('Cache-Control', 'no-store')
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

/**
 * The Host names a browser may use to reach a server bound to `host`: the loopback names for a
 * loopback bind, the address itself, and for a wildcard bind every address of this machine.
 */
function hostNamesFor(host: string): string[] {
  const names = new Set<string>([host])
  if (isLoopbackHost(host)) for (const name of ['127.0.0.1', 'localhost', '::1']) names.add(name)
  if (host === '0.0.0.0' || host === '::') {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address)
    }
    names.add('localhost')
  }
  return [...names]
}
