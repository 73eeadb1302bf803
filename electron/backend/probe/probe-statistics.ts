/**
 * Running statistics over repeated probe samples: loss, min/avg/max, the 95th percentile and
 * jitter, updated per sample without re-sorting, in memory bounded however long a run lasts.
 */
import { PROBE_LIMITS, type ProbeStatistics } from '../../../shared/model/probe'
import { roundMilliseconds } from './probe-clock'
import { elementAt } from '../../../shared/element-at'

/** The part of a sample the statistics need. */
export interface LatencySample {
  readonly ok: boolean
  readonly latencyMs: number | null
}

/**
 * Accumulates samples one at a time.
 *
 * Latencies cover successful samples only. Counts, loss, min, max, average and jitter are
 * exact over the whole run in constant memory. p95 needs the samples themselves, so it covers
 * the most recent `windowSize` successful latencies (PROBE_LIMITS.keptSamples by default): a
 * probe left running for days keeps a bounded window. It uses the nearest-rank method (the
 * smallest value with at least 95 % of the window at or below it), read from a sorted copy of
 * the window kept by binary insertion and removal. Jitter is the mean absolute difference
 * between consecutive successful latencies; a lost sample is skipped rather than breaking the
 * pair, following the idea of RFC 3550's interarrival jitter without its 1/16 smoothing, so
 * every pair weighs the same.
 */
export class ProbeStatisticsAccumulator {
  private sent = 0
  private received = 0
  private sum = 0
  private minimum = Number.POSITIVE_INFINITY
  private maximum = Number.NEGATIVE_INFINITY
  private readonly windowSize: number
  /** The window's latencies in arrival order, as a ring; `oldest` is where the next one overwrites. */
  private arrivals: Float64Array
  private oldest = 0
  /** The window's latencies in ascending order; the first `kept` entries are used. */
  private sorted: Float64Array
  private kept = 0
  private previousLatency: number | null = null
  private differenceSum = 0
  private differenceCount = 0

  constructor(windowSize: number = PROBE_LIMITS.keptSamples) {
    this.windowSize = Math.max(1, Math.floor(windowSize))
    const initial = Math.min(64, this.windowSize)
    this.arrivals = new Float64Array(initial)
    this.sorted = new Float64Array(initial)
  }

  /** How many latencies the p95 window holds now; never more than the window size. */
  get keptLatencies(): number {
    return this.kept
  }

  /** Count one sample. */
  add(sample: LatencySample): void {
    this.sent += 1
    if (!sample.ok || sample.latencyMs === null) return
    const latency = sample.latencyMs
    this.received += 1
    this.sum += latency
    this.minimum = Math.min(this.minimum, latency)
    this.maximum = Math.max(this.maximum, latency)
    this.keep(latency)
    if (this.previousLatency !== null) {
      this.differenceSum += Math.abs(latency - this.previousLatency)
      this.differenceCount += 1
    }
    this.previousLatency = latency
  }

  private keep(latency: number): void {
    if (this.kept === this.windowSize) {
      // Full: the newest replaces the oldest, in the ring and in the sorted copy.
      this.removeSorted(elementAt(this.arrivals, this.oldest))
      this.arrivals[this.oldest] = latency
      this.oldest = (this.oldest + 1) % this.windowSize
    } else {
      if (this.kept === this.arrivals.length) {
        const capacity = Math.min(this.windowSize, this.arrivals.length * 2)
        const arrivals = new Float64Array(capacity)
        arrivals.set(this.arrivals)
        this.arrivals = arrivals
        const sorted = new Float64Array(capacity)
        sorted.set(this.sorted)
        this.sorted = sorted
      }
      this.arrivals[this.kept] = latency
    }
    this.insertSorted(latency)
  }

  /** The first position whose value is greater than `latency` (with `orEqual`, at least `latency`). */
  private searchSorted(latency: number, orEqual: boolean): number {
    let low = 0
    let high = this.kept
    while (low < high) {
      const middle = (low + high) >>> 1
      const value = elementAt(this.sorted, middle)
      if (value < latency || (!orEqual && value === latency)) low = middle + 1
      else high = middle
    }
    return low
  }

  private insertSorted(latency: number): void {
    const position = this.searchSorted(latency, false)
    this.sorted.copyWithin(position + 1, position, this.kept)
    this.sorted[position] = latency
    this.kept += 1
  }

  private removeSorted(latency: number): void {
    const position = this.searchSorted(latency, true)
    this.sorted.copyWithin(position, position + 1, this.kept)
    this.kept -= 1
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
      p95Ms: hasLatency ? roundMilliseconds(elementAt(this.sorted, Math.ceil(0.95 * this.kept) - 1)) : null,
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
