/**
 * The slow-clients finding on made-up tables: what it says about a listener held open by quiet
 * peers, and the two healthy look-alikes it must leave alone: a keep-alive pool that exchanged
 * data and is parked, and a pool whose peer is the listener's own process tree.
 */
import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../shared/model/socket'
import type { TcpInfo } from '../../../../shared/model/tcp-info'
import { inSameProcessTree, isWaitingOnQuietPeer } from '../../../../electron/backend/leaks/slow-client-rule'
import { DEFAULT_LEAK_SETTINGS } from '../../../../shared/leak-settings'
import { LeakHarness } from '../../../support/leak-harness'
import { buildSocket, sampleTcpInfo } from '../../../support/socket-builder'
import { buildProcessSample, buildSample } from '../../../support/history-sample-builder'

const SERVER = 7
const owner = (pid: number, process: string) => ({ pid, process, owners: [{ pid, process, command: process, user: 'root' }] })
const listenerSocket = buildSocket({ ...owner(SERVER, 'server'), localAddress: '0.0.0.0', localPort: 8080, inode: 1 })

/** The server's end of connection `index` from 127.0.0.1, with `tcpInfo` as the server sees it. */
const accepted = (index: number, tcpInfo: Partial<TcpInfo>): SocketEntry =>
  buildSocket({
    ...owner(SERVER, 'server'),
    localAddress: '127.0.0.1',
    localPort: 8080,
    remoteAddress: '127.0.0.1',
    remotePort: 50000 + index,
    state: 'ESTABLISHED',
    inode: 100 + index,
    tcpInfo: sampleTcpInfo(tcpInfo)
  })

/** The client's end of connection `index`, held by `pid`. */
const clientEnd = (index: number, pid: number): SocketEntry =>
  buildSocket({
    ...owner(pid, 'client'),
    localAddress: '127.0.0.1',
    localPort: 50000 + index,
    remoteAddress: '127.0.0.1',
    remotePort: 8080,
    state: 'ESTABLISHED',
    inode: 1000 + index
  })

/** A slowloris peer: a partial request, a byte now and then, nothing answered. */
const SLOWLORIS: Partial<TcpInfo> = { bytesReceived: 120, bytesSent: 0, bytesAcked: 0, lastReceiveMs: 6_000, lastSendMs: 90_000 }
/** A parked keep-alive connection: request in, response out, quiet since. */
const PARKED: Partial<TcpInfo> = { bytesReceived: 300, bytesSent: 2_000, bytesAcked: 2_000, lastReceiveMs: 40_000, lastSendMs: 39_990 }

const sample = (takenAt: number) => buildSample(takenAt, [buildProcessSample({ pid: SERVER, sockets: 60 })])

function findings(sockets: SocketEntry[], parents: ReadonlyMap<number, number> | null = null, seconds = 40) {
  const harness = new LeakHarness({ raiseAfterSeconds: 0 })
  for (let second = 0; second < seconds; second++) harness.tick(sample, sockets, parents)
  return harness.appeared
}

const connections = (count: number, tcpInfo: Partial<TcpInfo>, clientPid: number | null = null): SocketEntry[] =>
  Array.from({ length: count }, (_, index) => [accepted(index, tcpInfo), ...(clientPid === null ? [] : [clientEnd(index, clientPid)])]).flat()

describe('slow-clients', () => {
  it('names the listener, the peers by address, the counts, ages and what to do', () => {
    const strangers = [
      ...connections(30, SLOWLORIS),
      ...Array.from({ length: 20 }, (_, index) => buildSocket({ ...accepted(100 + index, SLOWLORIS), remoteAddress: '192.0.2.9', localAddress: '10.0.0.1', inode: 500 + index }))
    ]
    const [finding, ...others] = findings([listenerSocket, ...strangers])
    expect(others).toEqual([])
    expect(finding).toMatchObject({
      id: expect.stringMatching(/^slow-clients:.*\|8080$/),
      kind: 'slow-clients',
      process: { pid: SERVER, name: 'server' },
      severity: 'warning',
      title: 'server (pid 7) on :8080 is held open by 50 slow clients'
    })
    expect(finding?.evidence.groups).toEqual([
      { label: 'from 127.0.0.1', count: 30 },
      { label: 'from 192.0.2.9', count: 20 }
    ])
    expect(finding?.evidence.numbers).toEqual({ slowConnections: 50, peers: 2, oldestSeconds: 30, longestQuietSeconds: 6, mostBytesReceived: 120, minimumAgeSeconds: 30 })
    expect(finding?.explanation).toContain('50 connections accepted on :8080 from 2 addresses (most from 127.0.0.1, 30) have stayed open for at least 30 s')
    expect(finding?.explanation).toContain('sent at most 120 bytes each, going quiet for up to 6 s at a time')
    expect(finding?.advice).toContain('read and header timeouts')
    expect(finding?.advice).toContain('cap connections per client address')
  })

  it('leaves a parked keep-alive pool alone, however many and however idle', () => {
    expect(findings([listenerSocket, ...connections(50, PARKED)], null, 120)).toEqual([])
    // Within one tick of the kernel's clock the answer counts as after the request.
    expect(findings([listenerSocket, ...connections(50, { ...PARKED, lastSendMs: 40_000 })], null, 120)).toEqual([])
  })

  it("leaves a pool whose peer is the listener's own process tree alone, and not one of an unrelated process", () => {
    // The peer is the server itself.
    expect(findings([listenerSocket, ...connections(50, SLOWLORIS, SERVER)])).toEqual([])
    // The peer is a grandchild of the server: 9 → 8 → 7.
    const parents = new Map([
      [9, 8],
      [8, SERVER],
      [SERVER, 1],
      [20, 1]
    ])
    expect(findings([listenerSocket, ...connections(50, SLOWLORIS, 9)], parents)).toEqual([])
    // The server is a child of the peer's process (a test harness and the server it started).
    expect(findings([listenerSocket, ...connections(50, SLOWLORIS, 1_000)], new Map([[SERVER, 1_000]]))).toEqual([])
    // An unrelated local process (both children of init) is a stranger.
    expect(findings([listenerSocket, ...connections(50, SLOWLORIS, 20)], parents).map((finding) => finding.kind)).toEqual(['slow-clients'])
  })

  it('clears once the peers go away', () => {
    const harness = new LeakHarness({ raiseAfterSeconds: 0, clearAfterSeconds: 5 })
    const held = [listenerSocket, ...connections(12, SLOWLORIS)]
    for (let second = 0; second < 31; second++) harness.tick(sample, held)
    expect(harness.appeared.map((finding) => finding.kind)).toEqual(['slow-clients'])
    for (let second = 0; second < 6; second++) harness.tick(sample, [listenerSocket])
    expect(harness.cleared.map((finding) => finding.kind)).toEqual(['slow-clients'])
  })
})

describe('isWaitingOnQuietPeer', () => {
  const settings = DEFAULT_LEAK_SETTINGS
  it('counts a peer that sent nothing at all, and one whose server spoke only before its last bytes (a TLS handshake, then a trickle)', () => {
    expect(isWaitingOnQuietPeer(accepted(0, { bytesReceived: 0, bytesSent: 0, bytesAcked: 0, lastReceiveMs: 50_000, lastSendMs: 50_000 }), settings)).toBe(true)
    expect(isWaitingOnQuietPeer(accepted(0, { bytesReceived: 900, bytesSent: 3_000, bytesAcked: 3_000, lastReceiveMs: 2_000, lastSendMs: 45_000 }), settings)).toBe(true)
  })

  it('needs tcp_info and an established connection', () => {
    expect(isWaitingOnQuietPeer({ ...accepted(0, SLOWLORIS), tcpInfo: null }, settings)).toBe(false)
    expect(isWaitingOnQuietPeer({ ...accepted(0, SLOWLORIS), state: 'CLOSE_WAIT' }, settings)).toBe(false)
  })
})

describe('inSameProcessTree', () => {
  const parents = new Map([
    [30, 20],
    [20, 10],
    [10, 1],
    [40, 1]
  ])
  it('joins a process with its ancestors and descendants, not with its siblings under init', () => {
    expect(inSameProcessTree(10, 30, parents)).toBe(true)
    expect(inSameProcessTree(30, 10, parents)).toBe(true)
    expect(inSameProcessTree(30, 30, null)).toBe(true)
    expect(inSameProcessTree(30, 40, parents)).toBe(false)
    expect(inSameProcessTree(10, 30, null)).toBe(false)
  })
})
