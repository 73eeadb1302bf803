import { describe, expect, it } from 'vitest'
import { ProcessTree } from '../../../../electron/backend/run/process-tree'
import type { ProcessStatus } from '../../../../electron/backend/platform/platform'

const status = (pid: number, parentPid: number, options: Partial<ProcessStatus> = {}): ProcessStatus => ({
  pid,
  parentPid,
  sessionId: options.sessionId ?? 1,
  startTime: options.startTime ?? 100,
  state: options.state ?? 'S',
  name: options.name ?? `p${pid}`
})

const sorted = (pids: ReadonlySet<number>): number[] => [...pids].sort((a, b) => a - b)

describe('ProcessTree', () => {
  it('holds the command and every descendant, and nothing beside it', () => {
    const tree = new ProcessTree(10, { ownSession: false })
    const members = tree.update([status(1, 0), status(9, 1), status(10, 9), status(11, 10), status(12, 11), status(20, 9)], 1000)
    expect(sorted(members)).toEqual([10, 11, 12])
  })

  it('keeps a child re-parented to init after its parent died, since it was seen in the tree', () => {
    const tree = new ProcessTree(10, { ownSession: false })
    tree.update([status(1, 0), status(10, 9), status(11, 10)], 1000)
    const members = tree.update([status(1, 0), status(11, 1), status(12, 11)], 2000)
    expect(sorted(members)).toEqual([11, 12])
    expect(tree.everyProcess().find((process) => process.pid === 10)?.exitedAt).toBe(2000)
  })

  it('finds an orphan never seen under its parent through the session the command leads', () => {
    const tree = new ProcessTree(10, { ownSession: true })
    tree.update([status(10, 9, { sessionId: 10, startTime: 500 })], 1000)
    // 15 leads a session that an older process of the command's pid once started: not the command's.
    const members = tree.update(
      [status(13, 1, { sessionId: 10, startTime: 510 }), status(14, 1, { sessionId: 99, startTime: 510 }), status(15, 1, { sessionId: 10, startTime: 400 })],
      2000
    )
    expect(sorted(members)).toEqual([13])
    // Without a session of its own, the session says nothing.
    const shared = new ProcessTree(10, { ownSession: false })
    shared.update([status(10, 9, { sessionId: 10, startTime: 500 })], 1000)
    expect(sorted(shared.update([status(13, 1, { sessionId: 10, startTime: 510 })], 2000))).toEqual([])
  })

  it('does not take in a stranger that got the pid of a member after it exited', () => {
    const tree = new ProcessTree(10, { ownSession: false })
    tree.update([status(10, 9), status(11, 10, { startTime: 150 })], 1000)
    const members = tree.update([status(10, 9), status(11, 1, { startTime: 900 })], 2000)
    expect(sorted(members)).toEqual([10])
  })

  it('follows a name changed by exec', () => {
    const tree = new ProcessTree(10, { ownSession: false })
    tree.update([status(10, 9, { name: 'sh' })], 1000)
    tree.update([status(10, 9, { name: 'node' })], 2000)
    expect(tree.running().map((process) => process.name)).toEqual(['node'])
  })
})
