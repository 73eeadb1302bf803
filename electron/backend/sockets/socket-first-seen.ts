/**
 * When each socket of the live table was first seen: the age of a socket as the focus view and
 * the port helper show it. Follows the monitor's diffs, so a tick costs one map write per socket
 * added and one delete per socket gone, and memory holds one entry per socket in the table.
 */
import type { SocketDiff, SocketSnapshot } from '../../../shared/model/socket'
import type { SocketMonitor } from './socket-monitor'

/** When a socket was first seen, and whether it was already open when the following began. */
export interface FirstSeen {
  /** Epoch milliseconds of the first read that listed it. */
  readonly at: number
  /** True for a socket the first read found: it is at least as old as `at`, maybe much older. */
  readonly openBeforeStart: boolean
}

/** First sightings of the sockets in the live table. */
export class SocketFirstSeen {
  private readonly seen = new Map<string, FirstSeen>()
  private following = false
  private readonly stop: () => void

  constructor(monitor: Pick<SocketMonitor, 'onTick'>) {
    this.stop = monitor.onTick((diff, snapshot) => this.apply(diff, snapshot))
  }

  /** Takes one tick: the first one marks every socket as open before the start. */
  apply(diff: Pick<SocketDiff, 'added' | 'removed'>, snapshot: Pick<SocketSnapshot, 'takenAt' | 'sockets'>): void {
    if (!this.following) {
      this.following = true
      for (const socket of snapshot.sockets) this.seen.set(socket.id, { at: snapshot.takenAt, openBeforeStart: true })
      return
    }
    for (const socket of diff.added) if (!this.seen.has(socket.id)) this.seen.set(socket.id, { at: snapshot.takenAt, openBeforeStart: false })
    for (const id of diff.removed) this.seen.delete(id)
  }

  /** When the socket with this id was first seen; undefined for one no tick listed. */
  get(id: string): FirstSeen | undefined {
    return this.seen.get(id)
  }

  /** Sockets followed now. */
  get size(): number {
    return this.seen.size
  }

  /** Stops following the monitor. */
  dispose(): void {
    this.stop()
    this.seen.clear()
  }
}
