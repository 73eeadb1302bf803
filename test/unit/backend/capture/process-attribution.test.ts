import { describe, expect, it } from 'vitest'
import { ProcessAttributor, attributePackets, ownerComment, type SocketTableSource } from '../../../../electron/backend/capture/process-attribution'
import { TrafficAccounting } from '../../../../electron/backend/capture/traffic-accounting'
import type { SocketEntry, SocketSnapshot } from '../../../../shared/model/socket'
import type { RawPacket } from '../../../../shared/model/packet'
import { ethernetFrame, ipv4Packet, tcpSegment, udpDatagram } from '../../../support/capture/packet-builder'
import { buildSocket } from '../../../support/socket-builder'
import { elementAt } from '../../../../shared/element-at'

function owned(pid: number, process: string, fields: Partial<SocketEntry>): SocketEntry {
  return buildSocket({ pid, process, command: process, owners: [{ pid, process, command: process, user: 'root' }], ...fields })
}

/** A socket table whose fresh reads and next published tick both hold the next prepared sockets. */
class FakeTable implements SocketTableSource {
  freshReads = 0
  private snapshot: SocketSnapshot

  constructor(
    sockets: readonly SocketEntry[],
    private readonly next: readonly SocketEntry[] = sockets
  ) {
    this.snapshot = { tick: 1, takenAt: 1000, refreshMs: 1, sockets, issues: [], partialOwnership: false }
  }

  current(): SocketSnapshot {
    return this.snapshot
  }

  /** The attributor's own read: newer than every packet so far, and not published. */
  async readFresh(): Promise<SocketSnapshot> {
    this.freshReads++
    return { ...this.snapshot, takenAt: Date.now() + 2, sockets: this.next }
  }

  /** The monitor's next tick. */
  publish(): void {
    this.snapshot = { ...this.snapshot, tick: this.snapshot.tick + 1, takenAt: Date.now() + 2, refreshMs: 1, sockets: this.next }
  }
}

const server = owned(10, 'server', { localAddress: '0.0.0.0', localPort: 8080 })
const accepted = owned(10, 'server', { localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '127.0.0.1', remotePort: 40000, state: 'ESTABLISHED', inode: 2 })
const client = owned(20, 'client', { localAddress: '127.0.0.1', localPort: 40000, remoteAddress: '127.0.0.1', remotePort: 8080, state: 'ESTABLISHED', inode: 3 })
const resolver = owned(30, 'resolver', { protocol: 'udp', localAddress: '::', family: 6, localPort: 5353, state: 'UNCONN', inode: 4 })

function flow(transport: 'tcp' | 'udp', source: string, sourcePort: number, destination: string, destinationPort: number) {
  return { transport, sourceAddress: source, sourcePort, destinationAddress: destination, destinationPort }
}

describe('ProcessAttributor', () => {
  it('gives each loopback packet to its sending socket, exact connections first', () => {
    const attributor = new ProcessAttributor(new FakeTable([server, accepted, client]))
    expect(attributor.attribute(flow('tcp', '127.0.0.1', 40000, '127.0.0.1', 8080), 2000)).toEqual({ socket: client, direction: 'sent', exact: true })
    expect(attributor.attribute(flow('tcp', '127.0.0.1', 8080, '127.0.0.1', 40000), 2000)).toEqual({ socket: accepted, direction: 'sent', exact: true })
  })

  it('falls back to a listener or a wildcard-bound socket on the receiving side', () => {
    const attributor = new ProcessAttributor(new FakeTable([server, resolver]))
    expect(attributor.attribute(flow('tcp', '10.0.0.9', 50000, '127.0.0.1', 8080), 500)).toEqual({ socket: server, direction: 'received', exact: false })
    // A dual-stack UDP socket bound to :: receives IPv4 datagrams too.
    expect(attributor.attribute(flow('udp', '192.0.2.1', 53, '127.0.0.1', 5353), 500)).toEqual({ socket: resolver, direction: 'received', exact: false })
    expect(attributor.attribute(flow('udp', '127.0.0.1', 5353, '127.0.0.1', 9), 500)?.direction).toBe('sent')
    expect(attributor.attribute(flow('tcp', '192.0.2.1', 1, '192.0.2.2', 2), 500)).toBeNull()
  })

  it('matches IPv4-mapped table addresses to IPv4 packets', () => {
    const mapped = owned(40, 'java', { family: 6, localAddress: '::ffff:127.0.0.1', localPort: 9000, remoteAddress: '::ffff:127.0.0.1', remotePort: 41000, state: 'ESTABLISHED' })
    const attributor = new ProcessAttributor(new FakeTable([mapped]))
    expect(attributor.attribute(flow('tcp', '127.0.0.1', 9000, '127.0.0.1', 41000), 500)?.socket.pid).toBe(40)
  })

  it('reads the table again for a flow newer than it, and remembers flows after their socket is gone', async () => {
    const table = new FakeTable([], [client])
    const attributor = new ProcessAttributor(table, { refreshIntervalMs: 0 })
    const packet = flow('tcp', '127.0.0.1', 40000, '127.0.0.1', 8080)
    expect(attributor.attribute(packet, Date.now())).toBeNull()
    await attributor.settled()
    expect(table.freshReads).toBe(1)
    // The read was the attributor's own: the published table (and so pause and history) did not move.
    expect(table.current().tick).toBe(1)
    expect(attributor.attribute(packet, Date.now())?.socket.pid).toBe(20)

    const closed = new FakeTable([client], [])
    const remembering = new ProcessAttributor(closed, { refreshIntervalMs: 0 })
    expect(remembering.attribute(packet, 500)?.socket.pid).toBe(20)
    closed.publish()
    expect(remembering.attribute(packet, 500)?.socket.pid).toBe(20)
  })

  it("keeps a connection's process for its last packets, once its socket lingers without one", async () => {
    const lingering = { ...client, pid: null, process: null, command: null, owners: [], ownerVisibility: 'none' as const, state: 'TIME_WAIT' as const }
    const table = new FakeTable([client], [lingering])
    const attributor = new ProcessAttributor(table, { refreshIntervalMs: 0 })
    const packet = flow('tcp', '127.0.0.1', 40000, '127.0.0.1', 8080)
    expect(attributor.attribute(packet, 500)?.socket.pid).toBe(20)
    table.publish()
    expect(attributor.attribute(packet, 500)?.socket.pid).toBe(20)
  })

  it('does not re-read the table for packets older than the table', async () => {
    const table = new FakeTable([])
    const attributor = new ProcessAttributor(table, { refreshIntervalMs: 0 })
    expect(attributor.attribute(flow('tcp', '127.0.0.1', 1, '127.0.0.1', 2), 998)).toBeNull()
    await attributor.settled()
    expect(table.freshReads).toBe(0)
  })

  it('re-reads the table once per unknown flow, not for every packet of it', async () => {
    const table = new FakeTable([])
    const attributor = new ProcessAttributor(table, { refreshIntervalMs: 0 })
    const foreign = flow('tcp', '192.0.2.1', 1000, '192.0.2.2', 2000)
    const firstSeen = Date.now()
    for (let packet = 0; packet < 5; packet++) {
      expect(attributor.attribute(foreign, firstSeen + packet)).toBeNull()
      await attributor.settled()
    }
    expect(table.freshReads).toBe(1)
  })

  it('looks again when only a listener matched, since the connection may be newer than the table', async () => {
    const table = new FakeTable([server], [server, accepted, client])
    const attributor = new ProcessAttributor(table, { refreshIntervalMs: 0 })
    const toServer = flow('tcp', '127.0.0.1', 40000, '127.0.0.1', 8080)
    const first = attributor.attribute(toServer, Date.now())
    expect(first).toEqual({ socket: server, direction: 'received', exact: false })
    await attributor.settled()
    expect(table.freshReads).toBe(1)
    expect(attributor.attribute(toServer, Date.now())).toEqual({ socket: client, direction: 'sent', exact: true })
  })

  it('writes an owner comment only for sockets with a known pid', () => {
    expect(ownerComment(client)).toBe('client (pid 20)')
    expect(ownerComment(buildSocket({ pid: null, process: null, owners: [] }))).toBeUndefined()
  })
})

function rawPacket(frame: Uint8Array): RawPacket {
  return { interfaceIndex: 0, timestampSeconds: 1, timestampNanos: 0, originalLength: frame.length, data: frame }
}

const loopback = [127, 0, 0, 1]

describe('TrafficAccounting', () => {
  it('sums traffic per process and per connection for an interval, busiest first', async () => {
    const attributor = new ProcessAttributor(new FakeTable([server, accepted, client]))
    const accounting = new TrafficAccounting()
    const record = async (packets: readonly RawPacket[], firstIndex: number) => {
      const { summaries, owners } = await attributePackets(attributor, packets, 1)
      return summaries.map((summary, index) => accounting.record(firstIndex + index, summary, elementAt(owners, index)))
    }
    const request = rawPacket(
      ethernetFrame(
        0x0800,
        ipv4Packet({
          protocol: 6,
          source: loopback,
          destination: loopback,
          payload: tcpSegment({ sourcePort: 40000, destinationPort: 8080, flags: 0x18, payload: new Uint8Array(100) })
        })
      )
    )
    const answer = rawPacket(
      ethernetFrame(
        0x0800,
        ipv4Packet({
          protocol: 6,
          source: loopback,
          destination: loopback,
          payload: tcpSegment({ sourcePort: 8080, destinationPort: 40000, flags: 0x18, payload: new Uint8Array(1000) })
        })
      )
    )
    const stray = rawPacket(
      ethernetFrame(0x0800, ipv4Packet({ protocol: 17, source: [192, 0, 2, 1], destination: [192, 0, 2, 2], payload: udpDatagram(1, 2, new Uint8Array(10)) }))
    )
    const rows = await record([request, answer, answer, stray], 0)
    expect(rows.map((row) => [row.index, row.pid, row.direction, row.summary.transport])).toEqual([
      [0, 20, 'sent', 'tcp'],
      [1, 10, 'sent', 'tcp'],
      [2, 10, 'sent', 'tcp'],
      [3, null, null, 'udp']
    ])

    const interval = accounting.takeInterval(2)
    expect(interval.recent.map((row) => row.index)).toEqual([0, 1, 2, 3])
    expect(interval.processes.map((process) => [process.pid, process.packets, process.bytesSent])).toEqual([
      [10, 2, answer.originalLength * 2],
      [20, 1, request.originalLength],
      [null, 1, stray.originalLength]
    ])
    expect(elementAt(interval.processes, 0).bytesPerSecond).toBe(answer.originalLength)
    expect(interval.connections[0]).toMatchObject({ protocol: 'tcp', localPort: 8080, remotePort: 40000, pid: 10, packets: 2 })

    await record([request], 4)
    const next = accounting.takeInterval(1)
    expect(next.recent.map((row) => row.index)).toEqual([4])
    expect(next.processes).toEqual([expect.objectContaining({ pid: 20, packets: 1, totalPackets: 2, totalBytes: request.originalLength * 2 })])
  })
})

describe('a connection that closed before the table was read', () => {
  it('is attributed through the listener that accepted it, not left ownerless by its TIME_WAIT socket', () => {
    const lingering = { ...client, pid: null, process: null, command: null, owners: [], ownerVisibility: 'none' as const, state: 'TIME_WAIT' as const }
    const attributor = new ProcessAttributor(new FakeTable([server, lingering]))
    const fromClient = attributor.attribute(flow('tcp', '127.0.0.1', 40000, '127.0.0.1', 8080), 500)
    expect(fromClient).toMatchObject({ direction: 'received', exact: false })
    expect(fromClient?.socket.pid).toBe(10)
  })

  it('prefers the end of a connection that still has its process', () => {
    const lingering = { ...client, pid: null, process: null, command: null, owners: [], ownerVisibility: 'none' as const, state: 'FIN_WAIT2' as const }
    const attributor = new ProcessAttributor(new FakeTable([lingering, accepted]))
    const packet = attributor.attribute(flow('tcp', '127.0.0.1', 40000, '127.0.0.1', 8080), 500)
    expect(packet).toMatchObject({ direction: 'received', exact: true })
    expect(packet?.socket.pid).toBe(10)
  })
})
