// @vitest-environment happy-dom
/**
 * The history, leaks and recording stores against a real backend in this process: series for
 * the charts, click-to-filter into the socket table, findings with notifications, and a
 * recording made, reopened and compared through the stores.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Finding } from '../../../shared/model/finding'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { setBackendClient } from '../../../renderer/src/transport'
import { toChartLines, useHistoryStore } from '../../../renderer/src/stores/history'
import { filterForFinding, useLeaksStore } from '../../../renderer/src/stores/leaks'
import { useRecordingStore } from '../../../renderer/src/stores/recording'
import { useSocketsStore } from '../../../renderer/src/stores/sockets'
import { useLayoutStore } from '../../../renderer/src/stores/layout'
import { createInProcessClient } from '../../support/in-process-client'

let backend: Backend
let directory = ''

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-stores-'))
  setActivePinia(createPinia())
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: directory })
  setBackendClient(createInProcessClient(backend))
})
afterEach(async () => {
  await backend.dispose()
  vi.unstubAllGlobals()
  await rm(directory, { recursive: true, force: true })
})

/** Runs `count` monitor ticks and waits until the history module has recorded each. */
async function ticks(count: number): Promise<void> {
  let seen = 0
  const stop = backend.subscribe((event) => {
    if (event === 'history/tick') seen++
  })
  for (let index = 0; index < count; index++) {
    await backend.sockets.refresh()
    await vi.waitFor(() => expect(seen).toBe(index + 1))
  }
  stop()
}

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'close-wait:77',
    kind: 'close-wait',
    process: { pid: 77, name: 'app' },
    severity: 'warning',
    since: 0,
    updatedAt: 0,
    clearedAt: null,
    title: 'app (pid 77) leaves connections in CLOSE_WAIT',
    explanation: 'The peer closed. More words.',
    advice: 'Close it.',
    evidence: { numbers: {}, series: null, groups: [{ label: '127.0.0.1:6379', count: 3 }] },
    ...overrides
  }
}

describe('useHistoryStore', () => {
  it('reads chart series from the history and filters the table on a click', async () => {
    const store = useHistoryStore()
    store.start()
    await ticks(3)
    store.setVisible(true)
    await store.refresh()
    expect(store.error).toBeNull()
    expect(store.states?.times).toHaveLength(3)
    expect(store.stateLines.length).toBeGreaterThan(0)
    expect(store.stateLines.every((line) => line.points.length === 3)).toBe(true)
    expect(store.latest?.sockets).toBeGreaterThan(0)

    store.filterSockets({ pid: 77, state: 'CLOSE_WAIT' })
    expect(useSocketsStore().filterText).toBe('pid:77 state:close_wait')
    expect(useLayoutStore().activeView).toBe('sockets')
  })

  it('turns series into chart points, leaving out unknown values', () => {
    const lines = toChartLines({ kind: 'file-descriptors', times: [1, 2, 3], series: [{ key: 'k', label: 'l', values: [null, 5, 6], pid: 9 }] })
    expect(lines).toEqual([
      {
        label: 'l',
        points: [
          { x: 2, y: 5 },
          { x: 3, y: 6 }
        ],
        pid: 9,
        state: undefined
      }
    ])
  })
})

describe('useLeaksStore', () => {
  it('keeps findings, notifies once per interval in web mode, and respects "notify" off', async () => {
    const shown: string[] = []
    vi.stubGlobal(
      'Notification',
      class {
        static permission = 'granted'
        constructor(title: string) {
          shown.push(title)
        }
      }
    )
    const store = useLeaksStore()
    await store.start()
    expect(store.settings?.notify).toBe(true)
    store.apply({ takenAt: 1, appeared: [finding()], cleared: [], active: [finding()] })
    expect(store.active).toHaveLength(1)
    expect(shown).toEqual(['app (pid 77) leaves connections in CLOSE_WAIT'])
    // A second finding right after waits for the interval.
    store.apply({ takenAt: 2, appeared: [finding({ id: 'growth:77', title: 'grows' })], cleared: [], active: [finding()] })
    expect(shown).toHaveLength(1)

    await store.updateSettings({ notify: false })
    store.apply({ takenAt: 3, appeared: [], cleared: [finding()], active: [] })
    expect(store.active).toEqual([])
    expect(store.recentlyCleared.map((entry) => entry.id)).toEqual(['close-wait:77'])
  })

  it('knows which table filter shows a finding', () => {
    expect(filterForFinding(finding())).toBe('pid:77 state:close_wait')
    expect(filterForFinding(finding({ kind: 'growth' }))).toBe('pid:77')
    expect(filterForFinding(finding({ kind: 'time-wait', process: null }))).toBe('state:time_wait')
    expect(
      filterForFinding(
        finding({ kind: 'ephemeral-ports', process: null, evidence: { numbers: {}, series: null, groups: [{ label: 'tcp 127.0.0.1 → 127.0.0.1:6379', count: 1 }] } })
      )
    ).toBe('rport:6379')
  })
})

describe('useRecordingStore', () => {
  it('records, reopens, scrubs and compares', async () => {
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined }))
    const store = useRecordingStore()
    await store.start()
    await ticks(1)
    await store.startRecording('store-test.sockscope.gz')
    expect(store.status?.recording).toBe(true)
    await ticks(3)
    await store.stopRecording()
    expect(store.status?.recording).toBe(false)
    expect(store.files.map((file) => file.name)).toEqual(['store-test.sockscope.gz'])

    await store.open('store-test.sockscope.gz')
    expect(store.error).toBeNull()
    expect(store.opened?.frames).toBe(3)
    expect(useHistoryStore().source).toBe('recording')
    expect(store.moment?.takenAt).toBe(store.opened?.start)
    expect(store.moment?.sockets.length).toBeGreaterThan(0)

    await store.compare()
    expect(store.diff?.from).toBe(store.opened?.start)
    // Marking "from" later than "to" keeps the ends in time order, as the comparison runs.
    await store.scrubTo(store.opened!.end!)
    store.markDiffPoint('from')
    await store.scrubTo(store.opened!.start!)
    store.markDiffPoint('to')
    expect([store.diffFrom, store.diffTo]).toEqual([store.opened?.start, store.opened?.end])
    await store.exportTable('csv')
    expect(store.lastExport?.mimeType).toBe('text/csv')

    await store.close()
    expect(store.opened).toBeNull()
    expect(useHistoryStore().source).toBe('live')
  })
})
