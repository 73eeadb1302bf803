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
  LogarithmicScale,
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
      LogarithmicScale,
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

/** Series colours live apart from Chart.js, so stores can pick them without loading it. */
export { seriesColor } from '../../series-colors'

/** `12:03:45` for an epoch-millisecond x value. */
export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour12: false })
}
