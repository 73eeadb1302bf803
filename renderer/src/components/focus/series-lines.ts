/** A history series set as chart lines: the points where a value is known. */
import type { SeriesSet } from '../../../../shared/model/history'
import type { TimeSeries } from '../charts/TimeSeriesChart.vue'

/** One line per series, labelled by `label` (the series' own label when left out). */
export function seriesLines(set: SeriesSet | null, label: (key: string, fallback: string) => string = (_key, fallback) => fallback): TimeSeries[] {
  if (set === null) return []
  return set.series.map((series) => {
    const points: Array<{ x: number; y: number }> = []
    set.times.forEach((time, index) => {
      const value = series.values[index]
      if (value !== null && value !== undefined) points.push({ x: time, y: value })
    })
    return { label: label(series.key, series.label), points }
  })
}
