import { mkdtemp, readFile, rm, truncate, writeFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SocketEntry, SocketSnapshot } from '../../../../shared/model/socket'
import { RecordingWriter } from '../../../../electron/backend/recording/recording-writer'
import { openRecording } from '../../../../electron/backend/recording/recording-reader'
import { RecordingError } from '../../../../electron/backend/recording/recording-format'
import { buildSocket } from '../../../support/socket-builder'
import { buildProcessSample, buildSample } from '../../../support/history-sample-builder'
import { elementAt } from '../../../../shared/element-at'

let directory = ''
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-recording-'))
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

const start = 1_700_000_000_000

/** Tick n: a listener, n clients, and the client of tick n-3 moved to CLOSE_WAIT. */
function snapshotAt(tick: number): SocketSnapshot {
  const sockets: SocketEntry[] = [buildSocket({ inode: 1 })]
  for (let index = Math.max(0, tick - 6); index < tick; index++) {
    sockets.push(
      buildSocket({
        localPort: 50000 + index,
        remoteAddress: '127.0.0.1',
        remotePort: 8080,
        state: index === tick - 3 ? 'CLOSE_WAIT' : 'ESTABLISHED',
        inode: 100 + index,
        recvQueue: index === tick - 1 ? 7 : 0
      })
    )
  }
  return { tick, takenAt: start + tick * 1000, refreshMs: 1, sockets, issues: [], partialOwnership: false }
}

const sortById = (sockets: readonly SocketEntry[]): SocketEntry[] => [...sockets].sort((a, b) => a.id.localeCompare(b.id))

async function record(path: string, ticks: number, options: { keyframeEvery?: number; append?: boolean; from?: number } = {}): Promise<void> {
  const writer = await RecordingWriter.open(path, { keyframeEvery: options.keyframeEvery ?? 4, intervalMs: 1000, append: options.append })
  for (let tick = options.from ?? 1; tick < (options.from ?? 1) + ticks; tick++) {
    const snapshot = snapshotAt(tick)
    void writer.writeTick({
      snapshot,
      sample: buildSample(snapshot.takenAt, [buildProcessSample({ pid: 42, name: 'node', sockets: snapshot.sockets.length })]),
      findings:
        tick === 5
          ? {
              takenAt: snapshot.takenAt,
              appeared: [
                {
                  id: 'close-wait:42',
                  kind: 'close-wait',
                  process: { pid: 42, name: 'node' },
                  severity: 'warning',
                  since: snapshot.takenAt,
                  updatedAt: snapshot.takenAt,
                  clearedAt: null,
                  title: 't',
                  explanation: 'e',
                  advice: 'a',
                  evidence: { numbers: {}, series: null, groups: [] }
                }
              ],
              cleared: [],
              active: []
            }
          : undefined
    })
  }
  await writer.close()
}

describe('recording round trip', () => {
  it('gives back every table, the history and the findings', async () => {
    const path = join(directory, 'round-trip.sockscope.gz')
    await record(path, 20)
    const recording = await openRecording(path)
    expect(recording.problem).toBeNull()
    expect(recording.info()).toMatchObject({ frames: 20, samples: 20, start: start + 1000, end: start + 20_000 })
    expect(recording.header).toMatchObject({ format: 'sockscope-recording', version: 1, keyframeEvery: 4, intervalMs: 1000 })
    // In any order of access: forwards, backwards, across keyframes, between ticks.
    for (const tick of [1, 2, 7, 20, 3, 12, 11, 4, 5, 19]) {
      const table = recording.tableAt(start + tick * 1000 + 400)
      expect(table.tick).toBe(tick)
      expect(sortById(table.sockets)).toEqual(sortById(snapshotAt(tick).sockets))
    }
    expect(recording.tableAt(0).tick).toBe(1)
    expect(elementAt(recording.history.series({ kind: 'process-sockets' }).series, 0).values).toEqual(
      Array.from({ length: 20 }, (_, index) => snapshotAt(index + 1).sockets.length)
    )
    expect(recording.findingsAt(start + 4000)).toEqual([])
    expect(recording.findingsAt(start + 6000).map((finding) => finding.id)).toEqual(['close-wait:42'])
  })

  it('diffs two moments: what opened, closed and changed', async () => {
    const path = join(directory, 'diff.sockscope.gz')
    await record(path, 12)
    const recording = await openRecording(path)
    const diff = recording.diff(start + 10_000, start + 8_000)
    expect(diff.from).toBe(start + 8000)
    expect(diff.to).toBe(start + 10_000)
    const port = (socket: SocketEntry): number | null => socket.localPort
    expect(diff.opened.map(port).sort()).toEqual([50008, 50009])
    expect(diff.closed.map(port).sort()).toEqual([50002, 50003])
    expect(diff.changed.map((change) => [port(change.after), change.before.state, change.after.state]).sort()).toEqual([
      [50005, 'CLOSE_WAIT', 'ESTABLISHED'],
      [50007, 'ESTABLISHED', 'CLOSE_WAIT']
    ])
    // A second reader of the same file sees the same diff.
    const again = await openRecording(path)
    expect(again.diff(start + 8000, start + 10_000)).toEqual(diff)
  })

  it('appends a later session to the same file', async () => {
    const path = join(directory, 'append.sockscope.gz')
    await record(path, 5)
    await record(path, 5, { append: true, from: 6 })
    const recording = await openRecording(path)
    expect(recording.problem).toBeNull()
    expect(recording.info().frames).toBe(10)
    expect(sortById(recording.tableAt(start + 8000).sockets)).toEqual(sortById(snapshotAt(8).sockets))
  })

  it('is far smaller than the JSON of the tables it holds', async () => {
    const path = join(directory, 'size.sockscope.gz')
    await record(path, 60, { keyframeEvery: 30 })
    const raw = JSON.stringify(Array.from({ length: 60 }, (_, index) => snapshotAt(index + 1))).length
    expect((await stat(path)).size * 10).toBeLessThan(raw)
  })
})

describe('findings in a recording', () => {
  it('starts with the findings already holding when the recording began', async () => {
    const path = join(directory, 'mid-session.sockscope.gz')
    const writer = await RecordingWriter.open(path)
    const holding = {
      id: 'fd-limit:9',
      kind: 'fd-limit' as const,
      process: { pid: 9, name: 'db' },
      severity: 'warning' as const,
      since: start - 60_000,
      updatedAt: start,
      clearedAt: null,
      title: 't',
      explanation: 'e',
      advice: 'a',
      evidence: { numbers: {}, series: null, groups: [] }
    }
    const snapshot = snapshotAt(1)
    await writer.writeTick({ snapshot, findings: { takenAt: snapshot.takenAt, appeared: [], cleared: [], active: [holding] } })
    await writer.writeTick({ snapshot: snapshotAt(2), findings: { takenAt: start + 2000, appeared: [], cleared: [{ ...holding, clearedAt: start + 2000 }], active: [] } })
    await writer.close()
    const recording = await openRecording(path)
    expect(recording.findingsAt(start + 1000).map((finding) => finding.id)).toEqual(['fd-limit:9'])
    expect(recording.findingsAt(start + 2000)).toEqual([])
  })
})

describe('damaged recordings', () => {
  it('keeps what came before a cut-off end and says where it stopped', async () => {
    const path = join(directory, 'cut.sockscope.gz')
    await record(path, 40, { keyframeEvery: 5 })
    const size = (await stat(path)).size
    await truncate(path, Math.floor(size * 0.6))
    const recording = await openRecording(path)
    expect(recording.problem?.message).toMatch(/ends in the middle of compressed data/)
    expect(recording.problem?.line).toBeGreaterThan(1)
    const frames = recording.info().frames
    expect(frames).toBeGreaterThan(0)
    expect(frames).toBeLessThan(40)
    expect(sortById(recording.tableAt(start + frames * 1000).sockets)).toEqual(sortById(snapshotAt(frames).sockets))
  })

  it('stops at a malformed line, naming it, and keeps the lines before', async () => {
    const path = join(directory, 'bad-line.sockscope.gz')
    await record(path, 6)
    const lines = (await readFile(path).then((data) => import('node:zlib').then((zlib) => zlib.gunzipSync(data).toString()))).split('\n')
    lines.splice(7, 0, '{"type":"diff","takenAt": oops}')
    await writeFile(path, gzipSync(lines.join('\n')))
    const recording = await openRecording(path)
    expect(recording.problem).toMatchObject({ line: 8 })
    expect(recording.problem?.message).toMatch(/not valid JSON/)
    expect(recording.info().frames).toBe(3)
  })

  it('reads plain (uncompressed) JSON lines too, and checks line shapes', async () => {
    const path = join(directory, 'plain.jsonl')
    const header = { type: 'header', format: 'sockscope-recording', version: 1, createdAt: start, keyframeEvery: 10, intervalMs: null, hostname: null, platform: null }
    await writeFile(path, [JSON.stringify(header), JSON.stringify({ type: 'diff', takenAt: start, added: [], removed: [], changed: [] })].join('\n'))
    const recording = await openRecording(path)
    expect(recording.problem).toEqual({ line: 2, message: 'a diff comes before any full table (keyframe)' })
    expect(() => recording.tableAt(start)).toThrow(/holds no socket table/)
  })

  it('refuses a file that is not a recording, a newer version, a missing file', async () => {
    const other = join(directory, 'other.txt')
    await writeFile(other, 'hello\n')
    await expect(openRecording(other)).rejects.toThrow(/line 1: not a sockscope recording/)
    await writeFile(other, JSON.stringify({ type: 'header', format: 'sockscope-recording', version: 9, createdAt: 1, keyframeEvery: 1 }) + '\n')
    await expect(openRecording(other)).rejects.toThrow(/version 9 is not supported/)
    await expect(RecordingWriter.open(other, { append: true })).rejects.toThrow(/version 9/)
    await writeFile(other, '')
    await expect(openRecording(other)).rejects.toBeInstanceOf(RecordingError)
    await expect(openRecording(join(directory, 'missing.gz'))).rejects.toThrow(/no such file/)
  })

  it('refuses to write where it cannot', async () => {
    await expect(RecordingWriter.open(join(directory, 'no/such/dir/file.gz'))).rejects.toThrow(/cannot write/)
  })
})

describe('a long recording', () => {
  it('thins its history to the capacity and keeps every table', async () => {
    const path = join(directory, 'long.sockscope.gz')
    await record(path, 50, { keyframeEvery: 10 })
    const recording = await openRecording(path, { historyCapacity: 16 })
    expect(recording.history.pointCount()).toBeLessThanOrEqual(16)
    const times = recording.history.series({ kind: 'states' }).times
    expect(times[0]).toBe(start + 1000)
    expect(times[times.length - 1]).toBeGreaterThan(start + 40_000)
    expect(recording.tableAt(start + 50_000).tick).toBe(50)
  })
})

describe('a crafted recording', () => {
  it('stops at an endless line instead of filling memory', async () => {
    const bomb = join(tmpdir(), `sockscope-bomb-${process.pid}.gz`)
    // 140 MiB of one line compresses to a few hundred kilobytes.
    await writeFile(bomb, gzipSync(Buffer.alloc(140 * 1024 * 1024, 'a')))
    try {
      await expect(openRecording(bomb)).rejects.toThrow(/line 1: .*longer than 128 MiB|line longer than 128 MiB/)
    } finally {
      await rm(bomb, { force: true })
    }
  }, 30_000)
})
