/* `list --json`'s writer: a JSON array, one compact item per line, written in chunks. */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { writeJsonArray } from '../../../electron/cli/json-array-output'

/** What the writer wrote, and how many writes it took. */
function written(items: readonly unknown[]): { text: string; writes: number } {
  const out = new PassThrough()
  const chunks: string[] = []
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')))
  const writes: number[] = []
  const write = out.write.bind(out)
  out.write = ((chunk: string) => {
    writes.push(chunk.length)
    return write(chunk)
  }) as typeof out.write
  writeJsonArray(out, items)
  out.end()
  return { text: chunks.join(''), writes: writes.length }
}

describe('writeJsonArray', () => {
  it('writes an empty array as []', () => {
    expect(written([]).text).toBe('[]\n')
  })

  it('writes one item per line that JSON.parse reads back whole', () => {
    const items = [{ a: 1, b: 'two' }, null, [3, { c: 'line\nbreak' }]]
    const { text } = written(items)
    expect(text).toBe('[\n{"a":1,"b":"two"},\nnull,\n[3,{"c":"line\\nbreak"}]\n]\n')
    expect(JSON.parse(text)).toEqual(items)
  })

  it('splits a long array into several writes that still join into the same array', () => {
    // About 3 MB: more than two chunks, with items landing on both sides of each chunk's end.
    const items = Array.from({ length: 6000 }, (_, index) => ({ index, text: 'x'.repeat(500 + (index % 7)) }))
    const { text, writes } = written(items)
    expect(writes).toBeGreaterThanOrEqual(3)
    expect(text.split('\n')).toHaveLength(items.length + 3)
    expect(JSON.parse(text)).toEqual(items)
  })
})
