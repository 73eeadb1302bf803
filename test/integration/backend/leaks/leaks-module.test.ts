/*
 * The leaks domain through the backend's own request entry, on the live socket monitor:
 * thresholds are checked, applied and saved in the data folder, and a leaking program's findings
 * are pushed as events and listed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../../../shared/contract'
import { createBackend, type Backend } from '../../../../electron/backend'
import { ask, refusal } from '../../../support/backend-requests'
import { startProgram, stopPrograms } from '../../../support/test-programs'

let directory = ''
let backend: Backend
const findingEvents: EventPayload<'leaks/findings'>[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-leaks-module-'))
  backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: directory })
  backend.subscribe((event, payload) => {
    if (event === 'leaks/findings') findingEvents.push(payload as EventPayload<'leaks/findings'>)
  })
})

afterAll(async () => {
  await backend.dispose()
  await stopPrograms()
  await rm(directory, { recursive: true, force: true })
})

describe.skipIf(process.platform !== 'linux')('leaks module', () => {
  it('validates, applies and saves leak settings', async () => {
    expect((await refusal(backend, 'leaks/update-settings', { fdLimitRatio: 3 })).code).toBe('invalid-arguments')
    expect((await refusal(backend, 'leaks/update-settings', { madeUp: 1 })).code).toBe('invalid-arguments')
    const updated = await ask(backend, 'leaks/update-settings', { fdLimitRatio: 0.7, notify: false })
    expect(updated).toMatchObject({ fdLimitRatio: 0.7, notify: false })
    expect(await ask(backend, 'leaks/settings', {})).toEqual(updated)
    expect(JSON.parse(await readFile(join(directory, 'leak-settings.json'), 'utf8'))).toEqual(updated)
  })

  it('reads the saved settings back when the next backend starts', async () => {
    await ask(backend, 'leaks/update-settings', { fdLimitRatio: 0.65 })
    const next = createBackend({ resolveNames: false, autoStart: false, dataDirectory: directory })
    try {
      expect(await ask(next, 'leaks/settings', {})).toMatchObject({ fdLimitRatio: 0.65 })
    } finally {
      await next.dispose()
    }
  })

  it('pushes findings for a leaking program', async () => {
    await ask(backend, 'leaks/update-settings', {
      raiseAfterSeconds: 1,
      growthWindowSeconds: 10,
      growthMinimumDurationSeconds: 3,
      growthMinimumSlopePerMinute: 6,
      closeWaitMinimumAgeSeconds: 2
    })
    const server = await startProgram('closing-server.js')
    const leaky = await startProgram('leaky-client.js', [String(server.ready.port), '100', '1000'])
    const kinds = () =>
      new Set(
        findingEvents
          .flatMap((update) => update.appeared)
          .filter((finding) => finding.process?.pid === leaky.pid)
          .map((finding) => finding.kind)
      )
    await expect.poll(() => [...kinds()].sort(), { timeout: 30_000 }).toEqual(['close-wait', 'growth'])
    const state = await ask(backend, 'leaks/findings', {})
    expect(state.active.some((finding) => finding.kind === 'close-wait' && finding.process?.pid === leaky.pid)).toBe(true)
  }, 40_000)
})
