/**
 * Repeated TCP connect probing, like tcping: one connect every interval, for a count or until
 * stopped, with statistics after every sample.
 */
import { randomUUID } from 'node:crypto'
import {
  PROBE_LIMITS,
  type DnsTiming,
  type ProbeError,
  type ProbeSample,
  type RepeatedProbeEnd,
  type RepeatedProbeRequest,
  type RepeatedProbeSummary,
  type RepeatedProbeUpdate
} from '../../../shared/model/probe'
import { checkRepeatedProbe } from '../../../shared/probe-request'
import { authorizeTarget, type TargetAuthorizer } from '../action-policy'
import { closeSocketGracefully } from './close-socket'
import { monotonicNow } from './probe-clock'
import { ProbeStatisticsAccumulator } from './probe-statistics'
import { resolveHost } from './resolve-host'
import { connectTcp } from './tcp-connect'

/** A running repeated probe. */
export interface RepeatedProbeRun {
  readonly runId: string
  /** Stop after the attempt in flight (which is cancelled, not counted). */
  stop(): void
  /** The state right now. */
  summary(): RepeatedProbeSummary
  /** Settles with the final summary when the run ends. Never rejects. */
  readonly finished: Promise<RepeatedProbeSummary>
  /**
   * Settles once the target is resolved and allowed, as the first attempt starts (or when the
   * run ends before that), so a caller can report a run that could not start. Never rejects.
   */
  readonly ready: Promise<void>
}

/** Options for {@link startRepeatedProbe}. */
export interface RepeatedProbeOptions {
  readonly runId?: string
  /** Called after every sample. */
  readonly onSample?: (update: RepeatedProbeUpdate) => void
  /** Sees the resolved address before the first attempt; without one, any target may be used. */
  readonly authorize?: TargetAuthorizer
}

/**
 * Start a repeated probe. The host is resolved once, then every attempt connects to its first
 * address, so the figures measure the path rather than the resolver. An attempt that outlasts
 * the interval delays the next one instead of overlapping it.
 */
export function startRepeatedProbe(request: RepeatedProbeRequest, options: RepeatedProbeOptions = {}): RepeatedProbeRun {
  const runId = options.runId ?? randomUUID()
  const controller = new AbortController()
  const statistics = new ProbeStatisticsAccumulator()
  const samples: ProbeSample[] = []
  const checked = checkRepeatedProbe(request)
  const startedAt = Date.now()
  let address: string | null = null
  let dns: DnsTiming | null = null
  let finishedAt: number | null = null
  let endedBy: RepeatedProbeEnd | null = null
  let error: ProbeError | null = null
  let markReady = (): void => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  const summary = (): RepeatedProbeSummary => ({
    runId,
    host: checked.ok ? checked.value.host : String(request.host),
    port: checked.ok ? checked.value.port : Number(request.port),
    address,
    intervalMs: checked.ok ? checked.value.intervalMs : Number(request.intervalMs ?? 0),
    count: checked.ok ? checked.value.count : (request.count ?? null),
    timeoutMs: checked.ok ? checked.value.timeoutMs : Number(request.timeoutMs ?? 0),
    dns,
    startedAt,
    finishedAt,
    endedBy,
    samples: [...samples],
    statistics: statistics.snapshot(),
    error
  })

  const run = async (): Promise<RepeatedProbeSummary> => {
    if (!checked.ok) {
      error = checked.error
      return end('failed')
    }
    const probe = checked.value
    const resolution = await resolveHost(probe.host, probe.timeoutMs, controller.signal)
    if (!resolution.ok) {
      error = resolution.error
      return end(resolution.error.kind === 'cancelled' ? 'stopped' : 'failed')
    }
    dns = resolution.dns
    const target = resolution.first
    address = target.address
    const refusal = await authorizeTarget(options.authorize, {
      action: 'repeated-probe',
      host: probe.host,
      addresses: [target.address],
      port: probe.port
    })
    if (refusal !== null) {
      error = refusal
      return end('failed')
    }
    if (controller.signal.aborted) return end('stopped')
    markReady()
    for (let sequence = 1; probe.count === null || sequence <= probe.count; sequence += 1) {
      const attemptStart = monotonicNow()
      const at = Date.now()
      const outcome = await connectTcp({ ...target, port: probe.port, timeoutMs: probe.timeoutMs, signal: controller.signal })
      if (outcome.socket !== null) closeSocketGracefully(outcome.socket)
      if (controller.signal.aborted) return end('stopped')
      const sample: ProbeSample = {
        sequence,
        at,
        ok: outcome.attempt.connected,
        latencyMs: outcome.attempt.connectMs,
        error: outcome.attempt.error
      }
      statistics.add(sample)
      samples.push(sample)
      if (samples.length > PROBE_LIMITS.keptSamples) samples.shift()
      options.onSample?.({ runId, sample, statistics: statistics.snapshot() })
      if (probe.count !== null && sequence === probe.count) break
      await pause(attemptStart + probe.intervalMs - monotonicNow(), controller.signal)
      if (controller.signal.aborted) return end('stopped')
    }
    return end('count')
  }

  const end = (reason: RepeatedProbeEnd): RepeatedProbeSummary => {
    endedBy = reason
    finishedAt = Date.now()
    markReady()
    return summary()
  }

  return { runId, stop: () => controller.abort(), summary, finished: run(), ready }
}

/** Wait, waking early when stopped. */
function pause(milliseconds: number, signal: AbortSignal): Promise<void> {
  if (milliseconds <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
