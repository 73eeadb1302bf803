import { describe, expect, it } from 'vitest'
import { captureFilterForPorts, captureFilterForProcess, captureFilterForSocket, MAX_PROCESS_FILTER_TERMS } from '../../../shared/capture-filter'
import type { SocketEntry } from '../../../shared/model/socket'
import { buildSocket } from '../../support/socket-builder'

function socket(fields: Partial<SocketEntry>): SocketEntry {
  return buildSocket({ localAddress: '0.0.0.0', pid: 100, process: 'server', owners: [{ pid: 100, process: 'server', command: 'server', user: 'root' }], ...fields })
}

describe('captureFilterForPorts', () => {
  it('joins ports per protocol, TCP first, sorted and without repeats', () => {
    expect(
      captureFilterForPorts([
        { protocol: 'udp', port: 53 },
        { protocol: 'tcp', port: 8080 },
        { protocol: 'tcp', port: 443 },
        { protocol: 'tcp', port: 8080 }
      ])
    ).toBe('tcp port 443 or tcp port 8080 or udp port 53')
  })

  it('collapses three or more consecutive ports into a portrange', () => {
    const ports = [9000, 9001, 9002, 9003, 7000, 7001].map((port) => ({ protocol: 'tcp' as const, port }))
    expect(captureFilterForPorts(ports)).toBe('tcp port 7000 or tcp port 7001 or tcp portrange 9000-9003')
  })

  it('ignores invalid ports and returns null when nothing is left', () => {
    expect(
      captureFilterForPorts([
        { protocol: 'tcp', port: 0 },
        { protocol: 'udp', port: 70000 },
        { protocol: 'udp', port: 1.5 }
      ])
    ).toBeNull()
  })
})

describe('captureFilterForSocket', () => {
  it('gives a wildcard listener its port only', () => {
    expect(captureFilterForSocket(socket({}))).toBe('tcp and port 8080')
  })

  it('gives a listener bound to one address that host', () => {
    expect(captureFilterForSocket(socket({ localAddress: '127.0.0.1' }))).toBe('tcp and host 127.0.0.1 and port 8080')
    expect(captureFilterForSocket(socket({ family: 6, localAddress: '::', localPort: 53, protocol: 'udp', state: 'UNCONN' }))).toBe('udp and port 53')
  })

  it('gives a connection both endpoints, as the wire carries them', () => {
    expect(captureFilterForSocket(socket({ localAddress: '10.0.0.5', localPort: 51234, remoteAddress: '93.184.216.34', remotePort: 443, state: 'ESTABLISHED' }))).toBe(
      'tcp and host 10.0.0.5 and port 51234 and host 93.184.216.34 and port 443'
    )
    // Dual-stack sockets show IPv4 peers as IPv4-mapped IPv6; the packets are IPv4.
    expect(
      captureFilterForSocket(socket({ family: 6, localAddress: '::ffff:127.0.0.1', localPort: 8080, remoteAddress: '::ffff:127.0.0.1', remotePort: 40000, state: 'ESTABLISHED' }))
    ).toBe('tcp and host 127.0.0.1 and port 8080 and port 40000')
    expect(captureFilterForSocket(socket({ family: 6, localAddress: 'fe80::1%eth0', localPort: 22, remoteAddress: 'fe80::2%eth0', remotePort: 50000, state: 'ESTABLISHED' }))).toBe(
      'tcp and host fe80::1 and port 22 and host fe80::2 and port 50000'
    )
  })

  it('has nothing for UNIX and raw sockets', () => {
    expect(captureFilterForSocket(socket({ protocol: 'unix', family: null, localAddress: '/run/x.sock', localPort: null }))).toBeNull()
    expect(captureFilterForSocket(socket({ protocol: 'raw', localPort: null, rawProtocol: 1 }))).toBeNull()
  })
})

describe('captureFilterForProcess', () => {
  it('covers every TCP and UDP port the process holds, shared sockets included', () => {
    const sockets = [
      socket({}),
      socket({ localAddress: '127.0.0.1', localPort: 40001, remoteAddress: '127.0.0.1', remotePort: 5432, state: 'ESTABLISHED' }),
      socket({ protocol: 'udp', localPort: 53, state: 'UNCONN' }),
      socket({
        pid: 200,
        localPort: 9999,
        owners: [
          { pid: 200, process: 'parent', command: 'parent', user: 'root' },
          { pid: 100, process: 'server', command: 'server', user: 'root' }
        ]
      }),
      socket({ pid: 300, localPort: 1234, owners: [{ pid: 300, process: 'other', command: 'other', user: 'root' }] }),
      socket({ protocol: 'unix', family: null, localAddress: '/tmp/s', localPort: null })
    ]
    expect(captureFilterForProcess(sockets, 100)).toEqual({ filter: 'tcp port 8080 or tcp port 9999 or tcp port 40001 or udp port 53', widened: false })
    expect(captureFilterForProcess(sockets, 999)).toBeNull()
  })

  it("names a listener's port once for all the connections it accepted", () => {
    const accepted = Array.from({ length: 500 }, (_, index) =>
      socket({ localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '127.0.0.1', remotePort: 30000 + 7 * index, state: 'ESTABLISHED' })
    )
    expect(captureFilterForProcess([socket({ state: 'LISTEN' }), ...accepted], 100)).toEqual({ filter: 'tcp port 8080', widened: false })
  })

  /** A process with `count` client connections on scattered local ports (every third one). */
  function clients(count: number): SocketEntry[] {
    return Array.from({ length: count }, (_, index) =>
      socket({ localAddress: '127.0.0.1', localPort: 40000 + 3 * index, remoteAddress: '127.0.0.1', remotePort: 5432, state: 'ESTABLISHED' })
    )
  }

  it('names each port while they fit the cap, and joins the nearest ports once they do not', () => {
    const fits = captureFilterForProcess(clients(MAX_PROCESS_FILTER_TERMS), 100)
    expect(fits?.widened).toBe(false)
    expect(fits?.filter.split(' or ')).toHaveLength(MAX_PROCESS_FILTER_TERMS)

    const over = captureFilterForProcess(clients(MAX_PROCESS_FILTER_TERMS + 1), 100)
    expect(over?.widened).toBe(true)
    expect(over?.filter.split(' or ').length).toBeLessThanOrEqual(MAX_PROCESS_FILTER_TERMS)
    // The first two ports were the nearest pair: they are joined, every other port stays exact.
    expect(over?.filter).toBe(['tcp portrange 40000-40003', ...Array.from({ length: MAX_PROCESS_FILTER_TERMS - 1 }, (_, index) => `tcp port ${40006 + 3 * index}`)].join(' or '))
  })

  it('shares the cap between TCP and UDP when both hold many ports', () => {
    const udp = Array.from({ length: 100 }, (_, index) => socket({ protocol: 'udp', localPort: 20000 + 5 * index, state: 'UNCONN' }))
    const result = captureFilterForProcess([...clients(100), ...udp], 100)
    const terms = result?.filter.split(' or ') ?? []
    expect(terms).toHaveLength(MAX_PROCESS_FILTER_TERMS)
    expect(terms.filter((term) => term.startsWith('tcp '))).toHaveLength(MAX_PROCESS_FILTER_TERMS / 2)
  })

  it('stays within the cap for thousands of ports and still covers every one', () => {
    const many = clients(2307)
    const result = captureFilterForProcess(many, 100)
    expect(result?.widened).toBe(true)
    const terms = result?.filter.split(' or ') ?? []
    expect(terms.length).toBeLessThanOrEqual(MAX_PROCESS_FILTER_TERMS)
    const ranges = terms.map((term) => {
      const match = /tcp (?:port (\d+)|portrange (\d+)-(\d+))/.exec(term)
      return { first: Number(match?.[1] ?? match?.[2]), last: Number(match?.[1] ?? match?.[3]) }
    })
    for (const entry of many) expect(ranges.some((range) => entry.localPort !== null && entry.localPort >= range.first && entry.localPort <= range.last)).toBe(true)
  })
})
