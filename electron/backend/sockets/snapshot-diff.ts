/** Pure comparison of two socket tables, the heart of every live tick. */
import type { SocketCounters, SocketDiff, SocketEntry, SocketSnapshot } from '../../../shared/model/socket'
import { socketChanged, socketCounters, socketCountersChanged, withCounters } from '../../../shared/socket-field-table'

/**
 * What was added, removed and changed going from `previous` to `next`. A socket is changed when
 * a field of the socket field table differs, except per-tick ones (timer countdowns, counters):
 * those change on every read and would make every TCP socket "changed", so a socket whose only
 * news is per-tick goes in `counters`, which carries just those values.
 */
export function diffSnapshots(previous: SocketSnapshot, next: SocketSnapshot): SocketDiff {
  // The provider hands back last read's very array when no socket changed.
  if (previous.sockets === next.sockets) return diffOf(previous, next, [], [], [], [])
  const before = new Map<string, SocketEntry>()
  for (const socket of previous.sockets) before.set(socket.id, socket)
  const added: SocketEntry[] = []
  const changed: SocketEntry[] = []
  const counters: SocketCounters[] = []
  for (const socket of next.sockets) {
    const old = before.get(socket.id)
    if (old === undefined) added.push(socket)
    else {
      before.delete(socket.id)
      // The provider hands back an unchanged socket as the very row it gave last time.
      if (old === socket) continue
      if (socketChanged(old, socket)) changed.push(socket)
      else if (socketCountersChanged(old, socket)) counters.push(socketCounters(socket))
    }
  }
  return diffOf(previous, next, added, [...before.keys()], changed, counters)
}

function diffOf(previous: SocketSnapshot, next: SocketSnapshot, added: SocketEntry[], removed: string[], changed: SocketEntry[], counters: SocketCounters[]): SocketDiff {
  return {
    tick: next.tick,
    previousTick: previous.tick,
    takenAt: next.takenAt,
    refreshMs: next.refreshMs,
    added,
    removed,
    changed,
    counters,
    issues: next.issues,
    partialOwnership: next.partialOwnership
  }
}

/** Applies a diff to a table keyed by socket id, in place; the inverse of `diffSnapshots`. */
export function applyDiff(table: Map<string, SocketEntry>, diff: Pick<SocketDiff, 'added' | 'removed' | 'changed'> & { readonly counters?: SocketDiff['counters'] }): void {
  for (const id of diff.removed) table.delete(id)
  for (const socket of diff.added) table.set(socket.id, socket)
  for (const socket of diff.changed) table.set(socket.id, socket)
  for (const update of diff.counters ?? []) {
    const socket = table.get(update.id)
    if (socket !== undefined) table.set(update.id, withCounters(socket, update))
  }
}
