/**
 * The tree's closed TCP connections, from the kernel's close events: each leaves one TIME_WAIT
 * behind on the side that closed first, so their number is the run's TIME_WAIT churn, counted
 * also for connections too short for any sample to see. A connection is the tree's when a sample
 * saw one of its ends held by the tree, or when its local port is one the tree listened on at any
 * sample (a client's connection to the tree's server, judged at the end, so connections that
 * closed before a sample first saw the listener count too); the two ends of one connection count once.
 */
import type { ClosedConnection } from '../../../shared/model/closed-connection'

/** Connection ends remembered, at most; past this the oldest are dropped from the count. */
const MAX_REMEMBERED_ENDS = 200_000

/** Both ends of a connection as one key, whichever end is local. */
function connectionKey(connection: Pick<ClosedConnection, 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>): string {
  const local = `${connection.localAddress}|${connection.localPort}`
  const remote = `${connection.remoteAddress}|${connection.remotePort}`
  return local < remote ? `${local} ${remote}` : `${remote} ${local}`
}

/** Closed connection ends of a run, counted as the tree's connections at the end. */
export class RunClosedConnections {
  /** Connections a sample saw the tree hold. */
  private readonly attributed = new Set<string>()
  /** Ends no sample saw, by their local port: the tree's if it listened there. */
  private readonly byLocalPort = new Map<number, Set<string>>()
  private remembered = 0

  /** Takes closed connection ends as the close events report them. */
  add(connections: readonly ClosedConnection[]): void {
    for (const connection of connections) {
      if (this.remembered >= MAX_REMEMBERED_ENDS) return
      const key = connectionKey(connection)
      if (connection.pid !== null) this.attributed.add(key)
      else {
        let keys = this.byLocalPort.get(connection.localPort)
        if (!keys) {
          keys = new Set()
          this.byLocalPort.set(connection.localPort, keys)
        }
        keys.add(key)
      }
      this.remembered++
    }
  }

  /** The tree's connections closed so far; `treeListensOn` says whether the tree listened on a TCP port at any sample. */
  count(treeListensOn: (port: number) => boolean): number {
    const connections = new Set(this.attributed)
    for (const [port, keys] of this.byLocalPort) if (treeListensOn(port)) for (const key of keys) connections.add(key)
    return connections.size
  }
}
