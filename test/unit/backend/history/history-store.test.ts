import { describe, expect, it } from 'vitest'
import { downsample, HistoryStore } from '../../../../electron/backend/history/history-store'
import { buildProcessSample, buildSample } from '../../../support/history-sample-builder'
import { elementAt } from '../../../../shared/element-at'

const second = 1000

describe('HistoryStore', () => {
  it('keeps the newest points once full, oldest first', () => {
    const store = new HistoryStore({ capacity: 5 })
    for (let index = 0; index < 8; index++) store.append(buildSample(index * second, [buildProcessSample({ pid: 1, sockets: index })]))
    const set = store.series({ kind: 'states' })
    expect(set.times).toEqual([3000, 4000, 5000, 6000, 7000])
    expect(set.series).toEqual([{ key: 'ESTABLISHED', label: 'ESTABLISHED', state: 'ESTABLISHED', values: [3, 4, 5, 6, 7] }])
    expect(store.info()).toMatchObject({ points: 5, capacity: 5, oldest: 3000, newest: 7000 })
  })

  it('stays within the same memory however long it runs', () => {
    const store = new HistoryStore({ capacity: 100, maxProcesses: 10 })
    const bytesAfter = (ticks: number, from: number): number => {
      for (let index = from; index < from + ticks; index++) {
        // A new process every tick, so without caps and expiry the tracks would grow forever.
        store.append(buildSample(index * second, [buildProcessSample({ pid: 1, sockets: 5 }), buildProcessSample({ pid: 1000 + index, sockets: 1 })]))
      }
      return store.info().bytes
    }
    const early = bytesAfter(300, 0)
    const late = bytesAfter(3000, 300)
    expect(late).toBe(early)
    expect(store.info().trackedProcesses).toBeLessThanOrEqual(10)
  })

  it('forgets a process once it has been gone longer than the ring reaches back', () => {
    const store = new HistoryStore({ capacity: 4 })
    store.append(buildSample(0, [buildProcessSample({ pid: 7, sockets: 3 })]))
    for (let index = 1; index <= 3; index++) store.append(buildSample(index * second, []))
    expect(store.trackedProcesses().map((process) => process.pid)).toEqual([7])
    store.append(buildSample(4 * second, []))
    expect(store.trackedProcesses()).toEqual([])
  })

  it('gives a process null before it appeared and zero after it left', () => {
    const store = new HistoryStore({ capacity: 10 })
    store.append(buildSample(0, []))
    store.append(buildSample(1000, [buildProcessSample({ pid: 3, name: 'nginx', sockets: 4, fdCount: 20, fdSoftLimit: 1024 })]))
    store.append(buildSample(2000, []))
    const sockets = store.series({ kind: 'states', pid: 3 })
    expect(sockets.series).toEqual([{ key: 'ESTABLISHED', label: 'ESTABLISHED', state: 'ESTABLISHED', pid: 3, values: [null, 4, 0] }])
    // Up to its last point it leads the top list; once gone it leaves it.
    expect(store.series({ kind: 'process-sockets', to: 1000 }).series).toEqual([{ key: 'pid:3', label: 'nginx (3)', pid: 3, values: [null, 4] }])
    expect(store.series({ kind: 'process-sockets' }).series).toEqual([])
    const fds = store.series({ kind: 'file-descriptors', pid: 3 })
    expect(fds.series.map((series) => series.values)).toEqual([
      [null, 20, null],
      [null, 1024, null]
    ])
  })

  it('evicts the process gone longest when the cap is reached, and never one seen this tick', () => {
    const store = new HistoryStore({ capacity: 50, maxProcesses: 2 })
    store.append(buildSample(0, [buildProcessSample({ pid: 1, sockets: 1 }), buildProcessSample({ pid: 2, sockets: 1 })]))
    store.append(buildSample(1000, [buildProcessSample({ pid: 2, sockets: 1 }), buildProcessSample({ pid: 3, sockets: 9 })]))
    expect(
      store
        .trackedProcesses()
        .map((process) => process.pid)
        .sort()
    ).toEqual([2, 3])
    store.append(buildSample(2000, [buildProcessSample({ pid: 2, sockets: 1 }), buildProcessSample({ pid: 3, sockets: 1 }), buildProcessSample({ pid: 4, sockets: 1 })]))
    expect(
      store
        .trackedProcesses()
        .map((process) => process.pid)
        .sort()
    ).toEqual([2, 3])
  })

  it('answers states for one process and the top processes by peak', () => {
    const store = new HistoryStore({ capacity: 10 })
    for (let index = 0; index < 3; index++) {
      store.append(
        buildSample(index * second, [
          buildProcessSample({ pid: 1, sockets: 2, states: { LISTEN: 1, CLOSE_WAIT: 1 } }),
          buildProcessSample({ pid: 2, sockets: 10 + index }),
          buildProcessSample({ pid: 3, sockets: 5 })
        ])
      )
    }
    expect(store.series({ kind: 'states', pid: 1 }).series.map((series) => series.key)).toEqual(['CLOSE_WAIT', 'LISTEN'])
    expect(store.series({ kind: 'process-sockets', top: 2 }).series.map((series) => series.pid)).toEqual([2, 3])
    expect(store.series({ kind: 'states', pid: 99 }).series).toEqual([])
  })

  it('leaves a process that exited out of the top lists, however high it peaked, while a window still ends in its life', () => {
    const store = new HistoryStore({ capacity: 10 })
    const withLimit = (pid: number, sockets: number, fdCount: number) => buildProcessSample({ pid, sockets, fdCount, fdSoftLimit: 100 })
    // pid 9 peaks at 50 sockets and 90% of its fd limit, then exits; 1 and 2 run on with less.
    store.append(buildSample(0, [withLimit(1, 2, 10), withLimit(2, 3, 20), withLimit(9, 50, 90)]))
    store.append(buildSample(1000, [withLimit(1, 2, 10), withLimit(2, 3, 20), withLimit(9, 50, 90)]))
    store.append(buildSample(2000, [withLimit(1, 2, 10), withLimit(2, 3, 20)]))
    const pids = (set: { series: readonly { pid?: number }[] }) => [...new Set(set.series.map((series) => series.pid))]
    expect(pids(store.series({ kind: 'process-sockets', top: 8 }))).toEqual([2, 1])
    expect(pids(store.series({ kind: 'file-descriptors', top: 8 }))).toEqual([2, 1])
    // A window that ends while it still ran has it first; its own series stays available by pid.
    expect(pids(store.series({ kind: 'process-sockets', top: 8, to: 1000 }))).toEqual([9, 2, 1])
    expect(pids(store.series({ kind: 'file-descriptors', top: 8, to: 1000 }))).toEqual([9, 2, 1])
    expect(pids(store.series({ kind: 'file-descriptors', pid: 9 }))).toEqual([9])
  })

  it('reads a time window and folds unknown states into OTHER', () => {
    const store = new HistoryStore({ capacity: 10 })
    for (let index = 0; index < 6; index++) {
      store.append(buildSample(index * second, [buildProcessSample({ pid: 1, sockets: 1, states: { WEIRD: 1 } })]))
    }
    const set = store.series({ kind: 'states', from: 2000, to: 4000 })
    expect(set.times).toEqual([2000, 3000, 4000])
    expect(set.series.map((series) => series.key)).toEqual(['OTHER'])
  })

  it('keeps interface rates and ephemeral destinations as series', () => {
    const store = new HistoryStore({ capacity: 10 })
    store.append(
      buildSample(0, [], {
        interfaces: [
          { name: 'lo', receiveBytesPerSecond: 1.5, transmitBytesPerSecond: 2, receivePacketsPerSecond: 3, transmitPacketsPerSecond: 4 },
          // An idle interface adds no lines.
          { name: 'dummy0', receiveBytesPerSecond: 0, transmitBytesPerSecond: 0, receivePacketsPerSecond: 0, transmitPacketsPerSecond: 0 }
        ],
        ephemeral: [{ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 80, count: 7, pid: 5, process: 'curl' }]
      })
    )
    const interfaces = store.series({ kind: 'interfaces' })
    expect(interfaces.series.map((series) => [series.key, series.values[0]])).toEqual([
      ['lo:receiveBytesPerSecond', 1.5],
      ['lo:transmitBytesPerSecond', 2],
      ['lo:receivePacketsPerSecond', 3],
      ['lo:transmitPacketsPerSecond', 4]
    ])
    const ephemeral = store.series({ kind: 'ephemeral' })
    expect(ephemeral.series).toEqual([{ key: 'tcp|127.0.0.1|127.0.0.1|80', label: 'tcp 127.0.0.1 → 127.0.0.1:80', values: [7], pid: 5 }])
  })

  it('thins a long history to half the points, keeping the oldest', () => {
    const store = new HistoryStore({ capacity: 8 })
    for (let index = 0; index < 8; index++) store.append(buildSample(index * second, [buildProcessSample({ pid: 1, sockets: index })]))
    store.thin()
    expect(store.pointCount()).toBe(4)
    store.append(buildSample(8 * second, [buildProcessSample({ pid: 1, sockets: 8 })]))
    const set = store.series({ kind: 'process-sockets' })
    expect(set.times).toEqual([0, 2000, 4000, 6000, 8000])
    expect(elementAt(set.series, 0).values).toEqual([0, 2, 4, 6, 8])
  })

  it('keeps the time axis ordered when the wall clock steps back', () => {
    const store = new HistoryStore({ capacity: 10 })
    store.append(buildSample(5000, []))
    store.append(buildSample(4000, []))
    expect(store.series({ kind: 'states' }).times).toEqual([5000, 5000])
  })

  it('refuses a capacity below two', () => {
    expect(() => new HistoryStore({ capacity: 1 })).toThrow(/capacity/)
  })
})

describe('downsample', () => {
  it('averages buckets and skips nulls', () => {
    const set = downsample({ kind: 'states', times: [0, 1, 2, 3, 4, 5], series: [{ key: 'a', label: 'a', values: [1, 3, null, null, 5, 7] }] }, 3)
    expect(set.times).toEqual([0.5, 2.5, 4.5])
    expect(elementAt(set.series, 0).values).toEqual([2, null, 6])
  })
})
