/** Extremes of long lists: what spreading them into Math.max or Math.min cannot take. */
import { describe, expect, it } from 'vitest'
import { largestOf, smallestOf } from '../../../shared/number-extremes'

/** Longer than any argument list V8 takes: spreading it into Math.max throws. */
const LONG = 500_000

describe('number extremes', () => {
  it('finds the largest and smallest of a list far longer than an argument list', () => {
    const values = Array.from({ length: LONG }, (_, index) => (index * 7919) % LONG)
    values[123_456] = LONG + 5
    values[400_001] = -3
    expect(() => Math.max(...values)).toThrow(RangeError)
    expect(largestOf(values, 0)).toBe(LONG + 5)
    expect(smallestOf(values, 0)).toBe(-3)
    expect(largestOf(Float64Array.from(values), 0)).toBe(LONG + 5)
  })

  it('gives the stated value for an empty list', () => {
    expect(largestOf([], 7)).toBe(7)
    expect(smallestOf([], -7)).toBe(-7)
    expect(largestOf([-2, -9], 0)).toBe(-2)
    expect(smallestOf([4, 9], 0)).toBe(4)
  })
})
