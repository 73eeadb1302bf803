/** The assertions of `sockscope run`: bounds given on the command line, judged on what the run measured. */
import type { RunAssertion } from '../../../shared/model/run-report'

/** The bounds asked for; an absent one is not checked. */
export interface RunBounds {
  /** CLOSE_WAIT sockets the tree may hold at once. */
  readonly maxCloseWait?: number
  /** Sockets the tree's processes may hold open at once. */
  readonly maxSockets?: number
  /** Share of its soft fd limit, in percent, any process of the tree may reach. */
  readonly maxFdPercent?: number
  /** Sockets per minute the held sockets may grow by (Theil–Sen slope over the run). */
  readonly maxGrowth?: number
  /** Any finding of the leak detector fails the run. */
  readonly failOnFindings?: boolean
}

/** What the run measured for the bounds. */
export interface RunMeasures {
  readonly peakCloseWait: number
  readonly peakHeldSockets: number
  /** The highest fd use against a known soft limit, in percent; null when no limit was known. */
  readonly peakFdPercent: number | null
  readonly fdProcess: string | null
  readonly growthPerMinute: number | null
  readonly findings: number
}

/** Every bound given, in a fixed order, each passed or broken. A value equal to its bound passes. */
export function judgeBounds(bounds: RunBounds, measures: RunMeasures): RunAssertion[] {
  const results: RunAssertion[] = []
  if (bounds.maxCloseWait !== undefined) {
    const passed = measures.peakCloseWait <= bounds.maxCloseWait
    results.push({
      name: 'max-close-wait',
      limit: bounds.maxCloseWait,
      observed: measures.peakCloseWait,
      passed,
      message: `at most ${measures.peakCloseWait} sockets in CLOSE_WAIT at once; the bound is ${bounds.maxCloseWait}.`
    })
  }
  if (bounds.maxSockets !== undefined) {
    results.push({
      name: 'max-sockets',
      limit: bounds.maxSockets,
      observed: measures.peakHeldSockets,
      passed: measures.peakHeldSockets <= bounds.maxSockets,
      message: `at most ${measures.peakHeldSockets} sockets held open at once; the bound is ${bounds.maxSockets}.`
    })
  }
  if (bounds.maxFdPercent !== undefined) {
    const observed = measures.peakFdPercent
    results.push({
      name: 'max-fd-percent',
      limit: bounds.maxFdPercent,
      observed,
      passed: observed === null || observed <= bounds.maxFdPercent,
      message:
        observed === null
          ? `no process of the tree had a known soft fd limit, so fd use could not be judged; the bound is ${bounds.maxFdPercent} %.`
          : `${measures.fdProcess ?? 'a process'} used up to ${observed} % of its soft fd limit; the bound is ${bounds.maxFdPercent} %.`
    })
  }
  if (bounds.maxGrowth !== undefined) {
    const observed = measures.growthPerMinute
    results.push({
      name: 'max-growth',
      limit: bounds.maxGrowth,
      observed,
      passed: observed === null || observed <= bounds.maxGrowth,
      message:
        observed === null
          ? `fewer than three samples, too few for a trend; the bound is ${bounds.maxGrowth} sockets a minute.`
          : `held sockets grew by about ${observed} a minute over the run; the bound is ${bounds.maxGrowth}.`
    })
  }
  if (bounds.failOnFindings) {
    results.push({
      name: 'fail-on-findings',
      limit: 0,
      observed: measures.findings,
      passed: measures.findings === 0,
      message: measures.findings === 0 ? 'the leak detector found nothing.' : `the leak detector reported ${measures.findings} finding${measures.findings === 1 ? '' : 's'}.`
    })
  }
  return results
}
