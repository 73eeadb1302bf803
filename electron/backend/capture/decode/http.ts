/**
 * HTTP/1 start lines (request line or status line) and the headers within the same segment.
 */

import type { HttpStartLine } from '../../../../shared/model/decoded-packet'
import { latin1Text } from '../../../../shared/bytes'
import type { DecodeState } from './decode-state'
import { elementAt } from '../../../../shared/element-at'

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']
/** The longest start line or header line we look through. */
const MAXIMUM_LINE = 8192
const MAXIMUM_HEADERS = 100

/** True when the payload starts with `METHOD ` or `HTTP/1.`. */
export function looksLikeHttp(data: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false
  const first = elementAt(data, start)
  // Every method and "HTTP/" start with an upper-case letter; check that before any string work.
  if (first < 0x41 || first > 0x5a) return false
  const head = latin1Text(data, start, Math.min(end, start + 8))
  if (head.startsWith('HTTP/1.')) return true
  return METHODS.some((method) => head.startsWith(`${method} `))
}

/** Finds the end of the line starting at `start` (the CR of CRLF, or a bare LF); -1 if none. */
function lineEnd(data: Uint8Array, start: number, end: number): number {
  const limit = Math.min(end, start + MAXIMUM_LINE)
  for (let index = start; index < limit; index += 1) {
    if (data[index] === 0x0a) return index > start && data[index - 1] === 0x0d ? index - 1 : index
  }
  return -1
}

/** Decodes the start line and headers of an HTTP/1 message. */
export function decodeHttp(state: DecodeState, start: number, end: number): void {
  const data = state.data
  state.protocol = 'HTTP'
  const firstLineEnd = lineEnd(data, start, end)
  const line = latin1Text(data, start, firstLineEnd < 0 ? Math.min(end, start + MAXIMUM_LINE) : firstLineEnd)
  const parsed = parseStartLine(line)
  if (parsed === null) {
    // A start line cut by the segment end may just continue in the next segment.
    if (firstLineEnd >= 0) state.markMalformed('http', 'HTTP start line is not "METHOD target HTTP/1.x" or "HTTP/1.x code reason"', start)
    state.info = line
    state.tree?.layer('http', 'Hypertext Transfer Protocol', start, end - start)
    return
  }
  state.info = line
  const headers: { name: string; value: string }[] = []
  const tree = state.tree
  if (tree !== null) {
    tree.layer('http', 'Hypertext Transfer Protocol', start, end - start)
    tree.add(parsed.kind === 'request' ? 'http.request.line' : 'http.response.line', parsed.kind === 'request' ? 'Request line' : 'Status line', line, start, line.length)
    const { method, target } = parsed
    if (parsed.kind === 'request' && method !== null && target !== null) {
      tree.add('http.request.method', 'Method', method, start, method.length)
      tree.add('http.request.uri', 'Target', target, start + method.length + 1, target.length)
    } else if (parsed.kind === 'response') {
      tree.add('http.response.code', 'Status Code', parsed.statusCode, start + parsed.version.length + 1, 3)
    }
    let position = firstLineEnd < 0 ? end : nextLineStart(data, firstLineEnd)
    while (position < end && headers.length < MAXIMUM_HEADERS) {
      const headerEnd = lineEnd(data, position, end)
      if (headerEnd === position) break
      const text = latin1Text(data, position, headerEnd < 0 ? Math.min(end, position + MAXIMUM_LINE) : headerEnd)
      const colon = text.indexOf(':')
      if (colon > 0) {
        const header = { name: text.slice(0, colon).trim(), value: text.slice(colon + 1).trim() }
        headers.push(header)
        tree.add(`http.header.${header.name.toLowerCase()}`, header.name, header.value, position, text.length)
      }
      if (headerEnd < 0) break
      position = nextLineStart(data, headerEnd)
    }
    state.http = { ...parsed, line, headers }
  }
}

function nextLineStart(data: Uint8Array, lineEndIndex: number): number {
  return data[lineEndIndex] === 0x0d ? lineEndIndex + 2 : lineEndIndex + 1
}

function parseStartLine(line: string): Omit<HttpStartLine, 'line' | 'headers'> | null {
  if (line.startsWith('HTTP/1.')) {
    const match = /^(HTTP\/1\.\d) (\d{3})(?: (.*))?$/.exec(line)
    if (match === null) return null
    return { kind: 'response', method: null, target: null, version: elementAt(match, 1), statusCode: Number(match[2]), reason: match[3] ?? '' }
  }
  const match = /^([A-Z]+) (\S+) (HTTP\/1\.\d)$/.exec(line)
  if (match === null) return null
  return { kind: 'request', method: elementAt(match, 1), target: elementAt(match, 2), version: elementAt(match, 3), statusCode: null, reason: null }
}
