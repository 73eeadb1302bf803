/**
 * The probe domain behind the contract: one-shot TCP, TLS and UDP probes and repeated TCP
 * probes. Owns every repeated run and stops them all on dispose (app quit, end of `serve`).
 * Every target goes through the backend's remote-target gate before anything is sent.
 */
import { RequestError } from '../../../shared/contract/envelope'
import type { ProbeResult, ProbeSample, RepeatedProbeSampleBatch, RepeatedProbeSummary, ProbeStatistics } from '../../../shared/model/probe'
import type { BackendModuleFactory } from '../backend-module'
import { startRepeatedProbe, type RepeatedProbeRun } from './repeated-probe'
import { runTcpProbe } from './tcp-probe'
import { runTlsProbe } from './tls-probe'
import { runUdpProbe } from './udp-probe'

/** Repeated probes that may run at once. */
const MAXIMUM_RUNNING_REPEATS = 16
/** Ended runs kept for `probe/repeat-list`. */
const KEPT_ENDED_RUNS = 10
/** Samples are pushed at most this often per run. */
const SAMPLE_PUSH_INTERVAL_MS = 200

/**
 * A one-shot result, unless the policy refused its target: nothing was sent then, so the client
 * gets a refused request (with the sentence saying why) rather than a probe result.
 */
function unlessRefused<R extends ProbeResult>(result: R): R {
  if (result.error?.kind === 'not-allowed') throw new RequestError('permission-denied', result.error.message)
  return result
}

/** Serves `probe/*` and pushes `probe/samples` batches of running repeated probes. */
export const probeModule: BackendModuleFactory = (context) => {
  const shutdown = new AbortController()
  const gate = context.remoteTargets
  const runOptions = { signal: shutdown.signal, authorize: gate.authorize }
  const running = new Map<string, RepeatedProbeRun>()
  const ended: RepeatedProbeSummary[] = []
  const pending = new Map<string, { samples: ProbeSample[]; statistics: ProbeStatistics }>()
  let pushTimer: NodeJS.Timeout | null = null

  const flushSamples = (): void => {
    pushTimer = null
    for (const [runId, batch] of pending) {
      context.emit('probe/samples', { runId, samples: batch.samples, statistics: batch.statistics, endedBy: null, finishedAt: null })
    }
    pending.clear()
  }

  const queueSample = (runId: string, sample: ProbeSample, statistics: ProbeStatistics): void => {
    const batch = pending.get(runId) ?? { samples: [], statistics }
    batch.samples.push(sample)
    batch.statistics = statistics
    pending.set(runId, batch)
    if (pushTimer === null) pushTimer = setTimeout(flushSamples, SAMPLE_PUSH_INTERVAL_MS)
  }

  const finishRun = (summary: RepeatedProbeSummary): void => {
    running.delete(summary.runId)
    const batch = pending.get(summary.runId)
    pending.delete(summary.runId)
    const last: RepeatedProbeSampleBatch = {
      runId: summary.runId,
      samples: batch?.samples ?? [],
      statistics: summary.statistics,
      endedBy: summary.endedBy,
      finishedAt: summary.finishedAt
    }
    if (!shutdown.signal.aborted) context.emit('probe/samples', last)
    ended.unshift(summary)
    ended.splice(KEPT_ENDED_RUNS)
  }

  return {
    handlers: {
      'probe/policy': () => gate.view(),
      'probe/tcp': async (args) => unlessRefused(await runTcpProbe(args, runOptions)),
      'probe/tls': async (args) => unlessRefused(await runTlsProbe(args, runOptions)),
      'probe/udp': async (args) => unlessRefused(await runUdpProbe(args, runOptions)),
      'probe/repeat-start': async (args) => {
        if (running.size >= MAXIMUM_RUNNING_REPEATS) {
          throw new RequestError('busy', `${MAXIMUM_RUNNING_REPEATS} repeated probes are already running; stop one first.`)
        }
        const run = startRepeatedProbe(args, {
          onSample: (update) => queueSample(update.runId, update.sample, update.statistics),
          authorize: gate.authorize
        })
        running.set(run.runId, run)
        void run.finished.then(finishRun)
        // A run that cannot start (bad input, unknown name, a target the policy refuses) answers with its error.
        await run.ready
        const first = run.summary()
        if (first.error?.kind === 'invalid-input') throw new RequestError('invalid-arguments', first.error.message)
        if (first.error?.kind === 'not-allowed') throw new RequestError('permission-denied', first.error.message)
        return first
      },
      'probe/repeat-stop': async ({ runId }) => {
        const run = running.get(runId)
        if (run === undefined) {
          const done = ended.find((summary) => summary.runId === runId)
          if (done !== undefined) return done
          throw new RequestError('not-found', `No repeated probe with id ${runId}.`)
        }
        run.stop()
        return run.finished
      },
      'probe/repeat-list': () => [...[...running.values()].map((run) => run.summary()), ...ended]
    },
    async dispose() {
      shutdown.abort()
      if (pushTimer !== null) clearTimeout(pushTimer)
      pending.clear()
      for (const run of running.values()) run.stop()
      await Promise.all([...running.values()].map((run) => run.finished))
    }
  }
}
