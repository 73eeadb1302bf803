import { describe, expect, it } from 'vitest'
import type { SocketEntry, SocketSnapshot } from '../../../../shared/model/socket'
import { HistoryRecorder } from '../../../../electron/backend/history/history-recorder'
import type { InterfaceCounters, SystemReader } from '../../../../electron/backend/platform/platform'
import { HistoryStore } from '../../../../electron/backend/history/history-store'
import { buildSocket } from '../../../support/socket-builder'

const loopback = (loBytes: number): InterfaceCounters[] => [
  { name: 'lo', receiveBytes: loBytes, receivePackets: loBytes / 100, transmitBytes: loBytes, transmitPackets: loBytes / 100 }
]

/** Readers over a made-up process table: pid → [fd count, soft limit, name]. */
function fakeReaders(processes: Map<number, [number, number, string]>, loBytes: { value: number }): SystemReader {
  return {
    readInterfaceCounters: async () => loopback(loBytes.value),
    readPortRange: async () => ({ low: 32768, high: 60999 }),
    countOpenFileDescriptors: async (pid) => processes.get(pid)?.[0] ?? null,
    readSoftOpenFilesLimit: async (pid) => processes.get(pid)?.[1] ?? null,
    listProcessIds: async () => [...processes.keys()],
    readProcessName: async (pid) => processes.get(pid)?.[2] ?? null,
    processExists: async (pid) => processes.has(pid),
    listProcesses: async () => [],
    findUnixPeer: async () => null
  }
}

function snapshot(tick: number, sockets: SocketEntry[]): SocketSnapshot {
  return { tick, takenAt: tick * 1000, refreshMs: 1, sockets, issues: [], partialOwnership: false }
}

describe('HistoryRecorder', () => {
  it('records counts, fds against limits, and interface rates from the second tick on', async () => {
    const processes = new Map<number, [number, number, string]>([
      [42, [30, 1024, 'node']],
      [77, [900, 1000, 'filehog']],
      [88, [3, 1024, 'idle']]
    ])
    const loBytes = { value: 1000 }
    const store = new HistoryStore({ capacity: 10 })
    const recorder = new HistoryRecorder(store, fakeReaders(processes, loBytes), { fullScanEveryTicks: 5 })
    const sockets = [buildSocket({ inode: 1 }), buildSocket({ localPort: 50000, remotePort: 8080, remoteAddress: '127.0.0.1', state: 'ESTABLISHED', inode: 2 })]

    const first = await recorder.record(snapshot(1, sockets))
    expect(first.sample.interfaces).toEqual([])
    expect(first.sample.processes.map((process) => [process.pid, process.fdCount, process.fdSoftLimit])).toEqual([
      // The process with no sockets but 90% of its fds in use is followed and listed first.
      [77, 900, 1000],
      [42, 30, 1024]
    ])
    expect(first.sample.states).toEqual({ LISTEN: 1, ESTABLISHED: 1 })
    expect(first.sample.ephemeral).toHaveLength(1)

    loBytes.value = 6000
    const second = await recorder.record(snapshot(2, sockets))
    expect(second.sample.interfaces).toEqual([{ name: 'lo', receiveBytesPerSecond: 5000, transmitBytesPerSecond: 5000, receivePacketsPerSecond: 50, transmitPacketsPerSecond: 50 }])
    expect(store.pointCount()).toBe(2)

    // A followed process that exits is dropped at once.
    processes.delete(77)
    const third = await recorder.record(snapshot(3, sockets))
    expect(third.sample.processes.map((process) => process.pid)).toEqual([42])
  })

  it('caps the processes in a point to what the store follows', async () => {
    const store = new HistoryStore({ capacity: 10, maxProcesses: 3 })
    const recorder = new HistoryRecorder(store, fakeReaders(new Map(), { value: 0 }))
    const sockets = Array.from({ length: 10 }, (_, index) =>
      buildSocket({ inode: index + 1, localPort: 1000 + index, pid: index + 1, owners: [{ pid: index + 1, process: 'p', command: 'p', user: null }] })
    )
    const { sample } = await recorder.record(snapshot(1, sockets))
    expect(sample.processes).toHaveLength(3)
    expect(sample.processes.every((process) => process.fdCount === null)).toBe(true)
  })
})
