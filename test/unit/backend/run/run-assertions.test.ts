import { describe, expect, it } from 'vitest'
import { judgeBounds, type RunMeasures } from '../../../../electron/backend/run/run-assertions'
import { elementAt } from '../../../../shared/element-at'

const measures: RunMeasures = { peakCloseWait: 5, peakHeldSockets: 40, peakFdPercent: 80, fdProcess: 'node (pid 7)', growthPerMinute: 12.5, findings: 0 }

function passed(bounds: Parameters<typeof judgeBounds>[0], changed: Partial<RunMeasures> = {}): boolean[] {
  return judgeBounds(bounds, { ...measures, ...changed }).map((assertion) => assertion.passed)
}

describe('run assertions', () => {
  it('checks only the bounds given, in a fixed order', () => {
    expect(judgeBounds({}, measures)).toEqual([])
    const all = judgeBounds({ failOnFindings: true, maxGrowth: 20, maxFdPercent: 90, maxSockets: 50, maxCloseWait: 9 }, measures)
    expect(all.map((assertion) => assertion.name)).toEqual(['max-close-wait', 'max-sockets', 'max-fd-percent', 'max-growth', 'fail-on-findings'])
  })

  it('--max-close-wait passes at the bound and fails one above it', () => {
    expect(passed({ maxCloseWait: 5 })).toEqual([true])
    expect(passed({ maxCloseWait: 4 })).toEqual([false])
    expect(judgeBounds({ maxCloseWait: 4 }, measures)[0]).toMatchObject({ limit: 4, observed: 5, message: 'at most 5 sockets in CLOSE_WAIT at once; the bound is 4.' })
  })

  it('--max-sockets passes at the bound and fails one above it', () => {
    expect(passed({ maxSockets: 40 })).toEqual([true])
    expect(passed({ maxSockets: 39 })).toEqual([false])
  })

  it('--max-fd-percent passes at the bound and fails just above it, and cannot fail without a known limit', () => {
    expect(passed({ maxFdPercent: 80 })).toEqual([true])
    expect(passed({ maxFdPercent: 79.9 })).toEqual([false])
    expect(elementAt(judgeBounds({ maxFdPercent: 79.9 }, measures), 0).message).toBe('node (pid 7) used up to 80 % of its soft fd limit; the bound is 79.9 %.')
    expect(judgeBounds({ maxFdPercent: 1 }, { ...measures, peakFdPercent: null })[0]).toMatchObject({ passed: true, observed: null })
  })

  it('--max-growth passes at the bound and fails just above it, and passes with too few samples for a trend', () => {
    expect(passed({ maxGrowth: 12.5 })).toEqual([true])
    expect(passed({ maxGrowth: 12.4 })).toEqual([false])
    expect(judgeBounds({ maxGrowth: 0 }, { ...measures, growthPerMinute: null })[0]).toMatchObject({ passed: true, observed: null })
  })

  it('--fail-on-findings passes with none and fails with one', () => {
    expect(passed({ failOnFindings: true })).toEqual([true])
    expect(passed({ failOnFindings: true }, { findings: 1 })).toEqual([false])
    expect(judgeBounds({ failOnFindings: false }, { ...measures, findings: 3 })).toEqual([])
  })
})
