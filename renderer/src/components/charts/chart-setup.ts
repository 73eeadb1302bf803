/**
 * Chart.js registration, once for the whole app. Live charts run without animation and with
 * pre-parsed, sorted data so that Chart.js can decimate long series.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  DoughnutController,
  ArcElement,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip
} from 'chart.js'

let registered = false

/** Registers the controllers, scales and plugins sockscope's charts use. */
export function registerCharts(): typeof Chart {
  if (!registered) {
    Chart.register(
      LineController,
      LineElement,
      PointElement,
      BarController,
      BarElement,
      DoughnutController,
      ArcElement,
      LinearScale,
      CategoryScale,
      Filler,
      Legend,
      Tooltip,
      Decimation
    )
    Chart.defaults.animation = false
    Chart.defaults.font.family = 'system-ui, sans-serif'
    registered = true
  }
  return Chart
}

/** A palette that reads on both light and dark backgrounds. */
const SERIES_COLORS = ['#3b82f6', '#22c55e', '#f59e0b', '#ef4444', '#a855f7', '#14b8a6', '#ec4899', '#84cc16', '#f97316', '#6366f1', '#06b6d4', '#eab308']

/** The colour of series number `index`. */
export function seriesColor(index: number): string {
  const color = SERIES_COLORS[Math.abs(index) % SERIES_COLORS.length]
  if (color === undefined) throw new RangeError(`no series colour for index ${index}`)
  return color
}

/** `12:03:45` for an epoch-millisecond x value. */
export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour12: false })
}
