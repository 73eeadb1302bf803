import { describe, expect, it } from 'vitest'
import { hexDumpLines, looksBinary } from '../../../../shared/format/hex-dump-text'

describe('looksBinary', () => {
  it('takes text with tabs and line ends as text, and control bytes or invalid UTF-8 as binary', () => {
    expect(looksBinary({ text: 'HTTP/1.1 200 OK\r\n\tx\n' })).toBe(false)
    expect(looksBinary({ text: 'a\u0000b' })).toBe(true)
    expect(looksBinary({ text: 'a\u001fb' })).toBe(true)
    expect(looksBinary({ text: 'a\u007fb' })).toBe(true)
    expect(looksBinary({ text: 'caf\uFFFD' })).toBe(true)
  })
})

describe('hexDumpLines', () => {
  it('writes sixteen bytes a line with their offset and printable ASCII', () => {
    const hex = Buffer.from('Hello, binary world!\u0000\u0001').toString('hex')
    expect(hexDumpLines(hex)).toEqual([
      '0000  48 65 6c 6c 6f 2c 20 62 69 6e 61 72 79 20 77 6f  |Hello, binary wo|',
      '0010  72 6c 64 21 00 01                                |rld!..|'
    ])
    expect(hexDumpLines('')).toEqual([])
    // Printable means 0x20 to 0x7e: the bytes just outside show as dots.
    expect(hexDumpLines('1f207e7f')).toEqual([`0000  1f 20 7e 7f${' '.repeat(36)}  |. ~.|`])
  })
})
