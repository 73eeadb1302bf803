/*
 * The history domain through the backend's own request entry, on the live socket monitor: a tick
 * is pushed per monitor tick, series and gauges fill up, and the history holds the chosen minutes.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../../../shared/contract'
import { createBackend, type Backend } from '../../../../electron/backend'
import { ask, refusal } from '../../../support/backend-requests'

let directory = ''
let backend: Backend
const ticks: EventPayload<'history/tick'>[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-history-module-'))
  backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: directory })
  backend.subscribe((event, payload) => {
    if (event === 'history/tick') ticks.push(payload as EventPayload<'history/tick'>)
  })
})

afterAll(async () => {
  await backend.dispose()
  await rm(directory, { recursive: true, force: true })
})

describe.skipIf(process.platform !== 'linux')('history module', () => {
  it('pushes a tick per monitor tick and answers series and the latest point', async () => {
    await expect.poll(() => ticks.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    const states = await ask(backend, 'history/series', { kind: 'states', maxPoints: 100 })
    expect(states.times.length).toBeGreaterThanOrEqual(3)
    expect(states.series.some((series) => series.key === 'LISTEN' || series.key === 'ESTABLISHED')).toBe(true)
    const latest = await ask(backend, 'history/latest', {})
    expect(latest.info.points).toBeGreaterThanOrEqual(3)
    // This test process holds sockets (the provider's own reads, vitest's pipes), so it is followed.
    expect(latest.sample?.processes.length).toBeGreaterThan(0)
    const windowed = await ask(backend, 'history/series', { kind: 'interfaces', windowMs: 1000 })
    expect(windowed.times.length).toBeLessThanOrEqual(7)
  })

  it('refuses the recording as a source while none is open', async () => {
    expect((await refusal(backend, 'history/series', { kind: 'states', source: 'recording' })).code).toBe('not-found')
    expect((await refusal(backend, 'history/latest', { source: 'recording' })).code).toBe('not-found')
  })
})

describe('history length', () => {
  it('holds the chosen minutes at the poll interval', async () => {
    const sized = createBackend({ intervalMs: 500, historyMinutes: 2, resolveNames: false, autoStart: false, dataDirectory: directory })
    try {
      expect((await ask(sized, 'history/latest', {})).info.capacity).toBe(240)
    } finally {
      await sized.dispose()
    }
  })
})

describe('history length at a fast interval', () => {
  it('never keeps more than four hours of one-second points', async () => {
    const sized = createBackend({ intervalMs: 100, historyMinutes: 240, resolveNames: false, autoStart: false, dataDirectory: directory })
    try {
      expect((await ask(sized, 'history/latest', {})).info.capacity).toBe(14_400)
    } finally {
      await sized.dispose()
    }
  })
})
