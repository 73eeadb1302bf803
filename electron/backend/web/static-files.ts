/**
 * The built renderer as web mode serves it: plain files that hold no secret, so they need no token,
 * confined to their folder, and every opened file closed however the response ends.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'

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

/** Writes a short plain-text answer. */
export function answerPlainText(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' })
  response.end(message + '\n')
}

/**
 * The file under `root` that a URL path names, or null when the decoded path leaves `root`
 * (`/..%2f..%2fetc%2fpasswd` decodes to a parent path that URL parsing alone never sees).
 */
export function resolveStaticPath(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const base = normalize(root)
  const candidate = normalize(join(base, decoded))
  return candidate.startsWith(base + sep) ? candidate : null
}

/** Answers a GET or HEAD for a file of the built renderer. */
export async function serveStaticFile(request: IncomingMessage, response: ServerResponse, root: string, pathname: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return answerPlainText(response, 405, 'method not allowed')
  const file = resolveStaticPath(root, pathname)
  if (!file) return answerPlainText(response, 404, 'not found')
  // Opened once and measured through the same descriptor: the file can vanish or change during a rebuild.
  const handle: FileHandle | null = await open(file, 'r').catch(() => null)
  if (!handle) return answerPlainText(response, 404, 'not found')
  let handedToStream = false
  try {
    const info = await handle.stat()
    if (!info.isFile()) return answerPlainText(response, 404, 'not found')
    response.writeHead(200, {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size
    })
    if (request.method === 'HEAD') return void response.end()
    handedToStream = true
    // pipeline destroys the file stream (closing the descriptor) when the client hangs up early;
    // a plain pipe() left it open forever.
    await pipeline(handle.createReadStream({ autoClose: true }), response).catch(() => undefined)
  } finally {
    if (!handedToStream) await handle.close()
  }
}
