/*
 * The Windows provider end to end on a made-up machine: a stand-in for iphlpapi and kernel32
 * that serves tables built from the documented row structs, filled with the sockets of the real
 * Windows 10 `netstat -ano` recording, and a toolhelp process list. Closing goes through the
 * actions domain's gate, as on Linux.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createActionsModule } from '../../../../../electron/backend/actions/actions-module'
import type { SystemActionQuestion } from '../../../../../electron/backend/actions/system-action-gate'
import type { BackendContext } from '../../../../../electron/backend/backend-module'
import type { WindowsAccess } from '../../../../../electron/backend/platform/win32/iphlpapi'
import { decodeProcessEntry } from '../../../../../electron/backend/platform/win32/process-entry'
import { closeOutcome } from '../../../../../electron/backend/platform/win32/win32-system-actions'
import { WIN32_CLOSE_EVENTS_UNSUPPORTED, Win32Platform } from '../../../../../electron/backend/platform/win32/win32-platform'
import { parseNetstatAno } from '../../../../../electron/backend/platform/win32/netstat-ano'
import { PrivateFolder } from '../../../../../electron/backend/storage/private-folder'
import type { ActionResult } from '../../../../../shared/model/action'
import type { SocketEntry } from '../../../../../shared/model/socket'
import { ifTable, mibTable, processEntryBytes } from '../../../../support/windows-structs'

const recordingText = readFileSync(join(__dirname, '../../../../fixtures/win32/netstat-ano-windows10.txt'), 'utf8')
const recorded = parseNetstatAno(recordingText).sockets
const of = (protocol: string, family: number) => recorded.filter((socket) => socket.protocol === protocol && socket.family === family)

/** The recorded machine's processes, as toolhelp would list them (names made up; the recording has pids only). */
const PROCESSES = [
  [4, 0, 'System'],
  [1712, 620, 'svchost.exe'],
  [10644, 1712, 'node.exe'],
  [620, 500, 'services.exe']
] as const

function madeUpWindows(closes: Uint8Array[] = [], closeStatus = 0): WindowsAccess {
  return {
    tcpTable: (family) => mibTable(family === 4 ? 'tcp4' : 'tcp6', of('tcp', family)),
    udpTable: (family) => mibTable(family === 4 ? 'udp4' : 'udp6', of('udp', family)),
    interfaceTable: () =>
      ifTable([{ alias: 'Ethernet', inOctets: 1_637_241_330n, inUnicast: 1_246_900n, inOther: 82n, outOctets: 48_464_317n, outUnicast: 537_991n, outOther: 0n }]),
    setTcpEntry(row) {
      closes.push(row)
      return closeStatus
    },
    processes: () => PROCESSES.map(([pid, parent, name]) => decodeProcessEntry(processEntryBytes(pid, parent, name))),
    imagePath: (pid) => (pid === 10644 ? 'C:\\Program Files\\nodejs\\node.exe' : null),
    handleCount: (pid) => (pid === 10644 ? 312 : null)
  }
}

describe('Win32Platform over iphlpapi', () => {
  it('reads all four tables with each row owned by its pid, named from toolhelp', async () => {
    const platform = new Win32Platform({ access: madeUpWindows() })
    expect(platform.sockets.reader).toEqual({ kind: 'iphlpapi', note: null, homeNetns: null })
    const read = await platform.sockets.read({ withProcesses: true })
    expect(read.issues).toEqual([])
    expect(read.sockets).toHaveLength(recorded.length)
    const connection = read.sockets.find((socket) => socket.localPort === 1031)
    expect(connection).toMatchObject({ pid: 10644, process: 'node.exe', command: 'C:\\Program Files\\nodejs\\node.exe', ownerVisibility: 'known', user: null, inode: 0 })
    expect(read.sockets.find((socket) => socket.localPort === 445 && socket.family === 4)).toMatchObject({ pid: 4, process: 'System', command: 'System' })
    // A pid toolhelp did not list keeps its number as its name.
    expect(read.sockets.find((socket) => socket.localPort === 443 && socket.family === 4)).toMatchObject({ pid: 9396, process: 'pid 9396' })
  })

  it('keeps every socket a process bound to the same port, each with an id of its own', async () => {
    const read = await new Win32Platform({ access: madeUpWindows() }).sockets.read({ withProcesses: true })
    const mdns = read.sockets.filter((socket) => socket.protocol === 'udp' && socket.family === 4 && socket.localPort === 5353)
    expect(mdns.map((socket) => socket.pid)).toEqual([14156, 27696, 3404])
    const duplicates = read.sockets.filter((socket) => socket.localPort === 1900 && socket.localAddress === '0.0.0.0')
    expect(new Set(duplicates.map((socket) => socket.id)).size).toBe(duplicates.length)
    expect(duplicates).toHaveLength(2)
  })

  it('says a socket of pid 0 (the System Idle Process, TIME_WAIT) has no owner', async () => {
    const access = madeUpWindows()
    const withTimeWait: WindowsAccess = {
      ...access,
      tcpTable: (family) => (family === 4 ? mibTable('tcp4', [{ ...recorded[0]!, state: 'TIME_WAIT', remotePort: 80, remoteAddress: '10.0.0.1', pid: 0 }]) : access.tcpTable(6))
    }
    const read = await new Win32Platform({ access: withTimeWait }).sockets.read({ withProcesses: true })
    expect(read.sockets.find((socket) => socket.state === 'TIME_WAIT')).toMatchObject({ pid: null, owners: [], ownerVisibility: 'none' })
  })

  it('reads what it can when one table fails, saying which, and rejects when none can be read', async () => {
    const access = madeUpWindows()
    const failing: WindowsAccess = {
      ...access,
      udpTable: (family) => {
        if (family === 6) throw new Error('GetExtendedUdpTable (IPv6) failed with Windows error 50')
        return access.udpTable(family)
      }
    }
    const read = await new Win32Platform({ access: failing }).sockets.read({ withProcesses: true })
    expect(read.issues).toEqual([{ source: 'udp6', line: 0, message: 'GetExtendedUdpTable (IPv6) failed with Windows error 50', text: '' }])
    expect(read.sockets).toHaveLength(recorded.length - of('udp', 6).length)
    const broken: WindowsAccess = { ...access, tcpTable: () => Buffer.alloc(0), udpTable: () => Buffer.alloc(0) }
    await expect(new Win32Platform({ access: broken }).sockets.read({ withProcesses: true })).rejects.toThrow(
      `no socket table could be read: ${Array(4).fill('the table is 0 bytes, too short for its row count').join('; ')}`
    )
  })

  it('reads processes, handle counts, interface counters, and the port range from netsh', async () => {
    const platform = new Win32Platform({
      access: madeUpWindows(),
      run: async (file, args) =>
        file === 'netsh' && args.join(' ') === 'int ipv4 show dynamicport tcp' ? 'Protocol tcp Dynamic Port Range\r\n---\r\nStart Port : 49152\r\nNumber of Ports : 16384\r\n' : ''
    })
    expect(await platform.system.countOpenFileDescriptors(10644)).toBe(312)
    expect(await platform.system.countOpenFileDescriptors(4)).toBeNull()
    expect(await platform.system.readProcessName(1712)).toBe('svchost.exe')
    expect(await platform.system.listProcessIds()).toEqual([4, 1712, 10644, 620])
    expect(await platform.system.readPortRange()).toEqual({ low: 49152, high: 65535 })
    expect(await platform.system.readInterfaceCounters()).toEqual([
      { name: 'Ethernet', receiveBytes: 1_637_241_330, receivePackets: 1_246_982, transmitBytes: 48_464_317, transmitPackets: 537_991 }
    ])
    expect(await new Win32Platform({ access: null, run: async () => '' }).system.readInterfaceCounters()).toBeNull()
    expect(() => platform.closeEvents.start({ closed() {}, lost() {}, failed() {} })).toThrow(WIN32_CLOSE_EVENTS_UNSUPPORTED)
  })

  it('walks ancestors and descendants over the toolhelp list', () => {
    const actions = new Win32Platform({ access: madeUpWindows() }).actions
    expect(actions.ancestorsOf(10644)).toEqual([1712, 620, 500])
    expect(actions.descendantsOf(620).sort()).toEqual([10644, 1712])
    expect(actions.processStatus(1712)).toEqual({ pid: 1712, parentPid: 620, sessionId: 1712, startTime: 0, name: 'svchost.exe', state: 'R' })
    expect(actions.isRunning(99)).toBe(false)
  })

  it('on another OS builds, and every read says it needs Windows', async () => {
    const platform = new Win32Platform({ host: 'linux' })
    await expect(platform.sockets.read({ withProcesses: true })).rejects.toThrow("The Windows socket provider reads a Windows machine's tables; this host runs linux.")
    expect(platform.actions.unsupported).toContain('this host runs linux')
  })
})

describe('the netstat fallback', () => {
  it('reads netstat -ano with names from tasklist, saying why it is used', async () => {
    const calls: string[] = []
    const platform = new Win32Platform({
      access: null,
      run: async (file, args) => {
        calls.push(`${file} ${args.join(' ')}`)
        return file === 'netstat' ? recordingText : '"svchost.exe","1712","Services","0","12,345 K"\r\n'
      }
    })
    expect(platform.sockets.reader.note).toBe('iphlpapi was not asked for; reading netstat and tasklist instead')
    const read = await platform.sockets.read({ withProcesses: true })
    expect(calls).toEqual(['netstat -ano', 'tasklist /fo csv /nh'])
    expect(read.sockets).toHaveLength(recorded.length)
    expect(read.sockets[0]).toMatchObject({ localPort: 135, pid: 1712, process: 'svchost.exe' })
    expect(platform.actions.unsupported).toContain('could not be bound')
  })

  it('keeps the table with an issue when tasklist fails, and rejects when netstat does', async () => {
    const withoutTasklist = new Win32Platform({ access: null, run: async (file) => (file === 'netstat' ? recordingText : Promise.reject(new Error('tasklist: access denied'))) })
    const read = await withoutTasklist.sockets.read({ withProcesses: true })
    expect(read.issues).toEqual([{ source: 'tasklist', line: 0, message: 'tasklist: access denied', text: '' }])
    expect(read.sockets[0]).toMatchObject({ pid: 1712, process: 'pid 1712' })
    const nothing = new Win32Platform({ access: null, run: () => Promise.reject(new Error('not found')) })
    await expect(nothing.sockets.read({ withProcesses: true })).rejects.toThrow('netstat -ano could not be run: not found')
  })
})

describe('closing a connection on Windows', () => {
  it('maps SetTcpEntry answers to what the user is told', () => {
    expect(closeOutcome(0)).toEqual({ closed: true })
    expect(closeOutcome(5)).toMatchObject({ closed: false, reason: 'failed', message: 'Windows refused (error 5): closing a connection needs sockscope to run as administrator' })
    expect(closeOutcome(317)).toMatchObject({ reason: 'failed', message: expect.stringContaining('administrator') })
    expect(closeOutcome(1168)).toMatchObject({ reason: 'already-gone' })
    expect(closeOutcome(65)).toEqual({ closed: false, reason: 'failed', message: 'SetTcpEntry failed with Windows error 65' })
  })

  let folder: string | null = null
  afterEach(async () => {
    if (folder !== null) await rm(folder, { recursive: true, force: true })
    folder = null
  })

  /** The actions domain over the Windows actions, with `row` in its table and the host answering `answer`. */
  async function actionsOver(access: WindowsAccess, row: SocketEntry, answer: boolean, questions: SystemActionQuestion[]) {
    folder = await mkdtemp(join(tmpdir(), 'sockscope-win32-actions-'))
    const context = {
      options: { systemActions: { actions: 'ask', ask: async (question: SystemActionQuestion) => (questions.push(question), answer) } },
      data: new PrivateFolder(folder),
      sockets: { current: () => ({ sockets: [row] }) },
      emit: () => {}
    } as unknown as BackendContext
    return createActionsModule(new Win32Platform({ access }).actions)(context)
  }

  it('asks first, as on Linux: a no sends nothing to SetTcpEntry, a yes sends the DELETE_TCB row once', async () => {
    const read = await new Win32Platform({ access: madeUpWindows() }).sockets.read({ withProcesses: true })
    const row = read.sockets.find((socket) => socket.localPort === 1031)!
    for (const answer of [false, true]) {
      const closes: Uint8Array[] = []
      const questions: SystemActionQuestion[] = []
      const module = await actionsOver(madeUpWindows(closes), row, answer, questions)
      const result = (await module.handlers['actions/close-connection']!({ socketId: row.id }, { actor: 'desktop', label: 'desktop window' })) as ActionResult
      expect(questions).toEqual([{ action: 'close-connection', target: 'tcp 127.0.0.1:1031 → 127.0.0.1:1032 of node.exe (10644)', process: 'node.exe (10644)' }])
      if (answer) {
        expect(result).toMatchObject({ outcome: 'done', message: 'closed; the peer was sent a reset' })
        expect(closes.map((bytes) => [...bytes])).toEqual([[12, 0, 0, 0, 127, 0, 0, 1, 0x04, 0x07, 0, 0, 127, 0, 0, 1, 0x04, 0x08, 0, 0]])
      } else {
        expect(result).toMatchObject({ outcome: 'refused', reason: 'declined' })
        expect(closes).toEqual([])
      }
      await module.dispose?.()
    }
  })

  it('tells an IPv6 connection cannot be closed on Windows, after the same question', async () => {
    const read = await new Win32Platform({ access: madeUpWindows() }).sockets.read({ withProcesses: true })
    const listener = read.sockets.find((socket) => socket.family === 6 && socket.protocol === 'tcp')!
    const connection: SocketEntry = { ...listener, state: 'ESTABLISHED', remoteAddress: '::1', remotePort: 5000 }
    const closes: Uint8Array[] = []
    const module = await actionsOver(madeUpWindows(closes), connection, true, [])
    const result = (await module.handlers['actions/close-connection']!({ socketId: connection.id }, { actor: 'desktop', label: 'desktop window' })) as ActionResult
    expect(result).toMatchObject({ outcome: 'failed', reason: 'unsupported', message: 'Windows can close only IPv4 connections (SetTcpEntry has no IPv6 counterpart)' })
    expect(closes).toEqual([])
    await module.dispose?.()
  })
})
