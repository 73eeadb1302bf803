/** Pure comparison of two socket tables, the heart of every live tick. */
import type { SocketDiff, SocketEntry, SocketSnapshot } from '../../../shared/model/socket'

/** True when a socket changed in a way a user watching the table cares about. */
export function socketChanged(before: SocketEntry, after: SocketEntry): boolean {
  return (
    before.state !== after.state ||
    before.recvQueue !== after.recvQueue ||
    before.sendQueue !== after.sendQueue ||
    before.pid !== after.pid ||
    before.owners.length !== after.owners.length ||
    before.retransmits !== after.retransmits ||
    before.ownerVisibility !== after.ownerVisibility
  )
}

/**
 * What was added, removed and changed going from `previous` to `next`. Timer countdowns are
 * ignored on purpose: they change on every read and would make every TCP socket "changed".
 */
export function diffSnapshots(previous: SocketSnapshot, next: SocketSnapshot): SocketDiff {
  const before = new Map<string, SocketEntry>()
  for (const socket of previous.sockets) before.set(socket.id, socket)
  const added: SocketEntry[] = []
  const changed: SocketEntry[] = []
  for (const socket of next.sockets) {
    const old = before.get(socket.id)
    if (old === undefined) added.push(socket)
    else {
      before.delete(socket.id)
      if (socketChanged(old, socket)) changed.push(socket)
    }
  }
  return {
    tick: next.tick,
    previousTick: previous.tick,
    takenAt: next.takenAt,
    refreshMs: next.refreshMs,
    added,
    removed: [...before.keys()],
    changed,
    issues: next.issues,
    partialOwnership: next.partialOwnership
  }
}

/** Applies a diff to a table keyed by socket id, in place; the inverse of `diffSnapshots`. */
export function applyDiff(table: Map<string, SocketEntry>, diff: SocketDiff): void {
  for (const id of diff.removed) table.delete(id)
  for (const socket of diff.added) table.set(socket.id, socket)
  for (const socket of diff.changed) table.set(socket.id, socket)
}
