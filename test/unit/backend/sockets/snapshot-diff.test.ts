import { describe, expect, it } from 'vitest'
import type { SocketEntry, SocketSnapshot } from '../../../../shared/model/socket'
import { applyDiff, diffSnapshots } from '../../../../electron/backend/sockets/snapshot-diff'
import { buildSocket } from '../../../support/socket-builder'

function snapshot(tick: number, sockets: SocketEntry[]): SocketSnapshot {
  return { tick, takenAt: tick * 1000, refreshMs: 1, sockets, issues: [], partialOwnership: false }
}

describe('diffSnapshots', () => {
  const listener = buildSocket({ localPort: 80, inode: 1 })
  const client = buildSocket({ localPort: 50000, remoteAddress: '127.0.0.1', remotePort: 80, state: 'ESTABLISHED', inode: 2 })

  it('reports added, removed and changed sockets', () => {
    const closing = { ...client, state: 'CLOSE_WAIT' as const }
    const fresh = buildSocket({ localPort: 50001, remoteAddress: '127.0.0.1', remotePort: 80, state: 'ESTABLISHED', inode: 3 })
    const diff = diffSnapshots(snapshot(1, [listener, client]), snapshot(2, [closing, fresh]))
    expect(diff.added.map((socket) => socket.id)).toEqual([fresh.id])
    expect(diff.removed).toEqual([listener.id])
    expect(diff.changed).toEqual([closing])
    expect(diff).toMatchObject({ tick: 2, previousTick: 1 })
  })

  it('reports nothing for the very same table, and every change for the same rows in a new array', () => {
    const sockets = [listener, client]
    const same = diffSnapshots(snapshot(1, sockets), snapshot(2, sockets))
    expect(same).toMatchObject({ tick: 2, previousTick: 1, added: [], removed: [], changed: [], counters: [] })
    const shorter = diffSnapshots(snapshot(2, sockets), snapshot(3, [client]))
    expect(shorter.removed).toEqual([listener.id])
  })

  it('ignores timer countdowns, which change on every read', () => {
    const before = { ...client, timer: { kind: 'keepalive' as const, expiresInMs: 7000 } }
    const after = { ...client, timer: { kind: 'keepalive' as const, expiresInMs: 6000 } }
    expect(diffSnapshots(snapshot(1, [before]), snapshot(2, [after])).changed).toEqual([])
  })

  it('counts queue and owner changes as changes', () => {
    const queued = { ...client, recvQueue: 10 }
    const orphaned = { ...client, pid: null, owners: [], ownerVisibility: 'none' as const }
    expect(diffSnapshots(snapshot(1, [client]), snapshot(2, [queued])).changed).toHaveLength(1)
    expect(diffSnapshots(snapshot(1, [client]), snapshot(2, [orphaned])).changed).toHaveLength(1)
  })

  it('applyDiff turns the old table into the new one', () => {
    const fresh = buildSocket({ localPort: 9000, inode: 9 })
    const previous = snapshot(1, [listener, client])
    const next = snapshot(2, [{ ...client, sendQueue: 5 }, fresh])
    const table = new Map(previous.sockets.map((socket) => [socket.id, socket]))
    applyDiff(table, diffSnapshots(previous, next))
    expect([...table.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...next.sockets].sort((a, b) => a.id.localeCompare(b.id)))
  })
})
