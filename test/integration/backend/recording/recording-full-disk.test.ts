/**
 * A recording on a disk that fills up: the backend stops the recording, says why in the
 * recording status (the panel shows it), and the live history goes on. The disk is a real tmpfs
 * of a few hundred kilobytes, mounted for the test (root only; skipped where mounting is not allowed).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import type { HistoryTick } from '../../../../shared/model/history'
import type { RecordingStatus } from '../../../../shared/model/recording'
import { waitFor } from '../../../support/wait-for'

let mountPoint = ''
let mounted = false

beforeAll(async () => {
  mountPoint = await mkdtemp(join(tmpdir(), 'sockscope-full-disk-'))
  mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mountPoint]).status === 0
})

afterAll(async () => {
  if (mounted) spawnSync('umount', [mountPoint])
  await rm(mountPoint, { recursive: true, force: true })
})

/** Fills what is left of the disk, so the next write fails with ENOSPC. */
async function fillDisk(): Promise<void> {
  for (let index = 0; ; index++) {
    const written = await writeFile(join(mountPoint, `filler-${index}`), Buffer.alloc(16 * 1024)).then(
      () => true,
      () => false
    )
    if (!written) return
  }
}

describe('a recording when the disk fills up', () => {
  it('stops, tells why in the status, and the live history goes on', async (context) => {
    if (!mounted) context.skip()
    const backend: Backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: join(mountPoint, 'data') })
    const statuses: RecordingStatus[] = []
    let ticks = 0
    backend.subscribe((event, payload) => {
      if (event === 'recording/status') statuses.push(payload as RecordingStatus)
      if (event === 'history/tick') ticks = (payload as HistoryTick).info.points
    })
    try {
      const started = await backend.handle('recording/start', { name: 'full.sockscope.gz' })
      expect(started).toMatchObject({ ok: true, value: { recording: true, problem: null } })
      await fillDisk()
      await waitFor(() => statuses.some((status) => status.problem !== null), 20_000, 'the recording to report the full disk')
      const stopped = statuses.find((status) => status.problem !== null)!
      expect(stopped.recording).toBe(false)
      expect(stopped.problem).toContain('the recording stopped: cannot write')
      expect(stopped.problem).toContain('ENOSPC')
      const ticksAtProblem = ticks
      await waitFor(() => ticks >= ticksAtProblem + 2, 10_000, 'live ticks after the failure')
      // The status keeps saying why until the next recording starts.
      expect(await backend.handle('recording/status', {})).toMatchObject({ ok: true, value: { recording: false, problem: stopped.problem } })
      for (const name of await readdir(mountPoint)) if (name.startsWith('filler-')) await rm(join(mountPoint, name))
      expect(await backend.handle('recording/start', { name: 'again.sockscope.gz' })).toMatchObject({ ok: true, value: { recording: true, problem: null } })
    } finally {
      await backend.dispose()
    }
  })
})
