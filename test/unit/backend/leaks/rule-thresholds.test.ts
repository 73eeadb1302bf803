/**
 * Every leak rule's threshold, pinned at the default settings with one case just inside it and
 * one just outside. The numbers are written out (not derived from the settings), so a changed
 * default or a changed comparison in a rule fails here.
 */
import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../shared/model/socket'
import type { HistorySample } from '../../../../shared/model/history'
import { DEFAULT_LEAK_SETTINGS } from '../../../../shared/leak-settings'
import { growthRaises, measureGrowth } from '../../../../electron/backend/leaks/growth-rule'
import { LeakHarness } from '../../../support/leak-harness'
import { buildSocket, sampleTcpInfo } from '../../../support/socket-builder'
import { buildProcessSample, buildSample } from '../../../support/history-sample-builder'

/** Kinds of the findings that appeared after one tick of `sample`, raised at once. */
function appearsAtOnce(sample: (takenAt: number) => HistorySample): string[] {
  const harness = new LeakHarness({ raiseAfterSeconds: 0 })
  harness.tick(sample)
  return harness.appeared.map((finding) => finding.kind)
}

describe('growth: 2 sockets a minute', () => {
  /** One more socket whenever the running count at `perMinute` passes a whole number, for five minutes. */
  const staircase = (perMinute: number): number[] => Array.from({ length: 300 }, (_, second) => 100 + Math.floor((second * perMinute) / 60))
  // A lower minimum increase, so that below the slope threshold nothing but the slope decides.
  const settings = { ...DEFAULT_LEAK_SETTINGS, growthMinimumIncrease: 5 }
  const measure = (values: number[]) =>
    measureGrowth(
      values.map((_, index) => index * 1000),
      values
    )!

  it('raises at 2.2 a minute', () => {
    const rising = measure(staircase(2.2))
    expect(rising.slopePerMinute).toBeGreaterThan(2)
    expect(growthRaises(rising, settings)).toBe(true)
    expect(growthRaises(rising, DEFAULT_LEAK_SETTINGS)).toBe(true)
  })

  it('stays quiet at 1.8 a minute, though every other condition holds', () => {
    const slow = measure(staircase(1.8))
    expect(slow.slopePerMinute).toBeLessThan(2)
    expect(slow.recentSlopePerMinute).toBeGreaterThanOrEqual(1)
    expect(slow.rSquared).toBeGreaterThanOrEqual(0.8)
    expect(slow.increase).toBeGreaterThanOrEqual(5)
    expect(slow.jumpShare).toBeLessThanOrEqual(0.5)
    expect(slow.spanSeconds).toBeGreaterThanOrEqual(60)
    expect(growthRaises(slow, settings)).toBe(false)
  })
})

describe('time-wait: at least 1000 sockets and half of TCP', () => {
  const tcpTable = (timeWait: number, tcp: number) => (takenAt: number) =>
    buildSample(takenAt, [], { states: { TIME_WAIT: timeWait, ESTABLISHED: tcp - timeWait }, protocols: { tcp, udp: 0, unix: 0, raw: 0 }, sockets: tcp })

  it('raises when TIME_WAIT is exactly half of the TCP table', () => {
    expect(appearsAtOnce(tcpTable(1100, 2200))).toEqual(['time-wait'])
  })

  it('stays quiet for many TIME_WAIT sockets that are just under half of the table', () => {
    expect(appearsAtOnce(tcpTable(1100, 2201))).toEqual([])
    // Plenty of TIME_WAIT on a busy host is normal while it is not the bulk of the table.
    expect(appearsAtOnce(tcpTable(5000, 20_000))).toEqual([])
  })

  it('needs 1000 of them, however dominant', () => {
    expect(appearsAtOnce(tcpTable(1000, 1001))).toEqual(['time-wait'])
    expect(appearsAtOnce(tcpTable(999, 1000))).toEqual([])
  })
})

describe('close-wait: 5 sockets each stuck for 30 s', () => {
  const closeWait = (index: number): SocketEntry =>
    buildSocket({
      pid: 7,
      process: 'app',
      owners: [{ pid: 7, process: 'app', command: 'app', user: 'root' }],
      localPort: 40000 + index,
      remoteAddress: '127.0.0.1',
      remotePort: 8080,
      state: 'CLOSE_WAIT',
      inode: 500 + index
    })
  const hold = (count: number) => {
    const sockets = Array.from({ length: count }, (_, index) => closeWait(index))
    return { sockets, sample: (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 7, sockets: count, states: { CLOSE_WAIT: count } })]) }
  }

  it('raises once five sockets have been in CLOSE_WAIT for 30 s, not a second before', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    const { sockets, sample } = hold(5)
    // Seen first at second 0; at second 29 the oldest is 29 s old.
    for (let second = 0; second < 30; second++) harness.tick(sample, sockets)
    expect(harness.appeared).toEqual([])
    harness.tick(sample, sockets)
    expect(harness.appeared.map((finding) => finding.id)).toEqual(['close-wait:7'])
  })

  it('stays quiet for four, however long they stay', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    const { sockets, sample } = hold(4)
    for (let second = 0; second < 120; second++) harness.tick(sample, sockets)
    expect(harness.appeared).toEqual([])
  })
})

describe('fd-limit: 80% of the soft limit', () => {
  const openFiles = (fdCount: number) => (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 5, sockets: 1, fdCount, fdSoftLimit: 1000 })])

  it('raises at 800 of 1000 open files', () => {
    expect(appearsAtOnce(openFiles(800))).toEqual(['fd-limit'])
  })

  it('stays quiet at 799 of 1000', () => {
    expect(appearsAtOnce(openFiles(799))).toEqual([])
  })
})

describe('ephemeral-ports: half of ip_local_port_range to one destination', () => {
  // 32768–60999 holds 28232 ports; half is 14116.
  const toOneDestination = (count: number) => (takenAt: number) =>
    buildSample(takenAt, [], {
      portRange: { low: 32768, high: 60999 },
      ephemeral: [{ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 6379, pid: 4, process: 'worker', count }]
    })

  it('raises at 14116 of 28232 ports', () => {
    expect(appearsAtOnce(toOneDestination(14_116))).toEqual(['ephemeral-ports'])
  })

  it('stays quiet at 14115', () => {
    expect(appearsAtOnce(toOneDestination(14_115))).toEqual([])
  })
})

describe('slow-clients: 10 connections held by quiet peers for 30 s, each peer at most 4096 bytes', () => {
  const listenerSocket = buildSocket({ pid: 7, process: 'server', localAddress: '0.0.0.0', localPort: 8080, inode: 1 })
  /** A connection accepted on :8080 whose peer sent `bytes` and got nothing back. */
  const quiet = (index: number, bytes = 200): SocketEntry =>
    buildSocket({
      pid: 7,
      process: 'server',
      owners: [{ pid: 7, process: 'server', command: 'server', user: 'root' }],
      localAddress: '10.0.0.1',
      localPort: 8080,
      remoteAddress: `192.0.2.${1 + (index % 3)}`,
      remotePort: 40000 + index,
      state: 'ESTABLISHED',
      inode: 100 + index,
      tcpInfo: sampleTcpInfo({ bytesReceived: bytes, bytesSent: 0, bytesAcked: 0, lastReceiveMs: 4_000, lastSendMs: 60_000 })
    })
  const table = (count: number, bytes?: number) => [listenerSocket, ...Array.from({ length: count }, (_, index) => quiet(index, bytes))]
  const sample = (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: 7, sockets: 11 })])
  /** Ticks once a second for `seconds` ticks and returns the kinds that appeared. */
  const run = (sockets: SocketEntry[], seconds: number): string[] => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0 })
    for (let second = 0; second < seconds; second++) harness.tick(sample, sockets)
    return harness.appeared.map((finding) => finding.kind)
  }

  it('raises for ten once they have been quiet for 30 s, not a second before', () => {
    // Seen first at second 0; at second 29 they are 29 s old.
    expect(run(table(10), 30)).toEqual([])
    expect(run(table(10), 31)).toEqual(['slow-clients'])
  })

  it('stays quiet for nine, however long they stay', () => {
    expect(run(table(9), 120)).toEqual([])
  })

  it('counts a peer that sent 4096 bytes as quiet, and one that sent 4097 as not', () => {
    expect(run(table(10, 4096), 31)).toEqual(['slow-clients'])
    expect(run(table(10, 4097), 120)).toEqual([])
  })
})
