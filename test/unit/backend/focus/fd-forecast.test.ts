/**
 * The fd forecast: when a process reaches its soft limit at the pace of the history window. Each
 * rule is pinned with a case just inside and one just outside.
 */
import { describe, expect, it } from 'vitest'
import { FD_FORECAST_RULES, forecastFdExhaustion } from '../../../../electron/backend/focus/fd-forecast'

const START = 1_700_000_000_000

/** Counts every `stepSeconds` for `spanSeconds`, rising by `perMinute` from `first`. */
function steady(first: number, perMinute: number, spanSeconds: number, stepSeconds = 1): { times: number[]; values: number[] } {
  const times: number[] = []
  const values: number[] = []
  for (let second = 0; second <= spanSeconds; second += stepSeconds) {
    times.push(START + second * 1000)
    values.push(first + (perMinute * second) / 60)
  }
  return { times, values }
}

describe('forecastFdExhaustion', () => {
  it('reaches the limit at the fitted pace: 100 fds left at 10 a minute is 10 minutes', () => {
    const { times, values } = steady(800, 10, 120)
    const last = values.at(-1) ?? 0
    expect(last).toBe(820)
    const forecast = forecastFdExhaustion(times, values, last, 920)
    expect(forecast).toMatchObject({ kind: 'exhausts', spanSeconds: 120 })
    if (forecast.kind !== 'exhausts') return
    expect(forecast.slopePerMinute).toBeCloseTo(10, 6)
    expect(forecast.secondsLeft).toBeCloseTo(600, 3)
    expect(forecast.at).toBeCloseTo(START + 120_000 + 600_000, -1)
  })

  it('calls a pace just above the growth threshold growth, and one just below it no growth', () => {
    const threshold = FD_FORECAST_RULES.growthPerMinute
    const above = steady(100, threshold * 1.02, 300)
    const below = steady(100, threshold * 0.98, 300)
    expect(forecastFdExhaustion(above.times, above.values, above.values.at(-1) ?? 0, 1024).kind).toBe('exhausts')
    const flat = forecastFdExhaustion(below.times, below.values, below.values.at(-1) ?? 0, 1024)
    expect(flat.kind).toBe('no-growth')
    if (flat.kind === 'no-growth') expect(flat.slopePerMinute).toBeCloseTo(threshold * 0.98, 6)
  })

  it('says no growth for a flat count and for a falling one', () => {
    const flat = steady(50, 0, 120)
    expect(forecastFdExhaustion(flat.times, flat.values, 50, 1024)).toMatchObject({ kind: 'no-growth', slopePerMinute: 0 })
    const falling = steady(500, -30, 120)
    expect(forecastFdExhaustion(falling.times, falling.values, 440, 1024).kind).toBe('no-growth')
  })

  it('a burst that fills and drains a pool is not a trend', () => {
    const { times, values } = steady(40, 0, 240)
    // Ten seconds of 200 extra fds in the middle, as a connection pool under a spike.
    for (let index = 100; index < 110; index++) values[index] = 240
    expect(forecastFdExhaustion(times, values, 40, 1024).kind).toBe('no-growth')
  })

  it('needs the minimum span of history: just short of it waits, just at it forecasts', () => {
    const minimum = FD_FORECAST_RULES.minimumSpanSeconds
    const short = steady(100, 60, minimum - 1)
    expect(forecastFdExhaustion(short.times, short.values, short.values.at(-1) ?? 0, 1024)).toMatchObject({ kind: 'short-history', spanSeconds: minimum - 1 })
    const enough = steady(100, 60, minimum)
    expect(forecastFdExhaustion(enough.times, enough.values, enough.values.at(-1) ?? 0, 1024).kind).toBe('exhausts')
  })

  it('needs three points however long they span', () => {
    const two = { times: [START, START + 600_000], values: [10, 500] }
    expect(forecastFdExhaustion(two.times, two.values, 500, 1024)).toMatchObject({ kind: 'short-history', points: 2 })
    const three = { times: [START, START + 300_000, START + 600_000], values: [10, 255, 500] }
    expect(forecastFdExhaustion(three.times, three.values, 500, 1024).kind).toBe('exhausts')
  })

  it('is at the limit from the limit on, and one short of it still forecasts', () => {
    const { times, values } = steady(1000, 12, 120)
    expect(forecastFdExhaustion(times, values, 1024, 1024)).toEqual({ kind: 'at-limit' })
    const oneShort = forecastFdExhaustion(times, values, 1023, 1024)
    expect(oneShort.kind).toBe('exhausts')
    if (oneShort.kind === 'exhausts') expect(oneShort.secondsLeft).toBeCloseTo(5, 3)
  })

  it('has nothing to forecast against without a limit or a count', () => {
    const { times, values } = steady(100, 10, 120)
    expect(forecastFdExhaustion(times, values, 120, null)).toEqual({ kind: 'no-limit' })
    expect(forecastFdExhaustion(times, values, null, 1024)).toEqual({ kind: 'no-limit' })
  })
})
