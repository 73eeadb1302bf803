import { describe, expect, it } from 'vitest'
import { elementAt } from '../../../shared/element-at'

describe('elementAt', () => {
  it('reads the first and the last element, of arrays and typed arrays', () => {
    expect(elementAt(['a', 'b', 'c'], 0)).toBe('a')
    expect(elementAt(['a', 'b', 'c'], 2)).toBe('c')
    expect(elementAt(Uint8Array.of(7, 0), 1)).toBe(0)
  })

  it('throws a RangeError naming the index just outside either end, or a fractional one', () => {
    expect(() => elementAt(['a', 'b', 'c'], 3)).toThrow(new RangeError('index 3 is outside 3 elements'))
    expect(() => elementAt(['a', 'b', 'c'], -1)).toThrow(new RangeError('index -1 is outside 3 elements'))
    expect(() => elementAt(Uint8Array.of(1, 2), 0.5)).toThrow(RangeError)
    expect(() => elementAt([], 0)).toThrow(RangeError)
  })
})
