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

/**
 * The format `toLocaleTimeString(undefined, { hour12: false })` uses, made once: that call builds
 * a new formatter each time, and every chart redraw formats each tick label and tooltip with it.
 */
const clockFormat = new Intl.DateTimeFormat(undefined, { hour12: false, hour: 'numeric', minute: 'numeric', second: 'numeric' })

/** `12:03:45` for an epoch-millisecond x value. */
export function formatClock(epochMs: number): string {
  return clockFormat.format(epochMs)
}

/** Redraws waiting for a task of their own, in the order asked, one per chart. */
const waitingRedraws = new Map<object, () => void>()
let redrawsScheduled = false

/**
 * Runs a chart's redraw in a task of its own, one chart per task: a tick refreshes every chart
 * of the Charts view at once, and redrawn together they made one long task that held up input.
 * A newer redraw of a chart replaces its waiting one.
 */
export function queueChartRedraw(chart: object, redraw: () => void): void {
  waitingRedraws.set(chart, redraw)
  if (!redrawsScheduled) {
    redrawsScheduled = true
    setTimeout(runNextRedraw, 0)
  }
}

function runNextRedraw(): void {
  const next = waitingRedraws.entries().next()
  if (next.done) {
    redrawsScheduled = false
    return
  }
  const [chart, redraw] = next.value
  waitingRedraws.delete(chart)
  try {
    redraw()
  } finally {
    if (waitingRedraws.size > 0) setTimeout(runNextRedraw, 0)
    else redrawsScheduled = false
  }
}
