/**
 * The closed-connection log: close messages joined to what the polls saw open, by cookie when
 * both sides know one and by endpoints otherwise, and a ring that keeps the most recent.
 */
import { describe, expect, it } from 'vitest'
import { ClosedConnectionLog } from '../../../../electron/backend/events/closed-connection-log'
import type { KernelClosedSocket } from '../../../../shared/model/closed-connection'
import type { SocketEntry } from '../../../../shared/model/socket'
import { buildSocket } from '../../../support/socket-builder'

/** An established client connection from 127.0.0.1:`localPort` to 127.0.0.1:80, as a poll reads it. */
function polled(localPort: number, overrides: Partial<SocketEntry> & { cookie?: string | null } = {}): SocketEntry & { cookie?: string | null } {
  return { ...buildSocket({ localPort, remoteAddress: '127.0.0.1', remotePort: 80, state: 'ESTABLISHED', pid: 7, process: 'curl', uid: 1000 }), ...overrides }
}

/** The kernel's close message for the same connection. */
function closed(localPort: number, cookie: string | null = null): KernelClosedSocket {
  return { family: 4, state: 'CLOSE', localAddress: '127.0.0.1', localPort, remoteAddress: '127.0.0.1', remotePort: 80, cookie, tcpInfo: null }
}

describe('ClosedConnectionLog', () => {
  it('attributes a connection a poll saw to its process, with the first sighting as its opening', () => {
    const log = new ClosedConnectionLog()
    log.observe({ takenAt: 1_000, sockets: [polled(50_000)] })
    log.observe({ takenAt: 2_000, sockets: [polled(50_000)] })
    const [connection] = log.record([closed(50_000)], 3_500)
    expect(connection).toMatchObject({ sequence: 1, pid: 7, process: 'curl', uid: 1000, openedAt: 1_000, closedAt: 3_500, durationMs: 2_500 })
  })

  it('leaves a connection no poll saw unattributed, and listeners out', () => {
    const log = new ClosedConnectionLog()
    log.observe({ takenAt: 1_000, sockets: [polled(50_000)] })
    const connections = log.record([closed(50_001), { ...closed(80), remotePort: 0, remoteAddress: '0.0.0.0', state: 'LISTEN' }], 1_200)
    expect(connections).toHaveLength(1)
    expect(connections[0]).toMatchObject({ localPort: 50_001, pid: null, process: null, uid: null, openedAt: null, durationMs: null })
  })

  it('attributes a close heard in one network namespace only to a connection polled in that namespace', () => {
    const host = 4026531840
    const container = 4026532301
    const log = new ClosedConnectionLog()
    // The same ends in a container and at home, held by different processes.
    log.observe({ takenAt: 1_000, sockets: [polled(50_000, { netns: container, pid: 99, process: 'app' }), polled(50_000, { netns: host })] })
    expect(log.record([{ ...closed(50_000), netns: host }], 1_500)[0]).toMatchObject({ pid: 7, process: 'curl' })
    expect(log.record([{ ...closed(50_000), netns: host }], 1_600)[0]).toMatchObject({ pid: null, openedAt: null })
  })

  it('keeps the owner first seen once the socket loses it (TIME_WAIT has no owner)', () => {
    const log = new ClosedConnectionLog()
    log.observe({ takenAt: 1_000, sockets: [polled(50_000)] })
    log.observe({ takenAt: 2_000, sockets: [polled(50_000, { state: 'FIN_WAIT2', pid: null, process: null, uid: null })] })
    expect(log.record([closed(50_000)], 2_100)[0]).toMatchObject({ pid: 7, openedAt: 1_000 })
  })

  it('matches by cookie when both sides have one, and never takes a reused endpoint for the old connection', () => {
    const log = new ClosedConnectionLog()
    log.observe({ takenAt: 1_000, sockets: [polled(50_000, { cookie: 'aa' })] })
    // The same endpoints, but the kernel names another socket: a later connection.
    expect(log.record([closed(50_000, 'bb')], 1_500)[0]).toMatchObject({ pid: null, openedAt: null })
    expect(log.record([closed(50_000, 'aa')], 1_600)[0]).toMatchObject({ pid: 7, openedAt: 1_000 })
    // Taken once: a second message for the same socket is not attributed again.
    expect(log.record([closed(50_000, 'aa')], 1_700)[0]).toMatchObject({ pid: null })
  })

  it('starts a new connection when a poll sees the endpoints under a new cookie', () => {
    const log = new ClosedConnectionLog()
    log.observe({ takenAt: 1_000, sockets: [polled(50_000, { cookie: 'aa' })] })
    log.observe({ takenAt: 2_000, sockets: [polled(50_000, { cookie: 'bb', pid: 9, process: 'wget' })] })
    expect(log.record([closed(50_000, 'bb')], 2_500)[0]).toMatchObject({ pid: 9, process: 'wget', openedAt: 2_000 })
  })

  it('joins by endpoints when the table has no cookie (the /proc reader)', () => {
    const log = new ClosedConnectionLog()
    log.observe({ takenAt: 1_000, sockets: [polled(50_000)] })
    expect(log.record([closed(50_000, 'cc')], 1_100)[0]).toMatchObject({ pid: 7 })
  })

  it('remembers a socket for three poll intervals (at least 5 s) after the table stops listing it', () => {
    const log = new ClosedConnectionLog({ pollIntervalMs: 2_000 })
    log.observe({ takenAt: 0, sockets: [polled(50_000), polled(50_001)] })
    log.observe({ takenAt: 6_000, sockets: [] })
    log.observe({ takenAt: 6_001, sockets: [] })
    expect(log.remembered).toBe(0)

    const quick = new ClosedConnectionLog({ pollIntervalMs: 100 })
    quick.observe({ takenAt: 0, sockets: [polled(50_000)] })
    quick.observe({ takenAt: 5_000, sockets: [] })
    expect(quick.record([closed(50_000)], 5_000)[0]).toMatchObject({ pid: 7 })
    quick.observe({ takenAt: 0, sockets: [polled(50_001)] })
    quick.observe({ takenAt: 5_001, sockets: [] })
    expect(quick.record([closed(50_001)], 5_001)[0]).toMatchObject({ pid: null })
  })

  it('keeps a socket gone for exactly the window, and forgets it a millisecond later', () => {
    const log = new ClosedConnectionLog({ pollIntervalMs: 2_000 })
    log.observe({ takenAt: 0, sockets: [polled(50_000)] })
    log.observe({ takenAt: 6_000, sockets: [] })
    expect(log.remembered).toBe(1)
    log.observe({ takenAt: 6_001, sockets: [] })
    expect(log.remembered).toBe(0)
  })

  it('keeps only the most recent connections, oldest first, and counts every one heard', () => {
    const log = new ClosedConnectionLog({ capacity: 3 })
    log.record([closed(1), closed(2)], 10)
    expect(log.recent().map((connection) => connection.localPort)).toEqual([1, 2])
    log.record([closed(3), closed(4), closed(5)], 20)
    expect(log.recent().map((connection) => connection.localPort)).toEqual([3, 4, 5])
    expect(log.recent(2).map((connection) => connection.localPort)).toEqual([4, 5])
    expect(log.kept).toBe(3)
    expect(log.received).toBe(5)
    expect(log.recent().map((connection) => connection.sequence)).toEqual([3, 4, 5])
  })

  it('ignores UDP, listeners and unconnected rows in the polls', () => {
    const log = new ClosedConnectionLog()
    log.observe({
      takenAt: 1_000,
      sockets: [polled(50_000, { protocol: 'udp' }), polled(50_001, { state: 'LISTEN' }), polled(50_002, { remotePort: 0 })]
    })
    expect(log.remembered).toBe(0)
  })
})

describe('ClosedConnectionLog listening ports', () => {
  it('remembers TCP ports a poll saw listening, for as long as it remembers connections', () => {
    const log = new ClosedConnectionLog({ pollIntervalMs: 1_000 })
    log.observe({ takenAt: 0, sockets: [buildSocket({ localPort: 8080, state: 'LISTEN' }), buildSocket({ protocol: 'udp', localPort: 53, state: 'UNCONN' })] })
    expect(log.isListeningPort(8080)).toBe(true)
    expect(log.isListeningPort(53)).toBe(false)
    log.observe({ takenAt: 5_000, sockets: [] })
    expect(log.isListeningPort(8080)).toBe(true)
    log.observe({ takenAt: 5_001, sockets: [] })
    expect(log.isListeningPort(8080)).toBe(false)
  })
})
