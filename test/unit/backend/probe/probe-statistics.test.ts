import { describe, expect, it } from 'vitest'
import { computeProbeStatistics, ProbeStatisticsAccumulator } from '../../../../electron/backend/probe/probe-statistics'
import { PROBE_LIMITS } from '../../../../shared/model/probe'

const ok = (latencyMs: number) => ({ ok: true, latencyMs })
const lost = { ok: false, latencyMs: null }

describe('computeProbeStatistics', () => {
  it('gives zeros and nulls for no samples', () => {
    expect(computeProbeStatistics([])).toEqual({
      sent: 0,
      received: 0,
      lost: 0,
      lossPercent: 0,
      minMs: null,
      avgMs: null,
      maxMs: null,
      p95Ms: null,
      jitterMs: null
    })
  })

  it('computes loss, range, mean, p95 and jitter, skipping lost samples for jitter', () => {
    expect(computeProbeStatistics([ok(10), ok(20), ok(30), lost, ok(40)])).toEqual({
      sent: 5,
      received: 4,
      lost: 1,
      lossPercent: 20,
      minMs: 10,
      avgMs: 25,
      maxMs: 40,
      p95Ms: 40,
      jitterMs: 10
    })
  })

  it('uses the nearest-rank 95th percentile', () => {
    const samples = Array.from({ length: 20 }, (_, index) => ok(20 - index))
    expect(computeProbeStatistics(samples).p95Ms).toBe(19)
    const hundred = Array.from({ length: 100 }, (_, index) => ok(index + 1))
    expect(computeProbeStatistics(hundred).p95Ms).toBe(95)
    expect(computeProbeStatistics([ok(7)]).p95Ms).toBe(7)
  })

  it('needs two successes for jitter and averages absolute differences', () => {
    expect(computeProbeStatistics([ok(5)]).jitterMs).toBeNull()
    expect(computeProbeStatistics([ok(1), ok(4), ok(2), ok(2)]).jitterMs).toBeCloseTo((3 + 2 + 0) / 3, 3)
  })

  it('reports all-lost runs as 100 % loss', () => {
    expect(computeProbeStatistics([lost, lost, lost])).toMatchObject({ lossPercent: 100, minMs: null, jitterMs: null })
    expect(computeProbeStatistics([lost, ok(1), lost]).lossPercent).toBeCloseTo(66.667, 3)
  })

  it('keeps a correct sorted order while growing past its initial buffer', () => {
    const accumulator = new ProbeStatisticsAccumulator()
    const values = Array.from({ length: 1000 }, (_, index) => (index * 7919) % 1000)
    for (const value of values) accumulator.add(ok(value))
    expect(accumulator.snapshot()).toMatchObject({ minMs: 0, maxMs: 999, p95Ms: 949, avgMs: 499.5 })
  })
})

describe('a run that goes on until stopped', () => {
  it('keeps a bounded p95 window while count, loss, min, max and average stay exact', () => {
    const accumulator = new ProbeStatisticsAccumulator()
    const window = PROBE_LIMITS.keptSamples
    let sum = 0
    let received = 0
    // 50,000 samples: every tenth lost; 40,000 at 1000 ms with one 0.5 ms outlier, then a ramp.
    for (let index = 0; index < 50_000; index += 1) {
      if (index % 10 === 9) {
        accumulator.add(lost)
        continue
      }
      const latency = index === 3 ? 0.5 : index < 40_000 ? 1000 : 1000 + (index - 40_000)
      accumulator.add(ok(latency))
      sum += latency
      received += 1
      expect(accumulator.keptLatencies).toBeLessThanOrEqual(window)
    }
    expect(accumulator.keptLatencies).toBe(window)
    const statistics = accumulator.snapshot()
    expect(statistics).toMatchObject({ sent: 50_000, received: 45_000, lost: 5_000, lossPercent: 10, minMs: 0.5, maxMs: 10_998 })
    expect(statistics.avgMs).toBeCloseTo(sum / received, 3)
    // The window holds the last 10,000 successes, so p95 follows the ramp, not the long flat start.
    const recent: number[] = []
    for (let index = 49_999; index >= 0 && recent.length < window; index -= 1) {
      if (index % 10 !== 9) recent.push(index === 3 ? 0.5 : index < 40_000 ? 1000 : 1000 + (index - 40_000))
    }
    recent.sort((first, second) => first - second)
    expect(statistics.p95Ms).toBe(recent[Math.ceil(0.95 * window) - 1])
  })

  it('gives the same p95 as sorting the window, before and after it fills', () => {
    const accumulator = new ProbeStatisticsAccumulator(50)
    const values = Array.from({ length: 200 }, (_, index) => (index * 37) % 101)
    values.forEach((value, index) => {
      accumulator.add(ok(value))
      const window = values.slice(Math.max(0, index + 1 - 50), index + 1).sort((first, second) => first - second)
      expect(accumulator.snapshot().p95Ms).toBe(window[Math.ceil(0.95 * window.length) - 1])
    })
    expect(accumulator.keptLatencies).toBe(50)
  })
})
