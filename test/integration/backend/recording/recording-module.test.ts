/*
 * The recording domain through the backend's own request entry, on the live socket monitor: a
 * recording starts, stops, is listed, reopens for scrubbing and diffing (the history domain then
 * charts it), and exports; names that would leave the recordings folder are refused.
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
const statuses: EventPayload<'recording/status'>[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-recording-module-'))
  backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: directory })
  backend.subscribe((event, payload) => {
    if (event === 'history/tick') ticks.push(payload as EventPayload<'history/tick'>)
    if (event === 'recording/status') statuses.push(payload as EventPayload<'recording/status'>)
  })
})

afterAll(async () => {
  await backend.dispose()
  await rm(directory, { recursive: true, force: true })
})

describe.skipIf(process.platform !== 'linux')('recording module', () => {
  it('records, lists, reopens, scrubs, diffs and exports', async () => {
    expect((await refusal(backend, 'recording/at', { time: 0 })).code).toBe('not-found')
    const started = await ask(backend, 'recording/start', { name: 'session.sockscope.gz' })
    expect(started).toMatchObject({ recording: true, name: 'session.sockscope.gz' })
    expect(statuses.at(-1)).toEqual(started)
    expect((await refusal(backend, 'recording/start', {})).code).toBe('busy')
    const before = ticks.length
    await expect.poll(() => ticks.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 6)
    // While it records, the status goes out every fifth tick with the ticks written so far.
    expect(statuses.some((status) => status.recording && status.ticks === 5)).toBe(true)
    const stopped = await ask(backend, 'recording/stop', {})
    expect(stopped.recording).toBe(false)
    expect((await refusal(backend, 'recording/start', { name: 'session.sockscope.gz' })).code).toBe('busy')

    const files = await ask(backend, 'recording/list', {})
    expect(files.map((file) => file.name)).toContain('session.sockscope.gz')
    const info = await ask(backend, 'recording/open', { name: 'session.sockscope.gz' })
    expect(info.frames).toBeGreaterThanOrEqual(3)
    expect(info.problem).toBeNull()
    const [start, end] = [info.start ?? 0, info.end ?? 0]

    const moment = await ask(backend, 'recording/at', { time: end })
    expect(moment.takenAt).toBe(end)
    expect(moment.sockets.length).toBeGreaterThan(0)
    const diff = await ask(backend, 'recording/diff', { from: start, to: end })
    expect(diff).toMatchObject({ from: start, to: end })
    const series = await ask(backend, 'history/series', { kind: 'states', source: 'recording' })
    expect(series.times.length).toBe(info.frames)

    const csv = await ask(backend, 'recording/export-table', { source: 'recording', time: start, format: 'csv' })
    expect(csv.mimeType).toBe('text/csv')
    expect(csv.fileName).toMatch(/^sockets-.*\.csv$/)
    expect(csv.text.split('\r\n')[0]).toMatch(/^protocol,family,local_address/)
    const live = await ask(backend, 'recording/export-table', { format: 'json' })
    expect(JSON.parse(live.text).sockets.length).toBeGreaterThan(0)
    const diffJson = await ask(backend, 'recording/export-diff', { from: start, to: end, format: 'json' })
    expect(Object.keys(JSON.parse(diffJson.text))).toEqual(['from', 'to', 'opened', 'closed', 'changed'])

    await ask(backend, 'recording/close', {})
    expect((await refusal(backend, 'history/series', { kind: 'states', source: 'recording' })).code).toBe('not-found')
    expect((await refusal(backend, 'recording/open', { name: 'missing.sockscope.gz' })).code).toBe('not-found')
  })

  it('refuses recording names that would leave the recordings folder', async () => {
    for (const name of ['../leak-settings.json', '/etc/passwd', '.hidden', 'a/b', '']) {
      expect((await refusal(backend, 'recording/open', { name })).code).toBe('invalid-arguments')
      expect((await refusal(backend, 'recording/start', { name })).code).toBe('invalid-arguments')
    }
  })
})
