/*
 * The macOS provider end to end on a made-up Mac: a libproc stand-in that serves proc_fdinfo,
 * socket_fdinfo and proc_bsdinfo buffers laid out from sys/proc_info.h. What the walk does with
 * processes that exit, are not ours, share a socket or hold a malformed one is pinned here; the
 * decoding itself in libproc-socket-decoder.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { DARWIN_ACTIONS_UNSUPPORTED, DARWIN_CLOSE_EVENTS_UNSUPPORTED, DarwinPlatform } from '../../../../../electron/backend/platform/darwin/darwin-platform'
import type { LibprocAccess, LibprocAnswer } from '../../../../../electron/backend/platform/darwin/libproc'
import { bsdInfo, inetSocketFdinfo, unixSocketFdinfo } from '../../../../support/libproc-structs'

interface MadeUpProcess {
  readonly bsd: Buffer | 'denied'
  /** fd → socket_fdinfo bytes, or a non-socket fd (type 1, a vnode). */
  readonly fds: ReadonlyMap<number, Buffer | 'vnode' | 'gone'>
  readonly path: string | null
}

function fdList(fds: ReadonlyMap<number, unknown>): Buffer {
  const buffer = Buffer.alloc(8 * fds.size)
  let offset = 0
  for (const [fd, what] of fds) {
    buffer.writeInt32LE(fd, offset)
    buffer.writeUInt32LE(what === 'vnode' ? 1 : 2, offset + 4)
    offset += 8
  }
  return buffer
}

const denied: LibprocAnswer = { ok: false, failure: 'denied', errno: 1 }
const gone: LibprocAnswer = { ok: false, failure: 'gone', errno: 3 }

function madeUpMac(processes: ReadonlyMap<number, MadeUpProcess>, calls: string[] = []): LibprocAccess {
  return {
    listPids: () => [...processes.keys(), 99999],
    listFds(pid) {
      calls.push(`fds ${pid}`)
      const process = processes.get(pid)
      if (process === undefined) return gone
      if (process.bsd === 'denied') return denied
      return { ok: true, bytes: fdList(process.fds) }
    },
    socketInfo(pid, fd) {
      calls.push(`socket ${pid} ${fd}`)
      const bytes = processes.get(pid)?.fds.get(fd)
      return bytes instanceof Buffer ? { ok: true, bytes } : gone
    },
    bsdInfo(pid) {
      const bsd = processes.get(pid)?.bsd
      return bsd instanceof Buffer ? { ok: true, bytes: bsd } : denied
    },
    processPath: (pid) => processes.get(pid)?.path ?? null,
    userName: (uid) => ({ 0: 'root', 501: 'dev' })[uid] ?? null,
    sessionOf: (pid) => (processes.has(pid) ? 1 : null)
  }
}

const listener = inetSocketFdinfo({
  kind: 'tcp',
  family: 4,
  local: ['0.0.0.0', 8080],
  remote: ['0.0.0.0', 0],
  tcpState: 1,
  handle: 0xaan,
  uid: 501,
  listening: { queued: 0, limit: 128 }
})
const connection = inetSocketFdinfo({ kind: 'tcp', family: 4, local: ['127.0.0.1', 8080], remote: ['127.0.0.1', 50123], tcpState: 5, handle: 0xbbn, uid: 501, receiveBytes: 12 })
const unix = unixSocketFdinfo({ type: 1, path: '/tmp/app.sock', peerPath: '', stateFlags: 0, handle: 0xccn, listening: { queued: 0, limit: 5 } })
const malformed = Buffer.alloc(100)

function standardMac(calls?: string[]): LibprocAccess {
  return madeUpMac(
    new Map<number, MadeUpProcess>([
      [
        700,
        {
          bsd: bsdInfo({ pid: 700, parentPid: 1, uid: 501, comm: 'node', start: [1_700_000_000, 5] }),
          fds: new Map<number, Buffer | 'vnode'>([
            [0, 'vnode'],
            [21, listener],
            [22, connection],
            [23, unix]
          ]),
          path: '/usr/local/bin/node'
        }
      ],
      // A forked worker holding the same listener: one row, two owners.
      [701, { bsd: bsdInfo({ pid: 701, parentPid: 700, uid: 501, comm: 'node', name: 'worker' }), fds: new Map([[21, listener]]), path: '/usr/local/bin/node' }],
      [88, { bsd: 'denied', fds: new Map(), path: null }],
      [
        90,
        {
          bsd: bsdInfo({ pid: 90, parentPid: 1, uid: 0, comm: 'odd' }),
          fds: new Map<number, Buffer | 'gone'>([
            [4, malformed],
            [5, 'gone']
          ]),
          path: null
        }
      ]
    ]),
    calls
  )
}

describe('DarwinPlatform over libproc', () => {
  it('lists each socket once with every process holding it, owners lowest pid first', async () => {
    const platform = new DarwinPlatform({ libproc: standardMac(), run: () => Promise.reject(new Error('no tools here')) })
    const read = await platform.sockets.read({ withProcesses: true })
    expect(platform.sockets.reader).toEqual({ kind: 'libproc', note: null, homeNetns: null })
    const byPort = (port: number, state: string) => read.sockets.find((socket) => socket.localPort === port && socket.state === state)
    const shared = byPort(8080, 'LISTEN')
    expect(shared?.owners.map((owner) => [owner.pid, owner.process, owner.command, owner.user])).toEqual([
      [700, 'node', '/usr/local/bin/node', 'dev'],
      [701, 'worker', '/usr/local/bin/node', 'dev']
    ])
    expect(shared).toMatchObject({ pid: 700, process: 'node', user: 'dev', ownerVisibility: 'known', sendQueue: 128 })
    expect(byPort(8080, 'CLOSE_WAIT')).toMatchObject({ remotePort: 50123, recvQueue: 12, pid: 700 })
    expect(read.sockets.find((socket) => socket.protocol === 'unix')).toMatchObject({ localAddress: '/tmp/app.sock', state: 'LISTEN', pid: 700 })
    expect(read.sockets).toHaveLength(3)
  })

  it('reports a malformed socket with its pid and fd, counts a process not ours as restricted, and skips fds closed mid-walk', async () => {
    const platform = new DarwinPlatform({ libproc: standardMac() })
    const read = await platform.sockets.read({ withProcesses: true })
    expect(read.issues).toEqual([{ source: 'libproc', line: 4, message: 'pid 90 fd 4: socket_fdinfo is 792 bytes, got 100', text: '' }])
    expect(read.partialOwnership).toBe(true)
  })

  it('does not ask for socket details of fds that are not sockets', async () => {
    const calls: string[] = []
    await new DarwinPlatform({ libproc: standardMac(calls) }).sockets.read({ withProcesses: false })
    expect(calls.filter((call) => call.startsWith('socket 700'))).toEqual(['socket 700 21', 'socket 700 22', 'socket 700 23'])
  })

  it('leaves owners out when processes are not asked for, and says an owner exists', async () => {
    const read = await new DarwinPlatform({ libproc: standardMac() }).sockets.read({ withProcesses: false })
    expect(read.sockets.every((socket) => socket.owners.length === 0 && socket.pid === null && socket.ownerVisibility === 'hidden')).toBe(true)
    expect(read.partialOwnership).toBe(false)
  })

  it('reads processes, fd counts and sessions through libproc', async () => {
    const platform = new DarwinPlatform({ libproc: standardMac() })
    expect(await platform.system.countOpenFileDescriptors(700)).toBe(4)
    expect(await platform.system.countOpenFileDescriptors(4242)).toBeNull()
    expect(await platform.system.readProcessName(701)).toBe('worker')
    const processes = await platform.system.listProcesses()
    expect(processes.find((status) => status.pid === 700)).toEqual({ pid: 700, parentPid: 1, sessionId: 1, startTime: 1_700_000_000_000_005, name: 'node', state: 'R' })
    expect(processes.map((status) => status.pid)).toEqual([700, 701, 90])
    expect(await platform.system.readSoftOpenFilesLimit(700)).toBeNull()
  })

  it('says why it cannot close connections or follow closes, and touches nothing', () => {
    const platform = new DarwinPlatform({ libproc: standardMac() })
    expect(platform.actions.unsupported).toBe(DARWIN_ACTIONS_UNSUPPORTED)
    expect(platform.actions.closeTcpConnection({ family: 4, localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '127.0.0.1', remotePort: 50123, inode: 0 })).toEqual({
      closed: false,
      reason: 'unsupported',
      message: DARWIN_ACTIONS_UNSUPPORTED
    })
    expect(() => platform.closeEvents.start({ closed() {}, lost() {}, failed() {} })).toThrow(DARWIN_CLOSE_EVENTS_UNSUPPORTED)
  })

  it('on another OS builds, and every read says it needs a Mac', async () => {
    const platform = new DarwinPlatform({ host: 'linux' })
    await expect(platform.sockets.read({ withProcesses: true })).rejects.toThrow("The macOS socket provider reads a Mac's tables; this host runs linux.")
    await expect(platform.system.readPortRange()).rejects.toThrow('this host runs linux')
  })
})
