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

  it('sums up the very same table once, and a new table anew', async () => {
    const store = new HistoryStore({ capacity: 10 })
    const recorder = new HistoryRecorder(store, fakeReaders(new Map(), { value: 0 }))
    const sockets = [buildSocket({ inode: 1 }), buildSocket({ localPort: 50000, remotePort: 8080, remoteAddress: '127.0.0.1', state: 'ESTABLISHED', inode: 2 })]
    const first = await recorder.record(snapshot(1, sockets))
    const again = await recorder.record(snapshot(2, sockets))
    expect(again.summary).toBe(first.summary)
    expect(again.sample).toMatchObject({ tick: 2, states: { LISTEN: 1, ESTABLISHED: 1 } })
    // The same rows in a new array may be another table: counted again.
    const changed = await recorder.record(snapshot(3, [sockets[0]!]))
    expect(changed.sample.states).toEqual({ LISTEN: 1 })
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

  it('measures a process the focus view follows, with or without sockets, until the follow time ends', async () => {
    // 88 is idle (3 fds, no sockets); 10 processes busier than 99 fill the store's three slots.
    const processes = new Map<number, [number, number, string]>([
      [88, [3, 1024, 'idle']],
      [99, [5, 1024, 'quiet']]
    ])
    const store = new HistoryStore({ capacity: 10, maxProcesses: 3 })
    const recorder = new HistoryRecorder(store, fakeReaders(processes, { value: 0 }), { fullScanEveryTicks: 1000 })
    const busy = Array.from({ length: 10 }, (_, index) =>
      Array.from({ length: 3 }, (_, socket) =>
        buildSocket({
          inode: index * 10 + socket + 1,
          localPort: 1000 + index * 10 + socket,
          pid: index + 1,
          owners: [{ pid: index + 1, process: 'busy', command: 'busy', user: null }]
        })
      )
    ).flat()
    const quiet = buildSocket({ inode: 500, localPort: 5000, pid: 99, process: 'quiet', owners: [{ pid: 99, process: 'quiet', command: 'quiet', user: null }] })
    const sockets = [...busy, quiet]
    const pids = async (tick: number) => (await recorder.record(snapshot(tick, sockets))).sample.processes.map((process) => process.pid)

    expect(await pids(1)).not.toContain(88)
    expect(await pids(1)).not.toContain(99)
    recorder.followProcess(88, 3000)
    recorder.followProcess(99, 3000)
    const followed = (await recorder.record(snapshot(2, sockets))).sample.processes
    expect(followed.find((process) => process.pid === 88)).toMatchObject({ name: 'idle', sockets: 0, fdCount: 3, fdSoftLimit: 1024 })
    expect(followed.find((process) => process.pid === 99)).toMatchObject({ name: 'quiet', sockets: 1, states: { LISTEN: 1 }, fdCount: 5 })
    // Just at the end of the follow time it is still measured; just after, no more.
    expect(await pids(3)).toEqual(expect.arrayContaining([88, 99]))
    const after = await pids(4)
    expect(after).not.toContain(88)
    expect(after).not.toContain(99)
  })
})
