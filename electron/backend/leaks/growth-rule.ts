/** `growth`: a process whose socket count keeps rising. */
import type { LeakSettings } from '../../../shared/leak-settings'
import type { FindingSeverity } from '../../../shared/model/finding'
import { HISTORY_COLUMNS } from '../../../shared/model/history-view'
import { elementAt } from '../../../shared/element-at'
import { evenIndices, largestJump, theilSen } from './robust-trend'
import { describeProcess, endpointGroup, evidenceSeries, formatAmount, formatDuration, topGroups, type Candidate, type LeakRule } from './rule'

/** Points fed to the quadratic Theil–Sen fit; enough for a stable median, cheap at 1 Hz × 128 processes. */
const FIT_POINTS = 48

/** The numbers the growth decision rests on. */
export interface GrowthMeasure {
  /** Sockets per minute, Theil–Sen. */
  readonly slopePerMinute: number
  /** The same over the newest third of the window, to tell a finished ramp from an ongoing rise. */
  readonly recentSlopePerMinute: number
  readonly rSquared: number
  /** Rise along the fitted line across the window. */
  readonly increase: number
  /** The largest single step as a share of the rise. */
  readonly jumpShare: number
  readonly spanSeconds: number
  readonly first: number
  readonly last: number
}

/** Measures the trend of a count series; times in epoch milliseconds. Null with fewer than 3 points. */
export function measureGrowth(times: readonly number[], values: readonly number[]): GrowthMeasure | null {
  const [origin] = times
  const end = times.at(-1)
  const [first] = values
  const last = values.at(-1)
  if (times.length < 3 || origin === undefined || end === undefined || first === undefined || last === undefined) return null
  const indices = evenIndices(times.length, FIT_POINTS)
  // Seconds from the window start keep the fit away from floating-point trouble with epoch values.
  const fitTimes = indices.map((index) => (elementAt(times, index) - origin) / 1000)
  const fitValues = indices.map((index) => elementAt(values, index))
  const trend = theilSen(fitTimes, fitValues)
  const recentFrom = Math.floor((fitTimes.length * 2) / 3)
  const recent = theilSen(fitTimes.slice(recentFrom), fitValues.slice(recentFrom))
  const spanSeconds = (end - origin) / 1000
  const increase = trend.slope * spanSeconds
  return {
    slopePerMinute: trend.slope * 60,
    recentSlopePerMinute: recent.slope * 60,
    rSquared: trend.rSquared,
    increase,
    jumpShare: increase > 0 ? Math.min(1, largestJump(values) / increase) : 1,
    spanSeconds,
    first,
    last
  }
}

/** Whether a measure is strong enough to raise a growth finding. */
export function growthRaises(measure: GrowthMeasure, settings: LeakSettings): boolean {
  return (
    measure.spanSeconds >= settings.growthMinimumDurationSeconds &&
    measure.slopePerMinute >= settings.growthMinimumSlopePerMinute &&
    measure.recentSlopePerMinute >= settings.growthMinimumSlopePerMinute / 2 &&
    measure.rSquared >= settings.growthMinimumRSquared &&
    measure.increase >= settings.growthMinimumIncrease &&
    measure.jumpShare <= settings.growthMaximumJumpShare
  )
}

/** Whether a raised growth finding still holds: still rising, if more slowly. */
function growthKeeps(measure: GrowthMeasure, settings: LeakSettings): boolean {
  return measure.slopePerMinute >= settings.growthMinimumSlopePerMinute / 2 && measure.recentSlopePerMinute > 0 && measure.rSquared >= settings.growthMinimumRSquared - 0.2
}

/** Finds processes whose socket count rises steadily. */
export const growthRule: LeakRule = (input) => {
  const { settings, history, now } = input
  const since = now - settings.growthWindowSeconds * 1000
  const candidates: Candidate[] = []
  for (const process of history.trackedProcesses()) {
    const id = `growth:${process.pid}`
    const wasActive = input.activeIds.has(id)
    if (!process.present && !wasActive) continue
    const slice = history.columnSlice({ kind: 'process', pid: process.pid }, HISTORY_COLUMNS.sockets, since)
    if (slice.values.length < 3) continue
    // Cheap test first: a steady rise of the minimum increase lifts the last third's mean two
    // thirds of that increase above the first third's; noise around a level does not.
    if (!wasActive && thirdsRise(slice.values) < settings.growthMinimumIncrease / 2) continue
    const measure = measureGrowth(slice.times, slice.values)
    if (!measure) continue
    const raises = process.present && growthRaises(measure, settings)
    const keeps = process.present && (raises || growthKeeps(measure, settings))
    if (!raises && !keeps) continue

    const latest = input.sample.processes.find((entry) => entry.pid === process.pid)
    const fdCount = latest?.fdCount ?? null
    const fdLimit = latest?.fdSoftLimit ?? null
    let severity: FindingSeverity = 'warning'
    let limitSentence = ''
    if (fdCount !== null && fdLimit !== null && measure.slopePerMinute > 0) {
      const minutesLeft = (fdLimit - fdCount) / measure.slopePerMinute
      if (minutesLeft < 10) severity = 'critical'
      limitSentence = ` At this pace it reaches its limit of ${fdLimit} open files in about ${formatDuration(Math.max(0, minutesLeft) * 60_000)}, after which every new connection fails with "too many open files".`
    }
    const owned = input.sockets.filter((socket) => socket.pid === process.pid && socket.family !== null && socket.state !== 'LISTEN')
    const groups = topGroups(owned.map((socket) => `${socket.state} → ${endpointGroup(socket, input.scan.listening)}`))
    const who = describeProcess(process)
    const numbers: Record<string, number> = {
      slopePerMinute: round(measure.slopePerMinute),
      rSquared: round(measure.rSquared),
      increase: round(measure.increase),
      first: measure.first,
      sockets: measure.last,
      windowSeconds: Math.round(measure.spanSeconds)
    }
    if (fdCount !== null) numbers.fdCount = fdCount
    if (fdLimit !== null) numbers.fdSoftLimit = fdLimit
    candidates.push({
      id,
      kind: 'growth',
      process: { pid: process.pid, name: process.name },
      raises,
      keeps,
      severity,
      since: elementAt(slice.times, 0),
      title: `${who} keeps opening sockets`,
      explanation:
        `${who} went from ${measure.first} to ${measure.last} sockets over the last ${formatDuration(measure.spanSeconds * 1000)}, ` +
        `about ${formatAmount(measure.slopePerMinute)} more every minute, and the rise is steady (R² ${measure.rSquared.toFixed(2)}). ` +
        `A count that only goes up usually means connections are opened and never closed.` +
        (groups[0] ? ` Most of its sockets are ${groups[0].label}.` : '') +
        limitSentence,
      advice:
        'Find where the program opens these connections (HTTP clients, database or message-queue clients, a socket per request) ' +
        'and make sure each one is closed or returned to a pool, on error paths too. ' +
        'Filter the table to this process to see what the new sockets connect to.',
      evidence: {
        numbers,
        series: evidenceSeries('sockets', slice.times, slice.values),
        groups
      }
    })
  }
  return candidates
}

/** Mean of the newest third of `values` minus the mean of the oldest third. */
function thirdsRise(values: readonly number[]): number {
  const third = Math.max(1, Math.floor(values.length / 3))
  let oldest = 0
  let newest = 0
  for (let index = 0; index < third; index++) {
    oldest += elementAt(values, index)
    newest += elementAt(values, values.length - 1 - index)
  }
  return (newest - oldest) / third
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
