/**
 * The desktop shell's finding notifications against a real backend's leak settings: the first
 * finding shows at once, later ones wait for the interval and go out on a history tick, a finding
 * that cleared meanwhile is never shown, and notifications switched off show nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend'
import { followFindingNotifications } from '../../../electron/main/desktop-notifications'
import type { EventChannel, EventPayload } from '../../../shared/contract'
import type { Finding } from '../../../shared/model/finding'
import type { FindingNotification } from '../../../shared/finding-notifications'
import { buildFinding } from '../../support/finding-builder'
import { waitFor } from '../../support/wait-for'

function finding(id: string): Finding {
  return buildFinding({ id, title: `finding ${id}` })
}

let directory: string
let backend: Backend
/** The backend's own event stream, with a way to push the events the leak detector would. */
let push: <E extends EventChannel>(event: E, payload: EventPayload<E>) => void

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-notifications-'))
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: directory })
  const listeners: Parameters<Backend['subscribe']>[0][] = []
  push = (event, payload) => listeners.forEach((listener) => listener(event, payload))
  const followed = { handle: backend.handle, subscribe: (listener: Parameters<Backend['subscribe']>[0]) => (listeners.push(listener), () => undefined) }
  shown = []
  followFindingNotifications(followed, (notification) => shown.push(notification))
})
afterEach(async () => {
  vi.useRealTimers()
  await backend.dispose()
  await rm(directory, { recursive: true, force: true })
})

let shown: FindingNotification[] = []
const findings = (appeared: Finding[], cleared: Finding[] = []): EventPayload<'leaks/findings'> => ({ takenAt: 0, appeared, cleared, active: appeared })
const tick = (): EventPayload<'history/tick'> => ({ sample: null as never, info: null as never })

describe('followFindingNotifications', () => {
  it('shows the first finding at once and holds the next back until the interval has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_000_000)
    push('leaks/findings', findings([finding('a')]))
    await waitFor(() => shown.length === 1)
    expect(shown[0]).toMatchObject({ title: 'finding a', findingIds: ['a'] })

    push('leaks/findings', findings([finding('b')]))
    vi.setSystemTime(1_000_000 + 29_000)
    push('history/tick', tick())
    // Give the settings read its turn: nothing may show inside the 30-second interval.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(shown).toHaveLength(1)

    vi.setSystemTime(1_000_000 + 30_000)
    push('history/tick', tick())
    await waitFor(() => shown.length === 2)
    expect(shown[1]).toMatchObject({ findingIds: ['b'] })
  })

  it('never shows a held-back finding that cleared before its turn', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(2_000_000)
    push('leaks/findings', findings([finding('a')]))
    await waitFor(() => shown.length === 1)
    push('leaks/findings', findings([finding('b')]))
    // The detector clears a finding a tick later at the soonest; by then the offer has read the settings.
    await new Promise((resolve) => setTimeout(resolve, 20))
    push('leaks/findings', findings([], [finding('b')]))
    vi.setSystemTime(2_000_000 + 60_000)
    push('history/tick', tick())
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(shown).toHaveLength(1)
  })

  it('shows nothing once notifications are switched off in the leak settings', async () => {
    expect((await backend.handle('leaks/update-settings', { notify: false })).ok).toBe(true)
    push('leaks/findings', findings([finding('a')]))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(shown).toEqual([])
  })
})
