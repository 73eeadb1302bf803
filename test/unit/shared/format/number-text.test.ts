import { describe, expect, it } from 'vitest'
import { formatBytes } from '../../../../shared/format/number-text'

describe('formatBytes', () => {
  it('writes bytes in binary units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1024)).toBe('1.0 KiB')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MiB')
    expect(formatBytes(3 * 1024 ** 5)).toBe('3072 TiB')
  })
})
