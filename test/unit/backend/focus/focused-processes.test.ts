/**
 * Following focused processes: when a process's sockets vanish, whether it still runs decides
 * between "it closed them" (the list empties) and "it exited" (the last sockets stay, with when).
 */
import { describe, expect, it } from 'vitest'
import { FocusedProcesses } from '../../../../electron/backend/focus/focused-processes'
import { buildSocket } from '../../../support/socket-builder'

const PID = 4242
const owner = { pid: PID, process: 'leaky', command: 'node leaky.js', user: 'dev' }
const listener = buildSocket({ inode: 1, pid: PID, process: 'leaky', owners: [owner] })
const connection = buildSocket({ inode: 2, state: 'ESTABLISHED', remotePort: 5432, remoteAddress: '127.0.0.1', pid: PID, process: 'leaky', owners: [owner] })
const someoneElse = buildSocket({ inode: 3 })

function follow(running: boolean) {
  const processes = new FocusedProcesses(
    async () => running,
    (id) => (id === listener.id ? { at: 500, openBeforeStart: true } : { at: 900, openBeforeStart: false })
  )
  const memory = processes.follow(PID, 60_000)
  return { processes, memory }
}

describe('FocusedProcesses', () => {
  it('remembers the sockets, name and first sightings of a followed process at each tick', async () => {
    const { processes, memory } = follow(true)
    await processes.observe({ takenAt: 1000, sockets: [listener, connection, someoneElse] })
    expect(memory.sockets.map((socket) => socket.id)).toEqual([listener.id, connection.id])
    expect(memory).toMatchObject({ name: 'leaky', command: 'node leaky.js', user: 'dev', lastSeenAt: 1000, exitedAt: null })
    expect(memory.firstSeen.get(listener.id)).toEqual({ at: 500, openBeforeStart: true })
  })

  it('keeps the last sockets and notes the exit when the process is gone with them', async () => {
    const { processes, memory } = follow(false)
    await processes.observe({ takenAt: 1000, sockets: [listener, connection] })
    await processes.observe({ takenAt: 2000, sockets: [someoneElse] })
    expect(memory.exitedAt).toBe(2000)
    expect(memory.lastSeenAt).toBe(1000)
    expect(memory.sockets.map((socket) => socket.id)).toEqual([listener.id, connection.id])
    expect(memory.firstSeen.get(connection.id)).toEqual({ at: 900, openBeforeStart: false })
    // Later ticks do not wipe them either.
    await processes.observe({ takenAt: 3000, sockets: [] })
    expect(memory.sockets).toHaveLength(2)
  })

  it('empties the list when a running process closed its sockets itself', async () => {
    const { processes, memory } = follow(true)
    await processes.observe({ takenAt: 1000, sockets: [listener, connection] })
    await processes.observe({ takenAt: 2000, sockets: [] })
    expect(memory).toMatchObject({ exitedAt: null, lastSeenAt: 2000, sockets: [] })
  })

  it('stops following a process once its follow time has passed', async () => {
    const { processes } = follow(true)
    await processes.observe({ takenAt: 60_001, sockets: [listener] })
    const again = processes.follow(PID, 120_000)
    expect(again.sockets).toEqual([])
    expect(again.lastSeenAt).toBeNull()
  })
})
