import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../shared/model/socket'
import type { ProcessStatus, SocketProvider, SystemReader } from '../../../../electron/backend/platform/platform'
import { RunWatch } from '../../../../electron/backend/run/run-watch'
import { runLeakSettings } from '../../../../electron/backend/run/run-settings'
import { buildSocket } from '../../../support/socket-builder'

const ROOT = 4100

/** A made-up machine: the command's process, and whatever sockets the test puts on the table. */
function fakeMachine() {
  const table: { sockets: SocketEntry[] } = { sockets: [] }
  const processes: ProcessStatus[] = [
    { pid: 1, parentPid: 0, sessionId: 1, startTime: 1, name: 'init', state: 'S' },
    { pid: ROOT, parentPid: 1, sessionId: ROOT, startTime: 500, name: 'node', state: 'S' }
  ]
  const sockets: SocketProvider = {
    platform: 'test',
    reader: { kind: 'test', note: null, homeNetns: null },
    read: async () => ({ sockets: table.sockets, issues: [], partialOwnership: false })
  }
  const system: SystemReader = {
    readInterfaceCounters: async () => null,
    readPortRange: async () => ({ low: 32768, high: 60999 }),
    countOpenFileDescriptors: async () => 10,
    readSoftOpenFilesLimit: async () => 1000,
    listProcessIds: async () => processes.map((process) => process.pid),
    readProcessName: async () => 'node',
    processExists: async () => true,
    listProcesses: async () => processes,
    findUnixPeer: async (inode) => (inode === 9000 ? 9001 : null)
  }
  return { table, sockets, system }
}

const owned = (inode: number, changes: Partial<SocketEntry> = {}, pid = ROOT): SocketEntry =>
  buildSocket({
    pid,
    process: 'node',
    owners: [{ pid, process: 'node', command: 'node', user: 'root' }],
    localPort: 40000 + (inode % 20000),
    remotePort: 8080,
    remoteAddress: '127.0.0.1',
    state: 'ESTABLISHED',
    inode,
    ...changes
  })

describe('RunWatch phases', () => {
  it('attributes each socket to the phase that opened it, leaving out the mark connection and sockscope’s own sockets', async () => {
    const machine = fakeMachine()
    const watch = new RunWatch({ rootPid: ROOT, ownSession: true, intervalMs: 60_000, settings: runLeakSettings(60, {}), sockets: machine.sockets, system: machine.system })
    await watch.start()
    // sockscope's stdout, a socket the command inherited: held by both.
    const inherited = buildSocket({
      protocol: 'unix',
      family: null,
      inode: 7,
      pid: process.pid,
      owners: [
        { pid: process.pid, process: 'sockscope', command: '', user: 'root' },
        { pid: ROOT, process: 'node', command: '', user: 'root' }
      ]
    })
    const markClient = owned(9001, { protocol: 'unix', family: null, localPort: null, remotePort: null, remoteAddress: '', state: 'ESTABLISHED' })
    machine.table.sockets = [inherited]
    await watch.mark('setup')
    machine.table.sockets = [inherited, owned(1, { state: 'LISTEN', remotePort: 0, remoteAddress: '0.0.0.0' })]
    await watch.excludePeerOf(9000)
    machine.table.sockets = [...machine.table.sockets, markClient]
    await watch.mark('test: uploads')
    machine.table.sockets = [inherited, owned(1, { state: 'LISTEN', remotePort: 0, remoteAddress: '0.0.0.0' }), owned(2), owned(3)]
    await watch.mark('test: downloads')
    await watch.mainExited()
    const report = await watch.finish(['node', 'suite.js'], { code: 0, signal: null, startError: null }, { maxSockets: 3 })
    expect(report.phases.map((phase) => [phase.label, phase.stillOpen.map((socket) => socket.state)])).toEqual([
      ['setup', ['LISTEN']],
      ['test: uploads', ['ESTABLISHED', 'ESTABLISHED']],
      ['test: downloads', []]
    ])
    expect(report.sockets.peakHeld).toBe(3)
    expect(report.assertions).toEqual([expect.objectContaining({ name: 'max-sockets', observed: 3, passed: true })])
    expect(report.heldAfterExit).toHaveLength(3)
    expect(report.fileDescriptors.peak).toMatchObject({ pid: ROOT, fds: 10, softLimit: 1000, percent: 1 })
  })

  it('lists at most 5000 sockets over all phases, while every count stays exact', async () => {
    const machine = fakeMachine()
    const watch = new RunWatch({ rootPid: ROOT, ownSession: true, intervalMs: 60_000, settings: runLeakSettings(60, {}), sockets: machine.sockets, system: machine.system })
    await watch.start()
    for (let phase = 0; phase < 60; phase++) {
      await watch.mark(`test ${phase}`)
      machine.table.sockets = [...machine.table.sockets, ...Array.from({ length: 100 }, (_, index) => owned(10_000 + phase * 100 + index))]
    }
    await watch.mainExited()
    const report = await watch.finish(['suite'], { code: 0, signal: null, startError: null }, {})
    expect(report.phases).toHaveLength(60)
    expect(report.phases.every((phase) => phase.stillOpenCount === 100)).toBe(true)
    expect(report.phases.reduce((sum, phase) => sum + phase.stillOpen.length, 0)).toBe(5000)
  })
})

describe('RunWatch recording', () => {
  it('says why a recording stopped early, and keeps watching without it', async () => {
    const machine = fakeMachine()
    const errors: string[] = []
    const watch = new RunWatch({
      rootPid: ROOT,
      ownSession: true,
      intervalMs: 60_000,
      settings: runLeakSettings(60, {}),
      sockets: machine.sockets,
      system: machine.system,
      onError: (error) => errors.push(error.message)
    })
    let written = 0
    watch.record({
      path: '/records/run.jsonl.gz',
      writeTick: async () => {
        if (written === 2) throw new Error('ENOSPC: no space left on device')
        written++
      },
      tickCount: () => written,
      close: async () => ({ path: '/records/run.jsonl.gz', ticks: written, bytes: 100 })
    })
    await watch.start()
    for (let index = 0; index < 4; index++) await watch.mark(`phase ${index}`)
    await watch.mainExited()
    const report = await watch.finish(['suite'], { code: 0, signal: null, startError: null }, {})
    expect(report.recording).toEqual({ path: '/records/run.jsonl.gz', ticks: 2, bytes: null, error: 'ENOSPC: no space left on device' })
    expect(errors).toEqual(['the recording /records/run.jsonl.gz stopped: ENOSPC: no space left on device'])
    expect(report.phases).toHaveLength(4)
  })
})
