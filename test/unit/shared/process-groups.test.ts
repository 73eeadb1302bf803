import { describe, expect, it } from 'vitest'
import { groupSocketsByProcess, sectionProcessGroupsByNamespace } from '../../../shared/process-groups'
import { emptySocketEntry } from '../../../shared/model/socket'
import { buildSocket } from '../../support/socket-builder'

const HOST = 4026531840
const CONTAINER = 4026532301
const BARE = 4026532455

describe('process groups by network namespace', () => {
  const sockets = [
    buildSocket({ localPort: 22, inode: 1, pid: 10, process: 'sshd', netns: HOST }),
    buildSocket({ localPort: 8080, inode: 2, pid: 20, process: 'nginx', netns: CONTAINER, container: 'docker:3f2a9c1b7d4e' }),
    buildSocket({ localPort: 8081, inode: 3, pid: 20, process: 'nginx', netns: CONTAINER, container: 'docker:3f2a9c1b7d4e' }),
    // Connections without an owner, on the same ends, in two namespaces: one ownerless group each.
    buildSocket({ state: 'TIME_WAIT', inode: 0, pid: null, process: null, owners: [], ownerVisibility: 'none', netns: HOST }),
    buildSocket({ state: 'TIME_WAIT', inode: 0, pid: null, process: null, owners: [], ownerVisibility: 'none', netns: CONTAINER, container: 'docker:3f2a9c1b7d4e' }),
    buildSocket({ localPort: 9000, inode: 4, pid: 30, process: 'python3', netns: BARE }),
    buildSocket({ localPort: 9001, inode: 5, pid: 30, process: 'python3', netns: BARE }),
    buildSocket({ localPort: 9002, inode: 6, pid: 30, process: 'python3', netns: BARE })
  ]

  it('keeps ownerless sockets of each namespace in a group of their own', () => {
    const ownerless = groupSocketsByProcess(sockets, { byNamespace: true }).filter((group) => group.pid === null)
    expect(ownerless.map((group) => [group.netns, group.total]).sort()).toEqual(
      [
        [HOST, 1],
        [CONTAINER, 1]
      ].sort()
    )
  })

  it('puts the home namespace first as Host, then the others by size, named by container or number', () => {
    const sections = sectionProcessGroupsByNamespace(groupSocketsByProcess(sockets, { byNamespace: true }), HOST)
    expect(sections.map((section) => [section.title, section.total, section.home])).toEqual([
      ['Host', 2, true],
      ['docker:3f2a9c1b7d4e', 3, false],
      [`Network namespace ${BARE}`, 3, false]
    ])
    expect(sections[1]!.groups.map((group) => [group.process, group.total])).toEqual([
      ['nginx', 2],
      ['(no owner)', 1]
    ])
  })

  it('shows a process under each namespace it holds sockets of, and under one group when not grouping by namespace', () => {
    const inherited = buildSocket({
      ...emptySocketEntry('unix', null),
      localAddress: '',
      state: 'ESTABLISHED',
      unixType: 'stream',
      inode: 7,
      pid: 30,
      process: 'python3',
      netns: HOST
    })
    const withPipe = [...sockets, inherited]
    const sections = sectionProcessGroupsByNamespace(groupSocketsByProcess(withPipe, { byNamespace: true }), HOST)
    const python = sections.flatMap((section) => section.groups.filter((group) => group.pid === 30).map((group) => [section.title, group.total]))
    expect(python).toEqual([
      ['Host', 1],
      [`Network namespace ${BARE}`, 3]
    ])
    expect(
      groupSocketsByProcess(withPipe)
        .filter((group) => group.pid === 30)
        .map((group) => group.total)
    ).toEqual([4])
    expect(groupSocketsByProcess(withPipe).filter((group) => group.pid === null)).toHaveLength(1)
  })

  it('orders namespaces by size alone when the home one is not known', () => {
    const sections = sectionProcessGroupsByNamespace(groupSocketsByProcess(sockets, { byNamespace: true }), null)
    expect(sections.map((section) => section.total)).toEqual([3, 3, 2])
    expect(sections.some((section) => section.home)).toBe(false)
  })
})

describe('what a process group counts', () => {
  const owner = { pid: 40, process: 'app', command: 'app --serve', user: 'alice' }
  const sockets = [
    // UNIX sockets carry no uid: the user comes from the owning process.
    buildSocket({ protocol: 'unix', family: null, state: 'ESTABLISHED', inode: 11, pid: 40, process: 'app', user: null, uid: null, owners: [owner] }),
    buildSocket({ state: 'CLOSE_WAIT', inode: 12, pid: 40, process: 'app', user: null, owners: [owner], throughput: { sendBytesPerSecond: 100, receiveBytesPerSecond: 7 } }),
    buildSocket({ state: 'CLOSE_WAIT', inode: 13, pid: 40, process: 'app', user: null, owners: [owner], throughput: { sendBytesPerSecond: 20, receiveBytesPerSecond: 3 } }),
    buildSocket({ state: 'LISTEN', inode: 14, pid: 40, process: 'app', user: null, owners: [owner], throughput: null }),
    buildSocket({ state: 'LISTEN', inode: 15, pid: 50, process: 'quiet', throughput: null })
  ]
  const [app, quiet] = groupSocketsByProcess(sockets)

  it('names the user of the process, also for one with only UNIX sockets', () => {
    expect(groupSocketsByProcess(sockets.slice(0, 1))[0]?.user).toBe('alice')
    expect(app?.user).toBe('alice')
  })

  it('counts sockets per state, CLOSE_WAIT included', () => {
    expect(app?.states).toEqual({ ESTABLISHED: 1, CLOSE_WAIT: 2, LISTEN: 1 })
  })

  it('adds up bytes per second where connections have a rate, and has none where no socket does', () => {
    expect([app?.sendBytesPerSecond, app?.receiveBytesPerSecond]).toEqual([120, 10])
    expect([quiet?.sendBytesPerSecond, quiet?.receiveBytesPerSecond]).toEqual([null, null])
  })
})
