/** The charts' palette, and the colour each process keeps while it lives. */

/** A palette that reads on both light and dark backgrounds. */
export const SERIES_COLORS = ['#3b82f6', '#22c55e', '#f59e0b', '#ef4444', '#a855f7', '#14b8a6', '#ec4899', '#84cc16', '#f97316', '#6366f1', '#06b6d4', '#eab308']

/** The colour of series number `index`. */
export function seriesColor(index: number): string {
  const color = SERIES_COLORS[Math.abs(index) % SERIES_COLORS.length]
  if (color === undefined) throw new RangeError(`no series colour for index ${index}`)
  return color
}

/**
 * Keeps one palette colour per process while it lives: a process gets the first colour no live
 * process holds and keeps it however the chart's order changes; an exited process gives its colour
 * back. Returns the palette index for each key asked about.
 */
export function createColorKeeper(): (shown: readonly number[], alive: ReadonlySet<number>) => Map<number, number> {
  const held = new Map<number, number>()
  return (shown, alive) => {
    for (const key of [...held.keys()]) if (!alive.has(key) && !shown.includes(key)) held.delete(key)
    for (const key of shown) {
      if (held.has(key)) continue
      const taken = new Set(held.values())
      let index = 0
      while (taken.has(index) && index < SERIES_COLORS.length) index++
      // More processes than colours: share the least used one.
      held.set(key, index < SERIES_COLORS.length ? index : held.size % SERIES_COLORS.length)
    }
    return new Map(shown.map((key) => [key, held.get(key) ?? 0]))
  }
}
