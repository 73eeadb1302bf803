/*
 * The history domain through the backend's own request entry, on the live socket monitor:
 * series and gauges fill up, settings persist, a recording starts, stops, reopens and exports,
 * names that would leave the recordings folder are refused, and a leaking program's findings
 * are pushed as events.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../../../shared/contract'
import type { Envelope } from '../../../../shared/contract/envelope'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import { startProgram, stopPrograms } from '../../../support/test-programs'

let directory = ''
let backend: Backend
const ticks: EventPayload<'history/tick'>[] = []
const findingEvents: EventPayload<'leaks/findings'>[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-history-module-'))
  backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: directory })
  backend.subscribe((event, payload) => {
    if (event === 'history/tick') ticks.push(payload as EventPayload<'history/tick'>)
    if (event === 'leaks/findings') findingEvents.push(payload as EventPayload<'leaks/findings'>)
  })
})

afterAll(async () => {
  await backend.dispose()
  await stopPrograms()
  await rm(directory, { recursive: true, force: true })
})

async function ask<T>(channel: string, args: unknown): Promise<T> {
  const answer = (await backend.handle(channel, args)) as Envelope<T>
  if (!answer.ok) throw new Error(`${channel}: ${answer.error.code}: ${answer.error.message}`)
  return answer.value
}

async function refused(channel: string, args: unknown): Promise<string> {
  const answer = await backend.handle(channel, args)
  if (answer.ok) throw new Error(`${channel} should have been refused`)
  return answer.error.code
}

describe.skipIf(process.platform !== 'linux')('history module', () => {
  it('pushes a tick per monitor tick and answers series and the latest point', async () => {
    await expect.poll(() => ticks.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    const states = await ask<{ times: number[]; series: { key: string; values: number[] }[] }>('history/series', { kind: 'states', maxPoints: 100 })
    expect(states.times.length).toBeGreaterThanOrEqual(3)
    expect(states.series.some((series) => series.key === 'LISTEN' || series.key === 'ESTABLISHED')).toBe(true)
    const latest = await ask<{ sample: { processes: { pid: number }[] }; info: { points: number } }>('history/latest', {})
    expect(latest.info.points).toBeGreaterThanOrEqual(3)
    // This test process holds sockets (the provider's own reads, vitest's pipes), so it is followed.
    expect(latest.sample.processes.length).toBeGreaterThan(0)
    const windowed = await ask<{ times: number[] }>('history/series', { kind: 'interfaces', windowMs: 1000 })
    expect(windowed.times.length).toBeLessThanOrEqual(7)
  })

  it('validates, applies and saves leak settings', async () => {
    expect(await refused('leaks/update-settings', { fdLimitRatio: 3 })).toBe('invalid-arguments')
    expect(await refused('leaks/update-settings', { madeUp: 1 })).toBe('invalid-arguments')
    const updated = await ask<{ fdLimitRatio: number; notify: boolean }>('leaks/update-settings', { fdLimitRatio: 0.7, notify: false })
    expect(updated).toMatchObject({ fdLimitRatio: 0.7, notify: false })
    expect(await ask('leaks/settings', {})).toEqual(updated)
    expect(JSON.parse(await readFile(join(directory, 'leak-settings.json'), 'utf8'))).toEqual(updated)
  })

  it('records, lists, reopens, scrubs, diffs and exports', async () => {
    expect(await refused('recording/at', { time: 0 })).toBe('not-found')
    const started = await ask<{ recording: boolean; name: string }>('recording/start', { name: 'session.sockscope.gz' })
    expect(started).toMatchObject({ recording: true, name: 'session.sockscope.gz' })
    expect(await refused('recording/start', {})).toBe('busy')
    const before = ticks.length
    await expect.poll(() => ticks.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 4)
    const stopped = await ask<{ recording: boolean }>('recording/stop', {})
    expect(stopped.recording).toBe(false)
    expect(await refused('recording/start', { name: 'session.sockscope.gz' })).toBe('busy')

    const files = await ask<{ name: string; bytes: number }[]>('recording/list', {})
    expect(files.map((file) => file.name)).toContain('session.sockscope.gz')
    const info = await ask<{ frames: number; start: number; end: number; problem: unknown }>('recording/open', { name: 'session.sockscope.gz' })
    expect(info.frames).toBeGreaterThanOrEqual(3)
    expect(info.problem).toBeNull()

    const moment = await ask<{ takenAt: number; sockets: unknown[]; findings: unknown[] }>('recording/at', { time: info.end })
    expect(moment.takenAt).toBe(info.end)
    expect(moment.sockets.length).toBeGreaterThan(0)
    const diff = await ask<{ from: number; to: number }>('recording/diff', { from: info.start, to: info.end })
    expect(diff).toMatchObject({ from: info.start, to: info.end })
    const series = await ask<{ times: number[] }>('history/series', { kind: 'states', source: 'recording' })
    expect(series.times.length).toBe(info.frames)

    const csv = await ask<{ fileName: string; mimeType: string; text: string }>('recording/export-table', { source: 'recording', time: info.start, format: 'csv' })
    expect(csv.mimeType).toBe('text/csv')
    expect(csv.fileName).toMatch(/^sockets-.*\.csv$/)
    expect(csv.text.split('\r\n')[0]).toMatch(/^protocol,family,local_address/)
    const live = await ask<{ text: string }>('recording/export-table', { format: 'json' })
    expect(JSON.parse(live.text).sockets.length).toBeGreaterThan(0)
    const diffJson = await ask<{ text: string }>('recording/export-diff', { from: info.start, to: info.end, format: 'json' })
    expect(Object.keys(JSON.parse(diffJson.text))).toEqual(['from', 'to', 'opened', 'closed', 'changed'])

    await ask('recording/close', {})
    expect(await refused('history/series', { kind: 'states', source: 'recording' })).toBe('not-found')
    expect(await refused('recording/open', { name: 'missing.sockscope.gz' })).toBe('not-found')
  })

  it('refuses recording names that would leave the recordings folder', async () => {
    for (const name of ['../leak-settings.json', '/etc/passwd', '.hidden', 'a/b', '']) {
      expect(await refused('recording/open', { name })).toBe('invalid-arguments')
      expect(await refused('recording/start', { name })).toBe('invalid-arguments')
    }
  })

  it('pushes findings for a leaking program', async () => {
    await ask('leaks/update-settings', {
      raiseAfterSeconds: 1,
      growthWindowSeconds: 10,
      growthMinimumDurationSeconds: 3,
      growthMinimumSlopePerMinute: 6,
      closeWaitMinimumAgeSeconds: 2
    })
    const server = await startProgram('closing-server.js')
    const leaky = await startProgram('leaky-client.js', [String(server.ready.port), '100', '1000'])
    const kinds = () =>
      new Set(findingEvents.flatMap((update) => update.appeared).filter((finding) => finding.process?.pid === leaky.pid).map((finding) => finding.kind))
    await expect.poll(() => [...kinds()].sort(), { timeout: 30_000 }).toEqual(['close-wait', 'growth'])
    const state = await ask<{ active: { kind: string; process: { pid: number } | null }[] }>('leaks/findings', {})
    expect(state.active.some((finding) => finding.kind === 'close-wait' && finding.process?.pid === leaky.pid)).toBe(true)
  }, 40_000)
})

describe('history length', () => {
  it('holds the chosen minutes at the poll interval', async () => {
    const sized = createBackend({ intervalMs: 500, historyMinutes: 2, resolveNames: false, autoStart: false, dataDirectory: directory })
    try {
      const answer = (await sized.handle('history/latest', {})) as Envelope<{ info: { capacity: number } }>
      expect(answer.ok && answer.value.info.capacity).toBe(240)
    } finally {
      await sized.dispose()
    }
  })
})

describe('history length at a fast interval', () => {
  it('never keeps more than four hours of one-second points', async () => {
    const sized = createBackend({ intervalMs: 100, historyMinutes: 240, resolveNames: false, autoStart: false, dataDirectory: directory })
    try {
      const answer = (await sized.handle('history/latest', {})) as Envelope<{ info: { capacity: number } }>
      expect(answer.ok && answer.value.info.capacity).toBe(14_400)
    } finally {
      await sized.dispose()
    }
  })
})
