/**
 * Monotonic timing for probes: wall-clock time can jump (NTP, suspend), so durations come
 * from performance.now() and are rounded to the microsecond for readable output.
 */

/** A monotonic timestamp in milliseconds. */
export function monotonicNow(): number {
  return performance.now()
}

/** Milliseconds since a {@link monotonicNow} timestamp, rounded to three decimals. */
export function millisecondsSince(start: number): number {
  return roundMilliseconds(performance.now() - start)
}

/** Round to three decimals (microseconds). */
export function roundMilliseconds(value: number): number {
  return Math.round(value * 1000) / 1000
}
