import { describe, expect, it } from 'vitest'
import { evenIndices, largestJump, median, rSquared, theilSen } from '../../../../electron/backend/leaks/robust-trend'

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })
})

describe('theilSen', () => {
  it('recovers an exact line', () => {
    const times = [0, 1, 2, 3, 4, 5]
    const trend = theilSen(
      times,
      times.map((time) => 3 * time + 7)
    )
    expect(trend.slope).toBeCloseTo(3)
    expect(trend.intercept).toBeCloseTo(7)
    expect(trend.rSquared).toBeCloseTo(1)
  })

  it('is not bent by a few wild outliers, unlike least squares', () => {
    const times = Array.from({ length: 20 }, (_, index) => index)
    const values = times.map((time) => 2 * time)
    values[18] = 500
    values[19] = 900
    expect(theilSen(times, values).slope).toBeCloseTo(2, 0)
  })

  it('gives zero slope and zero R² for flat values', () => {
    const trend = theilSen([0, 1, 2, 3], [4, 4, 4, 4])
    expect(trend).toMatchObject({ slope: 0, rSquared: 0 })
  })

  it('skips pairs at the same time', () => {
    // Slopes 2 and -8 only; the pair at time 1 is left out.
    expect(theilSen([1, 1, 2], [0, 10, 2]).slope).toBeCloseTo(-3)
  })
})

describe('helpers', () => {
  it('rSquared is never negative', () => {
    expect(rSquared([0, 1, 2], [0, 1, 0], 100, 0)).toBe(0)
  })

  it('evenIndices keeps the ends and spreads the rest', () => {
    expect(evenIndices(3, 5)).toEqual([0, 1, 2])
    expect(evenIndices(101, 5)).toEqual([0, 25, 50, 75, 100])
  })

  it('largestJump finds the biggest rise', () => {
    expect(largestJump([1, 2, 10, 9, 12])).toBe(8)
    expect(largestJump([5, 4, 3])).toBe(0)
  })
})
