import { describe, expect, it } from 'vitest'
import { summarizeSockets } from '../../../../electron/backend/history/socket-summary'
import { buildSocket } from '../../../support/socket-builder'

const range = { low: 32768, high: 60999 }
const server = { pid: 10, process: 'server', command: 'server', user: 'root' }
const worker = { pid: 11, process: 'server', command: 'server', user: 'root' }
const client = { pid: 20, process: 'client', command: 'client', user: 'root' }

describe('summarizeSockets', () => {
  const listener = buildSocket({ localPort: 40000, inode: 1, pid: 10, process: 'server', owners: [server, worker] })
  const accepted = buildSocket({
    localPort: 40000,
    remoteAddress: '127.0.0.1',
    remotePort: 50001,
    state: 'ESTABLISHED',
    inode: 2,
    pid: 10,
    process: 'server',
    owners: [server]
  })
  const outgoing = [50001, 50002, 50003].map((port, index) =>
    buildSocket({
      localPort: port,
      remoteAddress: '127.0.0.1',
      remotePort: 40000,
      state: index === 2 ? 'CLOSE_WAIT' : 'ESTABLISHED',
      inode: 10 + index,
      pid: 20,
      process: 'client',
      owners: [client]
    })
  )
  const timeWait = buildSocket({
    localPort: 50010,
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    state: 'TIME_WAIT',
    inode: 0,
    pid: null,
    process: null,
    owners: [],
    ownerVisibility: 'none'
  })
  const unix = buildSocket({
    protocol: 'unix',
    family: null,
    localAddress: '/run/x.sock',
    localPort: null,
    remotePort: null,
    state: 'LISTEN',
    inode: 30,
    owners: [client],
    pid: 20,
    process: 'client'
  })

  const summary = summarizeSockets([listener, accepted, ...outgoing, timeWait, unix], range)

  it('counts by state and protocol', () => {
    expect(summary.sockets).toBe(7)
    expect(summary.states).toEqual({ LISTEN: 2, ESTABLISHED: 3, CLOSE_WAIT: 1, TIME_WAIT: 1 })
    expect(summary.protocols).toEqual({ tcp: 6, udp: 0, unix: 1, raw: 0 })
  })

  it('counts a shared socket for each process holding it', () => {
    expect(summary.processes.get(10)).toMatchObject({ sockets: 2, states: { LISTEN: 1, ESTABLISHED: 1 } })
    expect(summary.processes.get(11)).toMatchObject({ sockets: 1, states: { LISTEN: 1 } })
    expect(summary.processes.get(20)).toMatchObject({ name: 'client', sockets: 4, protocols: { tcp: 3, udp: 0, unix: 1, raw: 0 } })
  })

  it('counts ephemeral ports per destination, TIME_WAIT included, accepted connections excluded', () => {
    expect(summary.ephemeral).toEqual([{ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 40000, count: 4, pid: 20, process: 'client' }])
  })

  it('tells destinations apart by every part: protocol, local address, remote address and port; busiest first', () => {
    const to = (overrides: Partial<Parameters<typeof buildSocket>[0]>, localPort: number) =>
      buildSocket({ localPort, remoteAddress: '10.0.0.1', remotePort: 443, state: 'ESTABLISHED', inode: localPort, ...overrides })
    const sockets = [
      to({}, 50001),
      to({}, 50002),
      to({ remoteAddress: '10.0.0.2' }, 50003),
      to({ remotePort: 80 }, 50004),
      to({ localAddress: '10.0.0.9' }, 50005),
      to({ protocol: 'udp' }, 50006),
      // A UDP socket bound to a port tells a TCP connection from that port nothing.
      to({ protocol: 'udp', state: 'UNCONN', remoteAddress: '0.0.0.0', remotePort: 0 }, 50007),
      to({}, 50007)
    ]
    const destinations = summarizeSockets(sockets, range).ephemeral.map((use) => [use.protocol, use.localAddress, use.remoteAddress, use.remotePort, use.count])
    expect(destinations).toEqual([
      ['tcp', '127.0.0.1', '10.0.0.1', 443, 3],
      ['tcp', '127.0.0.1', '10.0.0.2', 443, 1],
      ['tcp', '127.0.0.1', '10.0.0.1', 80, 1],
      ['tcp', '10.0.0.9', '10.0.0.1', 443, 1],
      ['udp', '127.0.0.1', '10.0.0.1', 443, 1]
    ])
  })

  it('skips ephemeral counting without a port range', () => {
    expect(summarizeSockets([...outgoing], null).ephemeral).toEqual([])
  })
})
