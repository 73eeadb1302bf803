/**
 * Running statistics over repeated probe samples: loss, min/avg/max, the 95th percentile and
 * jitter, updated per sample without re-sorting the whole history.
 */
import type { ProbeStatistics } from '../../../shared/model/probe'
import { roundMilliseconds } from './probe-clock'

/** The part of a sample the statistics need. */
export interface LatencySample {
  readonly ok: boolean
  readonly latencyMs: number | null
}

/**
 * Accumulates samples one at a time.
 *
 * Latencies cover successful samples only. p95 uses the nearest-rank method (the smallest
 * value with at least 95 % of the samples at or below it), read from a sorted copy kept by
 * binary insertion. Jitter is the mean absolute difference between consecutive successful
 * latencies; a lost sample is skipped rather than breaking the pair, following the idea of
 * RFC 3550's interarrival jitter without its 1/16 smoothing, so every pair weighs the same.
 */
export class ProbeStatisticsAccumulator {
  private sent = 0
  private received = 0
  private sum = 0
  private minimum = Number.POSITIVE_INFINITY
  private maximum = Number.NEGATIVE_INFINITY
  private sorted = new Float64Array(64)
  private previousLatency: number | null = null
  private differenceSum = 0
  private differenceCount = 0

  /** Count one sample. */
  add(sample: LatencySample): void {
    this.sent += 1
    if (!sample.ok || sample.latencyMs === null) return
    const latency = sample.latencyMs
    this.received += 1
    this.sum += latency
    this.minimum = Math.min(this.minimum, latency)
    this.maximum = Math.max(this.maximum, latency)
    this.insertSorted(latency)
    if (this.previousLatency !== null) {
      this.differenceSum += Math.abs(latency - this.previousLatency)
      this.differenceCount += 1
    }
    this.previousLatency = latency
  }

  private insertSorted(latency: number): void {
    const count = this.received - 1
    if (count === this.sorted.length) {
      const grown = new Float64Array(this.sorted.length * 2)
      grown.set(this.sorted)
      this.sorted = grown
    }
    let low = 0
    let high = count
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.sorted[middle] <= latency) low = middle + 1
      else high = middle
    }
    this.sorted.copyWithin(low + 1, low, count)
    this.sorted[low] = latency
  }

  /** The figures so far. */
  snapshot(): ProbeStatistics {
    const lost = this.sent - this.received
    const hasLatency = this.received > 0
    return {
      sent: this.sent,
      received: this.received,
      lost,
      lossPercent: this.sent === 0 ? 0 : Math.round((lost / this.sent) * 100_000) / 1000,
      minMs: hasLatency ? roundMilliseconds(this.minimum) : null,
      avgMs: hasLatency ? roundMilliseconds(this.sum / this.received) : null,
      maxMs: hasLatency ? roundMilliseconds(this.maximum) : null,
      p95Ms: hasLatency ? roundMilliseconds(this.sorted[Math.ceil(0.95 * this.received) - 1]) : null,
      jitterMs: this.differenceCount > 0 ? roundMilliseconds(this.differenceSum / this.differenceCount) : null
    }
  }
}

/** Statistics over a whole list of samples at once. */
export function computeProbeStatistics(samples: readonly LatencySample[]): ProbeStatistics {
  const accumulator = new ProbeStatisticsAccumulator()
  for (const sample of samples) accumulator.add(sample)
  return accumulator.snapshot()
}
