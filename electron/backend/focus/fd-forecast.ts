/**
 * When a process runs out of file descriptors at its present pace: a robust (Theil–Sen) line
 * through its open-fd counts over the history window, extended to its soft limit. The same fit
 * the growth finding uses, so a brief burst or a pool that fills and drains does not fake a trend.
 */
import type { FdForecast } from '../../../shared/model/focus'
import { measureGrowth } from '../leaks/growth-rule'

/** What a forecast needs before it calls a trend, and the pace below which a count is flat. */
export const FD_FORECAST_RULES = {
  /** Fewer points cannot make a line. */
  minimumPoints: 3,
  /** A shorter stretch of history says nothing about the pace. */
  minimumSpanSeconds: 30,
  /** Fds per minute the fitted pace must reach to count as growth; below it the count is flat. */
  growthPerMinute: 0.5
} as const

/**
 * Forecasts exhaustion of `softLimit` from open-fd counts `values` at `times` (epoch milliseconds,
 * oldest first). `count` is the newest count (null when unknown).
 */
export function forecastFdExhaustion(times: readonly number[], values: readonly number[], count: number | null, softLimit: number | null): FdForecast {
  if (count === null || softLimit === null || softLimit <= 0) return { kind: 'no-limit' }
  if (count >= softLimit) return { kind: 'at-limit' }
  const [first] = times
  const last = times.at(-1)
  const spanSeconds = first !== undefined && last !== undefined ? (last - first) / 1000 : 0
  if (times.length < FD_FORECAST_RULES.minimumPoints || spanSeconds < FD_FORECAST_RULES.minimumSpanSeconds) {
    return { kind: 'short-history', points: times.length, spanSeconds }
  }
  const growth = measureGrowth(times, values)
  const slopePerMinute = growth?.slopePerMinute ?? 0
  if (growth === null || last === undefined || slopePerMinute < FD_FORECAST_RULES.growthPerMinute) return { kind: 'no-growth', slopePerMinute, spanSeconds }
  const secondsLeft = ((softLimit - count) / slopePerMinute) * 60
  return { kind: 'exhausts', slopePerMinute, spanSeconds, secondsLeft, at: last + secondsLeft * 1000 }
}
