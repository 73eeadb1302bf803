/** The follower feeds monitor ticks to the session one at a time, skipping (never piling up) ticks when it falls behind. */
import { describe, expect, it } from 'vitest'
import { HistoryFollower } from '../../../../electron/backend/history/history-follower'
import { HistorySession } from '../../../../electron/backend/history/history-session'
import { SocketMonitor } from '../../../../electron/backend/sockets/socket-monitor'
import type { SocketProvider, SystemReader } from '../../../../electron/backend/platform/platform'

const emptyTables: SocketProvider = {
  platform: 'test',
  reader: { kind: 'test', note: null, homeNetns: null },
  read: async () => ({ sockets: [], issues: [], partialOwnership: false })
}

/** System readers whose interface counters read waits until the test lets it go, so a tick can be held mid-way. */
function heldReaders(): { readers: SystemReader; release: () => void; waiting: () => number } {
  const gates: (() => void)[] = []
  let open = false
  const readers: SystemReader = {
    readInterfaceCounters: () => (open ? Promise.resolve(null) : new Promise<null>((resolve) => gates.push(() => resolve(null)))),
    readPortRange: async () => null,
    countOpenFileDescriptors: async () => null,
    readSoftOpenFilesLimit: async () => null,
    listProcessIds: async () => [],
    readProcessName: async () => null,
    processExists: async () => false,
    listProcesses: async () => [],
    findUnixPeer: async () => null
  }
  return {
    readers,
    release: () => {
      open = true
      for (const gate of gates.splice(0)) gate()
    },
    waiting: () => gates.length
  }
}

async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve))
}

describe('HistoryFollower', () => {
  it('handles one tick at a time, keeps one waiting and skips the rest while it is behind', async () => {
    const held = heldReaders()
    const monitor = new SocketMonitor(emptyTables)
    const follower = new HistoryFollower(monitor, new HistorySession({ readers: held.readers }))
    const handled: number[] = []
    follower.onTick(({ snapshot }) => handled.push(snapshot.tick))

    for (let tick = 1; tick <= 4; tick++) await monitor.refresh()
    await settle()
    // Tick 1 is held in its /proc read, tick 2 waits behind it, ticks 3 and 4 were skipped.
    expect(held.waiting()).toBe(1)
    expect(handled).toEqual([])

    held.release()
    await follower.idle()
    expect(handled).toEqual([1, 2])
    expect(follower.session.store.info().points).toBe(2)

    await monitor.refresh()
    await follower.idle()
    expect(handled).toEqual([1, 2, 5])
  })

  it('stops following: a later tick reaches neither the session nor the listeners', async () => {
    const monitor = new SocketMonitor(emptyTables)
    const follower = new HistoryFollower(monitor, new HistorySession({ readers: heldReaders().readers }))
    const handled: number[] = []
    follower.onTick(({ snapshot }) => handled.push(snapshot.tick))
    await follower.stop()
    await monitor.refresh()
    await settle()
    expect(handled).toEqual([])
    expect(follower.session.store.info().points).toBe(0)
  })

  it('reports a tick the session could not handle and goes on with the next', async () => {
    const held = heldReaders()
    held.release()
    const monitor = new SocketMonitor(emptyTables)
    const follower = new HistoryFollower(monitor, new HistorySession({ readers: held.readers }))
    const errors: string[] = []
    const handled: number[] = []
    follower.onError((error) => errors.push(error.message))
    follower.onTick(({ snapshot }) => {
      handled.push(snapshot.tick)
      if (snapshot.tick === 1) throw new Error('a listener failed on tick 1')
    })
    await monitor.refresh()
    await follower.idle()
    await monitor.refresh()
    await follower.idle()
    expect(errors).toEqual(['a listener failed on tick 1'])
    expect(handled).toEqual([1, 2])
  })
})
