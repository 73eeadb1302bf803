/**
 * Time-axis ticks at round times (every 10 s, 1 min, 15 min, 1 h…) whatever the window: Chart.js
 * on its own starts the axis at the window's first millisecond, so a 1 h window read 19:15:50,
 * 19:40:00, 19:56:40.
 */

/** Steps a time axis may use, in milliseconds, shortest first. */
export const TIME_STEPS_MS: readonly number[] = [1, 2, 5, 10, 15, 30]
  .map((seconds) => seconds * 1000)
  .concat([1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((minutes) => minutes * 60_000))

/**
 * Ticks between `min` and `max` (epoch ms) on the shortest round step that gives at most
 * `maxTicks`; steps of an hour or more fall on the hour of the local clock (`offsetMs` is the
 * local time's distance from UTC, as `-getTimezoneOffset()` minutes give it).
 */
export function roundTimeTicks(min: number, max: number, maxTicks = 8, offsetMs = -new Date(min).getTimezoneOffset() * 60_000): number[] {
  if (!(max > min)) return []
  const span = max - min
  const step = TIME_STEPS_MS.find((candidate) => span / candidate <= maxTicks) ?? Math.ceil(span / maxTicks / 86_400_000) * 86_400_000
  const ticks: number[] = []
  for (let tick = Math.ceil((min + offsetMs) / step) * step - offsetMs; tick <= max; tick += step) ticks.push(tick)
  return ticks
}
