/*
 * The detector on real processes: a client that never closes its connections to a server that
 * hangs up (growth and CLOSE_WAIT), a steady busy server (nothing), and a process started with
 * a low `ulimit -n` that opens files close to it (fd-limit). Socket tables come from the real
 * Linux provider, fds and limits from /proc.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Finding } from '../../../../shared/model/finding'
import { DEFAULT_LEAK_SETTINGS, type LeakSettings } from '../../../../shared/leak-settings'
import { createSocketProvider } from '../../../../electron/backend/platform/create-platform'
import { HistoryStore } from '../../../../electron/backend/history/history-store'
import { HistoryRecorder } from '../../../../electron/backend/history/history-recorder'
import { LeakDetector } from '../../../../electron/backend/leaks/leak-detector'
import { startProgram, stopPrograms } from '../../../support/test-programs'

/** Thresholds scaled down from minutes to seconds so the test is short; the logic is the same. */
const fastSettings: LeakSettings = {
  ...DEFAULT_LEAK_SETTINGS,
  raiseAfterSeconds: 1,
  clearAfterSeconds: 3,
  growthWindowSeconds: 10,
  growthMinimumDurationSeconds: 4,
  growthMinimumSlopePerMinute: 6,
  growthMinimumIncrease: 10,
  closeWaitMinimumAgeSeconds: 2,
  closeWaitMinimumCount: 5
}
const TICK_MS = 250

afterAll(stopPrograms)

/**
 * Polls the real socket table every TICK_MS and hands each tick's findings, with the time since
 * the first read, to `check` until it returns true. The detector's windows are in time, and a
 * loaded machine reads slowly, so `check` reasons in elapsed time rather than in ticks.
 */
async function watch(ticks: number, settings: LeakSettings, check: (active: readonly Finding[], elapsedMs: number, appeared: readonly Finding[]) => boolean): Promise<number> {
  const provider = createSocketProvider()
  const store = new HistoryStore({ capacity: 600 })
  const recorder = new HistoryRecorder(store)
  const detector = new LeakDetector(settings)
  let firstReadAt: number | null = null
  for (let tick = 1; tick <= ticks; tick++) {
    const read = await provider.read({ withProcesses: true })
    const takenAt = Date.now()
    firstReadAt ??= takenAt
    const { sample } = await recorder.record({ tick, takenAt, refreshMs: 0, ...read })
    const update = detector.evaluate({ history: store, sample, sockets: read.sockets })
    if (check(update.active, takenAt - firstReadAt, update.appeared)) return tick
    await new Promise((resolve) => setTimeout(resolve, TICK_MS))
  }
  return -1
}

describe.skipIf(process.platform !== 'linux')('leak detection on real processes', () => {
  it('reports growth and close-wait for the leaking client, and nothing for the steady server', async () => {
    const server = await startProgram('closing-server.js')
    const leaky = await startProgram('leaky-client.js', [String(server.ready.port), '100', '1000'])
    const steady = await startProgram('steady-server.js', ['300'])
    const seen: Finding[] = []
    const doneAt = await watch(120, fastSettings, (active, elapsedMs, appeared) => {
      seen.push(...appeared)
      const kinds = new Set(active.filter((finding) => finding.process?.pid === leaky.pid).map((finding) => finding.kind))
      // Keep watching past the growth window so the steady server has had every chance to trip.
      return kinds.has('growth') && kinds.has('close-wait') && elapsedMs >= 14_000
    })
    expect(doneAt, 'both findings within 120 ticks').toBeGreaterThan(0)

    const growth = seen.find((finding) => finding.kind === 'growth' && finding.process?.pid === leaky.pid)!
    expect(growth.process?.name).toBe('node')
    expect(growth.evidence.numbers.slopePerMinute).toBeGreaterThan(60)
    expect(growth.explanation).toMatch(/keeps opening|went from \d+ to \d+ sockets/)
    const closeWait = seen.find((finding) => finding.kind === 'close-wait' && finding.process?.pid === leaky.pid)!
    expect(closeWait.evidence.groups[0]).toEqual({ label: `127.0.0.1:${server.ready.port}`, count: expect.any(Number) })
    expect(closeWait.evidence.numbers.closeWaitAged).toBeGreaterThanOrEqual(5)
    expect(closeWait.explanation).toContain('never called close()')

    expect(seen.filter((finding) => finding.process?.pid === steady.pid)).toEqual([])
    expect(seen.filter((finding) => finding.process?.pid === server.pid)).toEqual([])
  }, 60_000)

  it('reports fd-limit for a process started with ulimit -n 64 that opens 58 files', async () => {
    const hog = await startProgram('fd-hog.js', ['58'], { fileLimit: 64 })
    expect(hog.ready.fds).toBe(58)
    let finding: Finding | undefined
    const doneAt = await watch(40, { ...fastSettings, fdLimitRatio: 0.8 }, (active) => {
      finding = active.find((entry) => entry.kind === 'fd-limit' && entry.process?.pid === hog.pid)
      return finding !== undefined
    })
    expect(doneAt).toBeGreaterThan(0)
    expect(finding?.evidence.numbers).toMatchObject({ fdCount: 58, fdSoftLimit: 64 })
    expect(finding?.severity).toBe('warning')
    expect(finding?.explanation).toContain('may open at most 64')
  }, 30_000)
})
