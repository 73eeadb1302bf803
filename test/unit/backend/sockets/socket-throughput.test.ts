import { describe, expect, it } from 'vitest'
import type { SocketEntry, SocketSnapshot } from '../../../../shared/model/socket'
import { withThroughput } from '../../../../electron/backend/sockets/socket-throughput'
import { buildSocket, sampleTcpInfo } from '../../../support/socket-builder'

function snapshot(takenAt: number, sockets: SocketEntry[]): SocketSnapshot {
  return { tick: 1, takenAt, refreshMs: 1, sockets, issues: [], partialOwnership: false }
}

const connection = (bytesAcked: number, bytesReceived: number, id = 'a'): SocketEntry =>
  buildSocket({ id, state: 'ESTABLISHED', tcpInfo: sampleTcpInfo({ bytesAcked, bytesReceived }) })

describe('withThroughput', () => {
  it('turns byte-counter deltas into bytes per second over the time between the reads', () => {
    const [socket] = withThroughput(snapshot(1000, [connection(1000, 500)]), snapshot(1500, [connection(3048, 1500)]))
    // 2048 bytes acknowledged and 1000 received in 500 ms.
    expect(socket!.throughput).toEqual({ sendBytesPerSecond: 4096, receiveBytesPerSecond: 2000 })
  })

  it('gives nothing to a socket new since the previous read, one without tcp_info, or a counter that went backwards', () => {
    const withoutInfo = buildSocket({ id: 'p', tcpInfo: null })
    const previous = snapshot(0, [connection(100, 100), withoutInfo, connection(500, 500, 'back')])
    const sockets = withThroughput(previous, snapshot(1000, [connection(100, 100), connection(1, 1, 'new'), withoutInfo, connection(400, 600, 'back')]))
    expect(sockets.map((socket) => socket.throughput)).toEqual([{ sendBytesPerSecond: 0, receiveBytesPerSecond: 0 }, null, null, null])
  })

  it('leaves the table alone on a first read or when no time passed', () => {
    const next = snapshot(1000, [connection(10, 10)])
    expect(withThroughput(snapshot(0, []), next)).toBe(next.sockets)
    expect(withThroughput(snapshot(1000, [connection(1, 1)]), next)[0]!.throughput).toBeNull()
  })
})
