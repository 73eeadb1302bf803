/**
 * Trend math for the growth finding. Theil–Sen takes the median of the slopes between every
 * pair of points, so a few outliers or a brief burst cannot fake a trend the way they bend a
 * least-squares line.
 */
import { elementAt } from '../../../shared/element-at'

/** A fitted line; time in the caller's unit. */
export interface Trend {
  /** Value change per unit of time. */
  readonly slope: number
  readonly intercept: number
  /** Share of the variance the line explains (0..1; 0 when the values are flat). */
  readonly rSquared: number
  readonly points: number
}

/** The median of `values` (NaN when empty). Sorts a copy. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? elementAt(sorted, middle) : (elementAt(sorted, middle - 1) + elementAt(sorted, middle)) / 2
}

/** At most `limit` indices spread evenly over `length`, always keeping the first and the last. */
export function evenIndices(length: number, limit: number): number[] {
  if (length <= limit) return Array.from({ length }, (_, index) => index)
  const indices: number[] = []
  for (let step = 0; step < limit; step++) indices.push(Math.round((step * (length - 1)) / (limit - 1)))
  return indices
}

/**
 * Theil–Sen fit of `values` over `times`, with the R² of the fitted line. Pairs at the same
 * time are skipped. Cost is quadratic in the number of points, so callers pass a subsample.
 */
export function theilSen(times: ArrayLike<number>, values: ArrayLike<number>): Trend {
  const count = Math.min(times.length, values.length)
  const slopes: number[] = []
  for (let first = 0; first < count; first++) {
    for (let second = first + 1; second < count; second++) {
      const elapsed = elementAt(times, second) - elementAt(times, first)
      if (elapsed !== 0) slopes.push((elementAt(values, second) - elementAt(values, first)) / elapsed)
    }
  }
  const slope = slopes.length > 0 ? median(slopes) : 0
  const residualBase: number[] = []
  for (let index = 0; index < count; index++) residualBase.push(elementAt(values, index) - slope * elementAt(times, index))
  const intercept = count > 0 ? median(residualBase) : 0
  return { slope, intercept, rSquared: rSquared(times, values, slope, intercept), points: count }
}

/** 1 − SSres/SStot of the line; 0 for flat values, never below 0. */
export function rSquared(times: ArrayLike<number>, values: ArrayLike<number>, slope: number, intercept: number): number {
  const count = Math.min(times.length, values.length)
  if (count < 2) return 0
  let mean = 0
  for (let index = 0; index < count; index++) mean += elementAt(values, index)
  mean /= count
  let total = 0
  let residual = 0
  for (let index = 0; index < count; index++) {
    const value = elementAt(values, index)
    total += (value - mean) ** 2
    residual += (value - (slope * elementAt(times, index) + intercept)) ** 2
  }
  if (total === 0) return 0
  return Math.max(0, 1 - residual / total)
}

/** The largest rise between two neighbouring points (0 when nothing rises). */
export function largestJump(values: ArrayLike<number>): number {
  let largest = 0
  for (let index = 1; index < values.length; index++) largest = Math.max(largest, elementAt(values, index) - elementAt(values, index - 1))
  return largest
}
