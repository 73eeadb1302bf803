/** Bytes as people read binary data: a classic hex dump, and whether text would show them at all. */
import type { ReceivedData } from '../model/probe'

const BYTES_PER_LINE = 16

/**
 * True when the data is not readable text: bytes that are not UTF-8 (shown as U+FFFD) or control
 * characters other than tab, carriage return and line feed.
 */
export function looksBinary(data: Pick<ReceivedData, 'text'>): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(data.text)
}

/** `0000  48 65 6c 6c 6f  |Hello|`: offset, up to sixteen bytes in hex, the same bytes as ASCII. */
export function hexDumpLines(hex: string): string[] {
  const bytes = hex.match(/[0-9a-fA-F]{2}/g) ?? []
  const lines: string[] = []
  for (let offset = 0; offset < bytes.length; offset += BYTES_PER_LINE) {
    const row = bytes.slice(offset, offset + BYTES_PER_LINE)
    const ascii = row.map((pair) => {
      const code = parseInt(pair, 16)
      return code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '.'
    })
    lines.push(`${offset.toString(16).padStart(4, '0')}  ${row.join(' ').padEnd(BYTES_PER_LINE * 3 - 1)}  |${ascii.join('')}|`)
  }
  return lines
}
