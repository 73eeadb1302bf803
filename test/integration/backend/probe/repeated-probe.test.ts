import { afterEach, describe, expect, it } from 'vitest'
import { startRepeatedProbe } from '../../../../electron/backend/probe/repeated-probe'
import { computeProbeStatistics } from '../../../../electron/backend/probe/probe-statistics'
import type { RepeatedProbeUpdate } from '../../../../shared/model/probe'
import { closedTcpPort, startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { elementAt } from '../../../../shared/element-at'

describe('startRepeatedProbe against real loopback servers', () => {
  let server: LoopbackTcpServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  it('takes exactly count samples and reports statistics that match them', async () => {
    server = await startTcpServer()
    const updates: RepeatedProbeUpdate[] = []
    const startedAt = performance.now()
    const run = startRepeatedProbe({ host: '127.0.0.1', port: server.port, count: 10, intervalMs: 20 }, { runId: 'run-1', onSample: (update) => updates.push(update) })
    const summary = await run.finished
    const elapsedMs = performance.now() - startedAt
    expect(summary.runId).toBe('run-1')
    expect(summary.endedBy).toBe('count')
    expect(summary.error).toBeNull()
    expect(summary.address).toBe('127.0.0.1')
    expect(summary.samples.map((sample) => sample.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(summary.samples.every((sample) => sample.ok && sample.latencyMs !== null)).toBe(true)
    expect(server.accepted).toHaveLength(10)
    expect(updates).toHaveLength(10)
    expect(updates.map((update) => update.statistics.sent)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    const latencies = summary.samples.map((sample) => sample.latencyMs ?? Number.NaN)
    // Each latency is a real connect, so above zero, and the ten fit in the time the run took.
    for (const latency of latencies) expect(latency).toBeGreaterThan(0)
    expect(latencies.reduce((sum, value) => sum + value, 0)).toBeLessThanOrEqual(elapsedMs)
    // Attempts start an interval apart (wall-clock stamps, so within a millisecond of it).
    const starts = summary.samples.map((sample) => sample.at)
    for (let index = 1; index < starts.length; index++) expect(elementAt(starts, index) - elementAt(starts, index - 1)).toBeGreaterThanOrEqual(20 - 1)
    const statistics = summary.statistics
    expect(statistics).toMatchObject({ sent: 10, received: 10, lost: 0, lossPercent: 0 })
    expect(statistics.minMs).toBe(Math.min(...latencies))
    expect(statistics.maxMs).toBe(Math.max(...latencies))
    const mean = latencies.reduce((sum, value) => sum + value, 0) / 10
    expect(statistics.avgMs).toBeCloseTo(mean, 2)
    // Nearest rank: the 10th of 10 sorted values is the 95th percentile.
    expect(statistics.p95Ms).toBe([...latencies].sort((first, second) => first - second)[9])
    const differences = latencies.slice(1).map((value, index) => Math.abs(value - elementAt(latencies, index)))
    expect(statistics.jitterMs).toBeCloseTo(differences.reduce((sum, value) => sum + value, 0) / 9, 2)
    expect(statistics).toEqual(computeProbeStatistics(summary.samples))
    expect(elementAt(updates, 9).statistics).toEqual(statistics)
  })

  it('counts every attempt to a closed port as lost', async () => {
    const port = await closedTcpPort()
    const summary = await startRepeatedProbe({ host: '127.0.0.1', port, count: 3, intervalMs: 10 }).finished
    expect(summary.statistics).toMatchObject({ sent: 3, received: 0, lost: 3, lossPercent: 100, minMs: null, p95Ms: null })
    expect(summary.samples.map((sample) => sample.error?.kind)).toEqual(['refused', 'refused', 'refused'])
  })

  it('runs until stopped when no count is given', async () => {
    server = await startTcpServer()
    const run = startRepeatedProbe(
      { host: '127.0.0.1', port: server.port, count: null, intervalMs: 10 },
      {
        onSample: (update) => {
          if (update.sample.sequence === 3) run.stop()
        }
      }
    )
    const summary = await run.finished
    expect(summary.endedBy).toBe('stopped')
    expect(summary.count).toBeNull()
    expect(summary.samples).toHaveLength(3)
  })

  it('fails at once on bad input or a name that does not resolve', async () => {
    const invalid = await startRepeatedProbe({ host: '127.0.0.1', port: 80, intervalMs: 0 }).finished
    expect(invalid).toMatchObject({ endedBy: 'failed', samples: [] })
    expect(invalid.error?.kind).toBe('invalid-input')
    const unresolved = await startRepeatedProbe({ host: 'nonexistent.invalid', port: 80, count: 2 }).finished
    expect(unresolved.endedBy).toBe('failed')
    expect(unresolved.error?.kind).toBe('dns')
  })
})
