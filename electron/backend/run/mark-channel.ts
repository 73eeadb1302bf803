/**
 * Phase marks over a private UNIX socket: `sockscope run` listens, and `sockscope mark` (or a few
 * lines in a test runner) connects, sends one line with the label and waits for `ok` once the
 * sample that starts the phase has been taken.
 *
 * The protocol is one text line each way, so a test runner in any language can speak it: the
 * client sends the label (UTF-8, at most 1 KiB) and a newline; the server answers `ok` or
 * `error: reason` and a newline, then closes.
 */
import { fstatSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { errorMessage } from '../../../shared/error-message'

/** The environment variable `sockscope run` sets to the path of its mark socket. */
export const MARK_SOCKET_VARIABLE = 'SOCKSCOPE_MARK_SOCKET'
/** The longest message line a client may send, in bytes. */
export const MAX_MARK_MESSAGE_BYTES = 1024
/** The longest label kept, in characters; longer ones are cut. */
export const MAX_LABEL_LENGTH = 200
/** Clients connected at once, at most; more wait in the listen backlog. */
const MAX_CLIENTS = 32
/** A client that sends no full line in this long is dropped. */
const CLIENT_TIMEOUT_MS = 5000

/** A label as the report keeps it: control characters become spaces, cut to {@link MAX_LABEL_LENGTH}. */
export function cleanLabel(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  const cut = [...clean].slice(0, MAX_LABEL_LENGTH).join('')
  return cut === '' ? '(no label)' : cut
}

/** What the server does with a mark: resolves once the mark is taken; a rejection is told to the client. */
export interface MarkHandler {
  /** `ownInode` is the inode of the server's end of the connection, so the caller can leave the client's end out. */
  (label: string, ownInode: number | null): Promise<void>
}

/** The inode of a connected socket's file, or null when Node does not show its descriptor. */
function socketInode(socket: Socket): number | null {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd
  if (typeof fd !== 'number' || fd < 0) return null
  try {
    return fstatSync(fd).ino
  } catch {
    return null
  }
}

/** The listening end, in a private folder. */
export class MarkServer {
  private constructor(
    readonly path: string,
    private readonly server: Server,
    private readonly clients: Set<Socket>
  ) {}

  /** Listens on `mark.sock` inside `folder` (which must be private: 0700, ours). */
  static async listen(folder: string, handle: MarkHandler): Promise<MarkServer> {
    const path = join(folder, 'mark.sock')
    const clients = new Set<Socket>()
    const server = createServer((socket) => {
      clients.add(socket)
      socket.once('close', () => clients.delete(socket))
      serveClient(socket, handle)
    })
    server.maxConnections = MAX_CLIENTS
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
    // The server must not keep sockscope alive once the command is done.
    server.unref()
    return new MarkServer(path, server, clients)
  }

  /** Stops listening; clients still connected (one that never hangs up, say) are dropped. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const client of this.clients) client.destroy()
    return closed
  }
}

function serveClient(socket: Socket, handle: MarkHandler): void {
  let received = Buffer.alloc(0)
  let answered = false
  socket.setTimeout(CLIENT_TIMEOUT_MS, () => socket.destroy())
  socket.on('error', () => undefined)
  const answer = (line: string): void => {
    answered = true
    socket.end(`${line}\n`)
  }
  socket.on('data', (chunk: Buffer) => {
    if (answered) return
    received = Buffer.concat([received, chunk])
    const end = received.indexOf(0x0a)
    if (end === -1) {
      if (received.length > MAX_MARK_MESSAGE_BYTES) answer(`error: a mark is one line of at most ${MAX_MARK_MESSAGE_BYTES} bytes`)
      return
    }
    if (end > MAX_MARK_MESSAGE_BYTES) return answer(`error: a mark is one line of at most ${MAX_MARK_MESSAGE_BYTES} bytes`)
    answered = true
    socket.setTimeout(0)
    const label = cleanLabel(received.subarray(0, end).toString('utf8'))
    handle(label, socketInode(socket)).then(
      () => socket.end('ok\n'),
      (error: unknown) => socket.end(`error: ${errorMessage(error)}\n`)
    )
  })
}

/** How a mark sent with {@link sendMark} went. */
export type MarkResult = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** Sends a mark to the run listening at `path`; never rejects. */
export function sendMark(path: string, label: string, timeoutMs: number): Promise<MarkResult> {
  return new Promise((resolve) => {
    let reply = ''
    let settled = false
    const settle = (result: MarkResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => settle({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` }), timeoutMs)
    const socket = createConnection(path, () => socket.write(`${cleanLabel(label)}\n`))
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => {
      reply += text
      const end = reply.indexOf('\n')
      if (end === -1) return
      const line = reply.slice(0, end)
      settle(line === 'ok' ? { ok: true } : { ok: false, reason: line.replace(/^error: /, '') })
    })
    socket.on('error', (error) => settle({ ok: false, reason: errorMessage(error) }))
    socket.on('close', () => settle({ ok: false, reason: 'the run closed the connection without an answer' }))
  })
}
