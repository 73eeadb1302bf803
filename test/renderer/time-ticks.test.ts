/** Time-axis ticks fall on round times for every window. */
import { describe, expect, it } from 'vitest'
import { roundTimeTicks } from '../../renderer/src/components/charts/time-ticks'

const at = (clock: string) => Date.parse(`2026-12-07T${clock}Z`)

describe('roundTimeTicks', () => {
  it('puts the ticks of an hour window on round ten minutes, however the window starts', () => {
    const ticks = roundTimeTicks(at('19:00:50'), at('20:00:50'), 8, 0)
    expect(ticks.map((tick) => new Date(tick).toISOString().slice(11, 19))).toEqual(['19:10:00', '19:20:00', '19:30:00', '19:40:00', '19:50:00', '20:00:00'])
  })

  it('uses the shortest round step that keeps to the tick limit, and no more ticks than it', () => {
    for (const [spanMs, step] of [
      [60_000, 10_000],
      [5 * 60_000, 60_000],
      [70_000, 10_000],
      [81_000, 15_000]
    ] as const) {
      const ticks = roundTimeTicks(at('10:00:03'), at('10:00:03') + spanMs, 8, 0)
      expect(ticks.length).toBeLessThanOrEqual(8)
      for (const tick of ticks) expect(tick % step, `${spanMs}`).toBe(0)
      expect(ticks[1]! - ticks[0]!).toBe(step)
    }
  })

  it('keeps hour steps on the local hour', () => {
    const twoHoursAhead = 2 * 3_600_000
    const ticks = roundTimeTicks(at('00:10:00'), at('12:10:00'), 8, twoHoursAhead)
    for (const tick of ticks) expect((tick + twoHoursAhead) % (2 * 3_600_000)).toBe(0)
  })
})
