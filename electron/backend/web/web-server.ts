/**
 * Web mode: the built renderer served over HTTP and the contract served over a WebSocket, on
 * loopback, behind a random per-run token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { networkInterfaces } from 'node:os'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { WEB_SOCKET_PATH, type WebSocketRequest } from '../../../shared/contract/web-socket-messages'
import { errorMessage } from '../../../shared/error-message'
import { formatHostPort } from '../../../shared/format/socket-text'
import type { Backend } from '../backend'
import { isLoopbackHost } from './loopback'

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

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

/** Bytes a slow client may have queued before live events to it are skipped (it resyncs from the next snapshot). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024

/** Starts web mode. Resolves once the server listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('base64url')
  let port = options.port ?? 0
  const cookieName = () => `sockscope_token_${port}`

  const server = createServer((request, response) => {
    serveHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setSecurityHeaders(response)
    if (!hostAllowed(request)) return reject(response, 421, 'unexpected Host header')
    const url = new URL(request.url ?? '/', 'http://localhost')
    const queryToken = url.searchParams.get('token')
    const authorized = tokenMatches(queryToken) || tokenMatches(readCookie(request, cookieName()))
    if (!authorized) return reject(response, 401, 'sockscope web mode needs the token printed when the server started')
    if (request.method !== 'GET' && request.method !== 'HEAD') return reject(response, 405, 'method not allowed')
    if (queryToken !== null) {
      response.setHeader('Set-Cookie', `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`)
    }
    const file = resolveStatic(url.pathname === '/' ? '/index.html' : url.pathname)
    if (!file) return reject(response, 404, 'not found')
    const info = await stat(file).catch(() => null)
    if (!info?.isFile()) return reject(response, 404, 'not found')
    response.writeHead(200, {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size
    })
    if (request.method === 'HEAD') return void response.end()
    // The file can vanish between stat and open (a rebuild while serving): answer, never crash.
    const stream = createReadStream(file)
    stream.on('error', () => response.destroy())
    stream.pipe(response)
  }

  function resolveStatic(pathname: string): string | null {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return null
    }
    const root = normalize(options.staticDirectory)
    const candidate = normalize(join(root, decoded))
    return candidate.startsWith(root + sep) ? candidate : null
  }

  function tokenMatches(candidate: string | null | undefined): boolean {
    if (!candidate) return false
    const given = Buffer.from(candidate)
    const expected = Buffer.from(token)
    return given.length === expected.length && timingSafeEqual(given, expected)
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

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024
  })

  server.on('upgrade', (request, socket, head) => {
    // Node leaves upgrade sockets without an error listener: a peer reset while we refuse would crash serve.
    socket.on('error', () => socket.destroy())
    const url = new URL(request.url ?? '/', 'http://localhost')
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== WEB_SOCKET_PATH) return refuse(404, 'Not Found')
    if (!tokenMatches(url.searchParams.get('token')) && !tokenMatches(readCookie(request, cookieName()))) {
      return refuse(401, 'Unauthorized')
    }
    // A page on another origin (or a rebinding DNS name) must not drive the backend.
    const origin = request.headers.origin
    if (!origin || !allowedOrigins().has(origin.toLowerCase()) || !hostAllowed(request)) {
      return refuse(403, 'Forbidden')
    }
    sockets.handleUpgrade(request, socket, head, (client) => serveClient(client))
  })

  function serveClient(client: WebSocket): void {
    const unsubscribe = options.backend.subscribe((event, payload) => {
      if (client.readyState !== client.OPEN || client.bufferedAmount > MAX_BUFFERED_BYTES) return
      client.send(JSON.stringify({ event, payload }))
    })
    client.on('message', (data) => {
      let message: WebSocketRequest
      try {
        message = JSON.parse(String(data)) as WebSocketRequest
      } catch {
        client.send(JSON.stringify({ id: -1, result: { ok: false, error: { code: 'invalid-arguments', message: 'not JSON' } } }))
        return
      }
      if (typeof message !== 'object' || message === null || typeof message.id !== 'number' || typeof message.channel !== 'string') {
        client.send(JSON.stringify({ id: -1, result: { ok: false, error: { code: 'invalid-arguments', message: 'expected { id, channel, args }' } } }))
        return
      }
      void options.backend
        .handle(message.channel, message.args)
        .then((result) => JSON.stringify({ id: message.id, result }))
        .catch((error: unknown) =>
          JSON.stringify({ id: message.id, result: { ok: false, error: { code: 'failed', message: `the answer could not be sent: ${errorMessage(error)}` } } })
        )
        .then((text) => {
          if (client.readyState === client.OPEN) client.send(text)
        })
    })
    client.on('close', unsubscribe)
    client.on('error', unsubscribe)
  }

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

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY)
  response.setHeader('X-Content-Type-Options', 'nosniff')
  response.setHeader('X-Frame-Options', 'DENY')
  response.setHeader('Referrer-Policy', 'no-referrer')
  response.setHeader('Cache-Control', 'no-store')
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

function reject(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' })
  response.end(message + '\n')
}

function readCookie(request: IncomingMessage, name: string): string | null {
  const header = request.headers.cookie
  if (!header) return null
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return null
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
