/**
 * A recording whose file fails while the writer waits on it (the disk stops taking bytes, a
 * pipe's reader goes away) must report the failure to the waiting tick and to close(), never
 * leave them waiting forever: a wait that never ends lets a CLI's event loop run dry and exit 0.
 * The file is a real FIFO whose reader reads nothing, so the writer backs up, and is then killed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RecordingError } from '../../../../electron/backend/recording/recording-format'
import { RecordingWriter } from '../../../../electron/backend/recording/recording-writer'
import { HistorySession } from '../../../../electron/backend/history/history-session'
import type { SocketSnapshot } from '../../../../shared/model/socket'
import { buildSocket } from '../../../support/socket-builder'

let directory: string

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-recording-failure-'))
})

afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** A table that gzip cannot shrink much: every process name is random. */
function noisySnapshot(tick: number): SocketSnapshot {
  const sockets = Array.from({ length: 400 }, (_, index) => buildSocket({ inode: tick * 1000 + index, localPort: 1024 + index, process: randomBytes(96).toString('hex') }))
  return { tick, takenAt: 1_700_000_000_000 + tick * 1000, refreshMs: 1, sockets, issues: [], partialOwnership: false }
}

/** Settles within `ms`, or reports that it did not. */
function within<T>(promise: Promise<T>, ms: number): Promise<{ settled: boolean; error: unknown }> {
  return Promise.race([
    promise.then(
      () => ({ settled: true, error: null }),
      (error: unknown) => ({ settled: true, error })
    ),
    new Promise<{ settled: boolean; error: unknown }>((resolve) => setTimeout(() => resolve({ settled: false, error: null }), ms))
  ])
}

describe('RecordingWriter on a file that fails mid-write', () => {
  for (const flushIntervalMs of [60_000, 0]) {
    it(`fails the waiting tick and the close instead of hanging (flush every ${flushIntervalMs} ms)`, async () => {
      const fifo = join(directory, 'recording.fifo')
      spawnSync('mkfifo', [fifo])
      // Opens the pipe for reading and never reads, so the writer backs up.
      const reader = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(fifo)}, 'r'); setInterval(() => {}, 1000)`])
      const writer = await RecordingWriter.open(fifo, { keyframeEvery: 1, flushIntervalMs })
      let tick = 0
      let stuck: Promise<void> | null = null
      while (stuck === null && tick < 200) {
        tick++
        const write = writer.writeTick({ snapshot: noisySnapshot(tick) })
        if (!(await within(write, 1000)).settled) stuck = write
      }
      expect(stuck, 'the writer should back up on a pipe nobody reads').not.toBeNull()

      reader.kill('SIGKILL')
      await once(reader, 'exit')
      const outcome = await within(stuck!, 5000)
      expect(outcome.settled).toBe(true)
      expect(outcome.error).toBeInstanceOf(RecordingError)
      expect(String(outcome.error)).toContain(`cannot write ${fifo}`)
      const closing = await within(writer.close(), 5000)
      expect(closing).toMatchObject({ settled: true })
      expect(closing.error).toBeInstanceOf(RecordingError)
    })
  }
})

describe('HistorySession with a recording that fails', () => {
  it('stops the recording, says why in the tick, and keeps the history going', async () => {
    const session = new HistorySession()
    // /dev/full takes the open and refuses every write, as a full disk does.
    session.startRecording(await RecordingWriter.open('/dev/full', { flushIntervalMs: 0 }))
    let failure: Error | null = null
    let tick = 0
    while (failure === null && tick < 20) {
      tick++
      failure = (await session.tick(noisySnapshot(tick))).recordingFailure
    }
    expect(failure).toBeInstanceOf(RecordingError)
    expect(failure?.message).toContain('cannot write /dev/full')
    expect(session.recording()).toBeNull()
    const after = await session.tick(noisySnapshot(tick + 1))
    expect(after.recordingFailure).toBeNull()
    expect(session.store.info().points).toBe(tick + 1)
  })
})
