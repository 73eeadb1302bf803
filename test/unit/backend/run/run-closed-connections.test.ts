/** The run's closed connections: only the tree's count, and the two ends of one connection count once. */
import { describe, expect, it } from 'vitest'
import { RunClosedConnections } from '../../../../electron/backend/run/run-closed-connections'
import type { ClosedConnection } from '../../../../shared/model/closed-connection'

let sequence = 0
function end(localPort: number, remotePort: number, pid: number | null): ClosedConnection {
  return {
    sequence: ++sequence,
    family: 4,
    localAddress: '127.0.0.1',
    localPort,
    remoteAddress: '127.0.0.1',
    remotePort,
    state: 'CLOSE',
    uid: null,
    pid,
    process: pid === null ? null : 'node',
    openedAt: null,
    closedAt: 1000,
    durationMs: null,
    tcpInfo: null
  }
}

describe('RunClosedConnections', () => {
  const treeListensOn = (port: number) => port === 8080

  it('counts a connection once whichever of its ends close, and both ends as one', () => {
    const closed = new RunClosedConnections()
    // A client of the tree's server on 8080: the server's end (its port is the tree's) and the client's.
    closed.add([end(8080, 50000, null), end(50000, 8080, null)])
    expect(closed.count(treeListensOn)).toBe(1)
    // A connection a sample saw the tree hold, to a server elsewhere.
    closed.add([end(50001, 5432, 42)])
    expect(closed.count(treeListensOn)).toBe(2)
    // Both ends attributed (the tree talks to itself): still one connection.
    closed.add([end(50002, 9000, 42), end(9000, 50002, 43)])
    expect(closed.count(treeListensOn)).toBe(3)
  })

  it('leaves out connections that are not the tree’s: no sample saw them and the port is not its listener', () => {
    const closed = new RunClosedConnections()
    closed.add([end(50003, 5432, null), end(8081, 50004, null)])
    expect(closed.count(treeListensOn)).toBe(0)
  })

  it('judges a listening port at the end: ends that closed before a sample saw the listener count', () => {
    const closed = new RunClosedConnections()
    closed.add([end(8081, 50005, null), end(8081, 50006, null)])
    expect(closed.count(treeListensOn)).toBe(0)
    expect(closed.count((port) => port === 8081)).toBe(2)
  })
})
