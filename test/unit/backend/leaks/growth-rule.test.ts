import { describe, expect, it } from 'vitest'
import { DEFAULT_LEAK_SETTINGS } from '../../../../shared/leak-settings'
import { growthRaises, measureGrowth } from '../../../../electron/backend/leaks/growth-rule'

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const settings = DEFAULT_LEAK_SETTINGS
const windowPoints = settings.growthWindowSeconds

/** Judges every window of a 1 Hz series the way the detector would at each tick. */
function raisesAnywhere(values: number[]): boolean {
  for (let end = 3; end <= values.length; end++) {
    const start = Math.max(0, end - windowPoints)
    const slice = values.slice(start, end)
    const measure = measureGrowth(
      slice.map((_, index) => (start + index) * 1000),
      slice
    )
    if (measure && growthRaises(measure, settings)) return true
  }
  return false
}

describe('growth on synthetic series', () => {
  it('stays quiet for a steady but noisy server, across many seeds', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const next = random(seed)
      // Mean-reverting around 500 connections: clients come and go all the time.
      let value = 500
      const values: number[] = []
      for (let second = 0; second < 600; second++) {
        value = 500 + 0.95 * (value - 500) + (next() - 0.5) * 20
        values.push(Math.round(value))
      }
      expect(raisesAnywhere(values), `seed ${seed}`).toBe(false)
    }
  })

  it('stays quiet for white noise and for a sawtooth connection pool', () => {
    const next = random(99)
    expect(raisesAnywhere(Array.from({ length: 900 }, () => Math.round(200 + (next() - 0.5) * 60)))).toBe(false)
    // A pool that grows to 50 then is trimmed back to 10, every 40 s.
    expect(raisesAnywhere(Array.from({ length: 900 }, (_, second) => 10 + (second % 40)))).toBe(false)
  })

  it('stays quiet for a one-off step and for a warm-up that levels off', () => {
    expect(raisesAnywhere(Array.from({ length: 600 }, (_, second) => (second < 200 ? 100 : 400)))).toBe(false)
    // 0 → 200 connections over the first 20 s, then flat.
    expect(raisesAnywhere(Array.from({ length: 600 }, (_, second) => Math.min(200, second * 10)))).toBe(false)
  })

  it('raises for a steady leak, noise and all, once the minimum duration has passed', () => {
    const next = random(7)
    const values = Array.from({ length: 200 }, (_, second) => Math.round(100 + second * 0.2 + (next() - 0.5) * 6))
    const at = (seconds: number): boolean => {
      const slice = values.slice(0, seconds)
      const measure = measureGrowth(
        slice.map((_, index) => index * 1000),
        slice
      )
      return measure !== null && growthRaises(measure, settings)
    }
    expect(at(settings.growthMinimumDurationSeconds - 5)).toBe(false)
    expect(at(120)).toBe(true)
  })

  it('raises for a slow leak of a few sockets a minute in bursts', () => {
    // Three sockets leaked every 30 s.
    const values = Array.from({ length: 300 }, (_, second) => 50 + 3 * Math.floor(second / 30))
    const measure = measureGrowth(
      values.map((_, index) => index * 1000),
      values
    )
    expect(measure?.slopePerMinute).toBeCloseTo(6, 0)
    expect(measure && growthRaises(measure, settings)).toBe(true)
  })

  it('measures slope, R² and jump share', () => {
    const values = Array.from({ length: 61 }, (_, second) => 10 + second)
    const measure = measureGrowth(
      values.map((_, index) => index * 1000),
      values
    )
    expect(measure).toMatchObject({ first: 10, last: 70, spanSeconds: 60 })
    expect(measure?.slopePerMinute).toBeCloseTo(60)
    expect(measure?.rSquared).toBeCloseTo(1)
    expect(measure?.jumpShare).toBeCloseTo(1 / 60)
  })
})
