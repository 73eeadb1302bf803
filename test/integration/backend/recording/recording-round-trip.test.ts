/*
 * A recording of real socket tables (with a leaking client making them change every tick)
 * reopens to the same table at each recorded moment and the same diff between two of them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SocketEntry, SocketSnapshot } from '../../../../shared/model/socket'
import { createSocketProvider } from '../../../../electron/backend/platform/create-platform'
import { HistoryStore } from '../../../../electron/backend/history/history-store'
import { HistoryRecorder } from '../../../../electron/backend/history/history-recorder'
import { RecordingWriter } from '../../../../electron/backend/recording/recording-writer'
import { openRecording } from '../../../../electron/backend/recording/recording-reader'
import { startProgram, stopPrograms } from '../../../support/test-programs'
import { elementAt } from '../../../../shared/element-at'

const directories: string[] = []
const servers: Server[] = []
const talkers: Socket[] = []
afterAll(async () => {
  for (const talker of talkers) talker.destroy()
  for (const server of servers) server.close()
  await stopPrograms()
  for (const directory of directories) await rm(directory, { recursive: true, force: true })
})

/** A loopback connection that carries a few bytes every 50 ms, so its tcp_info counters move every tick; resolves to the server's port. */
async function startTalkingConnection(): Promise<number> {
  const server = createServer((peer) => peer.resume())
  servers.push(server)
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  const port = (server.address() as { port: number }).port
  const talker = connect({ port, host: '127.0.0.1' })
  talkers.push(talker)
  await new Promise<void>((connected) => talker.once('connect', connected))
  const timer = setInterval(() => talker.write('tick\n'), 50)
  talker.once('close', () => clearInterval(timer))
  return port
}

/**
 * The table in a comparable form: sorted, and without the clocks (timer countdowns, idle times),
 * which a diff carries only along with a socket's other news.
 */
function comparable(sockets: readonly SocketEntry[]): SocketEntry[] {
  const withoutClocks = (socket: SocketEntry): SocketEntry => ({
    ...socket,
    timer: null,
    tcpInfo: socket.tcpInfo === null ? null : { ...socket.tcpInfo, lastSendMs: null, lastReceiveMs: null }
  })
  return [...sockets].map(withoutClocks).sort((a, b) => a.id.localeCompare(b.id))
}

describe.skipIf(process.platform !== 'linux')('recording round trip on real tables', () => {
  it('gives the same table at each moment and the same diff', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sockscope-round-trip-'))
    directories.push(directory)
    const path = join(directory, 'session.sockscope.gz')
    const server = await startProgram('closing-server.js')
    await startProgram('leaky-client.js', [String(server.ready.port), '50', '1000'])
    const talkingPort = await startTalkingConnection()
    // Only this test's sockets are recorded: the machine's other sockets (tens of thousands while
    // other tests run) would make every step scale with load without testing anything more.
    const ports = new Set([server.ready.port, talkingPort])
    const ours = (socket: SocketEntry): boolean => ports.has(socket.localPort) || ports.has(socket.remotePort)

    const provider = createSocketProvider()
    const recorder = new HistoryRecorder(new HistoryStore({ capacity: 100 }))
    const writer = await RecordingWriter.open(path, { keyframeEvery: 4, intervalMs: 200 })
    const snapshots: SocketSnapshot[] = []
    for (let tick = 1; tick <= 12; tick++) {
      const read = await provider.read({ withProcesses: true })
      const snapshot: SocketSnapshot = { tick, takenAt: Date.now(), refreshMs: 0, ...read, sockets: read.sockets.filter(ours) }
      const { sample } = await recorder.record(snapshot)
      await writer.writeTick({ snapshot, sample })
      snapshots.push(snapshot)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const summary = await writer.close()
    expect(summary.ticks).toBe(12)

    const recording = await openRecording(path)
    expect(recording.problem).toBeNull()
    expect(recording.info().frames).toBe(12)
    for (const snapshot of snapshots) {
      const table = recording.tableAt(snapshot.takenAt)
      expect(table.tick).toBe(snapshot.tick)
      expect(comparable(table.sockets)).toEqual(comparable(snapshot.sockets))
    }

    const [first, second] = [elementAt(snapshots, 2), elementAt(snapshots, 9)]
    const diff = recording.diff(first.takenAt, second.takenAt)
    const firstIds = new Set(first.sockets.map((socket) => socket.id))
    const secondIds = new Set(second.sockets.map((socket) => socket.id))
    const ids = (sockets: readonly SocketEntry[]): string[] => sockets.map((socket) => socket.id).sort()
    expect(ids(diff.opened)).toEqual([...secondIds].filter((id) => !firstIds.has(id)).sort())
    expect(ids(diff.closed)).toEqual([...firstIds].filter((id) => !secondIds.has(id)).sort())
    // The leaking client opened a connection every 50 ms in between.
    expect(diff.opened.length).toBeGreaterThan(10)
    expect(recording.history.pointCount()).toBe(12)
  }, 30_000)
})
