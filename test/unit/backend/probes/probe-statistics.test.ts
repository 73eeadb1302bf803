import { describe, expect, it } from 'vitest'
import { computeProbeStatistics, ProbeStatisticsAccumulator } from '../../../../electron/backend/probes/probe-statistics'

const ok = (latencyMs: number) => ({ ok: true, latencyMs })
const lost = { ok: false, latencyMs: null }

describe('computeProbeStatistics', () => {
  it('gives zeros and nulls for no samples', () => {
    expect(computeProbeStatistics([])).toEqual({
      sent: 0, received: 0, lost: 0, lossPercent: 0, minMs: null, avgMs: null, maxMs: null, p95Ms: null, jitterMs: null
    })
  })

  it('computes loss, range, mean, p95 and jitter, skipping lost samples for jitter', () => {
    expect(computeProbeStatistics([ok(10), ok(20), ok(30), lost, ok(40)])).toEqual({
      sent: 5, received: 4, lost: 1, lossPercent: 20, minMs: 10, avgMs: 25, maxMs: 40, p95Ms: 40, jitterMs: 10
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
