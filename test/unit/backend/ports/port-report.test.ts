/**
 * The port helper's verdicts: a listener blocks whatever the options, a connection that kept the
 * port blocks without SO_REUSEADDR, TIME_WAIT leftovers only without it, and sockets of other
 * network namespaces not at all.
 */
import { describe, expect, it } from 'vitest'
import { describePort, portsInUse } from '../../../../electron/backend/ports/port-report'
import type { SocketEntry } from '../../../../shared/model/socket'
import { buildSocket } from '../../../support/socket-builder'

const NOW = 1_700_000_000_000
const RANGE = { low: 32768, high: 60999 }
const HOME = 4026531840

function report(sockets: SocketEntry[], port: number, extra: Partial<Parameters<typeof describePort>[0]> = {}) {
  return describePort({ port, protocol: 'tcp', sockets, checkedAt: NOW, portRange: RANGE, homeNetns: HOME, ...extra })
}

const listener = buildSocket({
  localPort: 8080,
  inode: 11,
  netns: HOME,
  pid: 4242,
  process: 'old-server',
  owners: [{ pid: 4242, process: 'old-server', command: 'node old.js', user: 'dev' }]
})
const timeWait = (remotePort: number, expiresInMs: number) =>
  buildSocket({
    localPort: 8080,
    remoteAddress: '127.0.0.1',
    remotePort,
    state: 'TIME_WAIT',
    inode: 0,
    netns: HOME,
    pid: null,
    process: null,
    command: null,
    owners: [],
    ownerVisibility: 'none',
    timer: { kind: 'time-wait', expiresInMs }
  })

describe('describePort', () => {
  it('names the listener, says no option gets past it, and which process to stop', () => {
    const result = report([listener, timeWait(50000, 30_000), buildSocket({ localPort: 9090, inode: 12, netns: HOME })], 8080, {
      firstSeen: (id) => (id === listener.id ? { at: NOW - 60_000, openBeforeStart: false } : undefined)
    })
    expect(result).toMatchObject({ free: false, verdict: 'listening', holderCount: 2, heldSince: NOW - 60_000 })
    expect(result.headline).toBe('TCP port 8080 is held by a listener of old-server (pid 4242)')
    expect(result.explanation).toContain('EADDRINUSE')
    expect(result.explanation).toContain('SO_REUSEADDR does not get past a live listener')
    expect(result.advice[0]).toContain('kill 4242')
    expect(result.holders.map((holder) => holder.role)).toEqual(['listener', 'time-wait'])
  })

  it('TIME_WAIT alone: SO_REUSEADDR gets past it, and the wait is the longest timer', () => {
    const result = report([timeWait(50000, 12_400), timeWait(50001, 41_200)], 8080)
    expect(result).toMatchObject({ free: false, verdict: 'time-wait', holderCount: 2, heldSince: null })
    expect(result.headline).toBe('TCP port 8080 is held only by TIME_WAIT leftovers: 2 connections')
    expect(result.explanation).toContain('No process holds them')
    expect(result.explanation).toContain('the last in about 42 s')
    expect(result.advice[0]).toContain('SO_REUSEADDR')
  })

  it('a connection that drew the port as its ephemeral port: in use, with the range advice', () => {
    const outgoing = buildSocket({ localPort: 40000, remoteAddress: '127.0.0.1', remotePort: 5432, state: 'ESTABLISHED', inode: 13, netns: HOME })
    const result = report([outgoing], 40000)
    expect(result.verdict).toBe('in-use')
    expect(result.holders[0]?.role).toBe('ephemeral')
    expect(result.explanation).toContain('local (ephemeral) port')
    expect(result.advice.join(' ')).toContain('ip_local_reserved_ports=40000')
  })

  it('a connection left on a port outside the range after its listener closed is an orphan, not ephemeral', () => {
    const accepted = buildSocket({ localPort: 8080, remoteAddress: '127.0.0.1', remotePort: 50000, state: 'ESTABLISHED', inode: 14, netns: HOME })
    const result = report([accepted], 8080)
    expect(result.verdict).toBe('in-use')
    expect(result.holders[0]?.role).toBe('orphan-connection')
    expect(result.explanation).toContain('Nothing listens on 8080 any more')
    // With the listener still there, the same socket is one of its connections.
    expect(report([listener, accepted], 8080).holders.map((holder) => holder.role)).toEqual(['listener', 'connection'])
  })

  it('the range edges: its low and high ports are ephemeral, the ports just outside are not', () => {
    const on = (port: number) =>
      report([buildSocket({ localPort: port, remoteAddress: '127.0.0.1', remotePort: 5432, state: 'ESTABLISHED', inode: port, netns: HOME })], port).holders[0]?.role
    expect([on(RANGE.low - 1), on(RANGE.low), on(RANGE.high), on(RANGE.high + 1)]).toEqual(['orphan-connection', 'ephemeral', 'ephemeral', 'orphan-connection'])
  })

  it('sockets of another network namespace do not hold the port here', () => {
    const container = buildSocket({ localPort: 8080, inode: 15, netns: HOME + 1 })
    const result = report([container], 8080)
    expect(result).toMatchObject({ free: true, verdict: 'free', holderCount: 1 })
    expect(result.holders[0]?.otherNamespace).toBe(true)
    expect(result.explanation).toContain('other network namespaces do not count')
    expect(portsInUse([container], 'tcp', HOME).has(8080)).toBe(false)
    expect(portsInUse([container], 'tcp', HOME + 1).has(8080)).toBe(true)
  })

  it('a UDP port is held by a bound socket; a TCP socket on the same number does not count for UDP', () => {
    const udp = buildSocket({ protocol: 'udp', localPort: 5353, state: 'UNCONN', inode: 16, netns: HOME })
    const tcp = buildSocket({ localPort: 5353, inode: 17, netns: HOME })
    expect(describePort({ port: 5353, protocol: 'udp', sockets: [udp], checkedAt: NOW, portRange: RANGE, homeNetns: HOME }).headline).toBe(
      'UDP port 5353 is held by a bound socket of node (pid 42)'
    )
    expect(describePort({ port: 5353, protocol: 'udp', sockets: [tcp], checkedAt: NOW, portRange: RANGE, homeNetns: HOME }).free).toBe(true)
  })

  it('free when nothing uses the port', () => {
    expect(report([listener], 8081)).toMatchObject({ free: true, verdict: 'free', headline: 'TCP port 8081 is free', holders: [] })
  })
})
