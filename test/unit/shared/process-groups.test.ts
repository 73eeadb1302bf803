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
