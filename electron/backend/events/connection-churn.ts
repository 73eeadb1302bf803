/**
 * Connection churn over a sliding minute: closed connections counted per destination in
 * one-second buckets, so a summary costs the same at 10 or 10,000 closes a second.
 */
import { churnDestination, type ChurnGroup, type ClosedConnection, type ConnectionChurn } from '../../../shared/model/closed-connection'
import { elementAt } from '../../../shared/element-at'

/** The window a summary covers. */
export const CHURN_WINDOW_SECONDS = 60
/** A connection that lived less than this (or that no poll saw) counts as short-lived. */
export const SHORT_LIVED_MS = 1000
/** Destinations counted per second; the rest are summed under one label so memory stays bounded. */
const MAX_DESTINATIONS_PER_SECOND = 256
/** Groups a summary lists. */
const MAX_GROUPS = 20
const OTHER_DESTINATIONS = 'other destinations'

interface Tally {
  closed: number
  shortLived: number
  /** Attributed connections per pid, with the process name. */
  owners: Map<number, { process: string | null; count: number }>
}

interface Bucket {
  second: number
  readonly tallies: Map<string, Tally>
}

/** Whether a closed connection counts as short-lived. */
export function isShortLived(connection: Pick<ClosedConnection, 'durationMs'>): boolean {
  return connection.durationMs === null || connection.durationMs < SHORT_LIVED_MS
}

/** Closed connections of the last minute, by destination. */
export class ConnectionChurnWindow {
  private readonly buckets: Bucket[] = Array.from({ length: CHURN_WINDOW_SECONDS }, () => ({ second: -1, tallies: new Map() }))

  /** `isListeningPort` tells a server's end of a connection from a client's. */
  constructor(private readonly isListeningPort: (port: number) => boolean = () => false) {}

  /** Counts closed connections. */
  add(connections: readonly ClosedConnection[]): void {
    for (const connection of connections) {
      const second = Math.floor(connection.closedAt / 1000)
      const bucket = elementAt(this.buckets, second % CHURN_WINDOW_SECONDS)
      if (bucket.second !== second) {
        bucket.second = second
        bucket.tallies.clear()
      }
      let destination = churnDestination(connection, this.isListeningPort)
      if (!bucket.tallies.has(destination) && bucket.tallies.size >= MAX_DESTINATIONS_PER_SECOND) destination = OTHER_DESTINATIONS
      let tally = bucket.tallies.get(destination)
      if (tally === undefined) {
        tally = { closed: 0, shortLived: 0, owners: new Map() }
        bucket.tallies.set(destination, tally)
      }
      tally.closed++
      if (isShortLived(connection)) tally.shortLived++
      if (connection.pid !== null) {
        const owner = tally.owners.get(connection.pid) ?? { process: connection.process, count: 0 }
        owner.count++
        tally.owners.set(connection.pid, owner)
      }
    }
  }

  /** Churn over the minute up to `now` (epoch milliseconds). */
  summary(now: number): ConnectionChurn {
    const newest = Math.floor(now / 1000)
    const merged = new Map<string, Tally>()
    for (const bucket of this.buckets) {
      if (bucket.second > newest || bucket.second <= newest - CHURN_WINDOW_SECONDS) continue
      for (const [destination, tally] of bucket.tallies) {
        const into = merged.get(destination) ?? { closed: 0, shortLived: 0, owners: new Map() }
        into.closed += tally.closed
        into.shortLived += tally.shortLived
        for (const [pid, owner] of tally.owners) {
          const known = into.owners.get(pid) ?? { process: owner.process, count: 0 }
          known.count += owner.count
          into.owners.set(pid, known)
        }
        merged.set(destination, into)
      }
    }
    let closed = 0
    let shortLived = 0
    const groups: ChurnGroup[] = []
    for (const [destination, tally] of merged) {
      closed += tally.closed
      shortLived += tally.shortLived
      let pid: number | null = null
      let process: string | null = null
      let most = 0
      for (const [ownerPid, owner] of tally.owners) {
        if (owner.count > most) {
          most = owner.count
          pid = ownerPid
          process = owner.process
        }
      }
      groups.push({ destination, pid, process, closed: tally.closed, shortLived: tally.shortLived })
    }
    groups.sort((a, b) => b.shortLived - a.shortLived || b.closed - a.closed || a.destination.localeCompare(b.destination))
    return { windowSeconds: CHURN_WINDOW_SECONDS, closed, shortLived, groups: groups.slice(0, MAX_GROUPS) }
  }
}
