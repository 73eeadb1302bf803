/*
 * `lsof -F` field output. The recording is real: lsof 4.95.0 on Debian 12, run as
 * `lsof -nP -a -p PID -i -F pcuLftdPnT` against a process holding a listener with one connection
 * waiting, both ends of a loopback connection with 100 bytes unread, an IPv6 listener, an IPv6
 * UDP socket and a connected IPv4 UDP socket (see test/fixtures/darwin/SOURCES.md). The field
 * format is the one lsof prints on macOS too; the macOS-specific values (state names such as
 * SYN_RCVD and FIN_WAIT_1, a kernel address in `d`) are tested from the documented format.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseLsofFields } from '../../../../../electron/backend/platform/darwin/lsof-fields'

const fixture = readFileSync(join(__dirname, '../../../../fixtures/darwin/lsof-F-linux-4.95.txt'), 'utf8')

describe('parseLsofFields on a real recording', () => {
  const { sockets, issues } = parseLsofFields(fixture)

  it('reads every Internet socket of the process with its process fields', () => {
    expect(issues).toEqual([])
    expect(sockets).toHaveLength(6)
    expect(sockets.every((socket) => socket.pid === 26087 && socket.command === 'python3' && socket.uid === 0 && socket.login === 'root')).toBe(true)
  })

  it('reads endpoints, states and queues', () => {
    expect(
      sockets.map((socket) => [
        socket.fd,
        socket.protocol,
        socket.family,
        socket.localAddress,
        socket.localPort,
        socket.remoteAddress,
        socket.remotePort,
        socket.state,
        socket.recvQueue
      ])
    ).toEqual([
      ['3', 'tcp', 4, '127.0.0.1', 42297, '0.0.0.0', 0, 'LISTEN', 1],
      ['4', 'tcp', 4, '127.0.0.1', 55478, '127.0.0.1', 42297, 'ESTABLISHED', 0],
      ['5', 'tcp', 4, '127.0.0.1', 42297, '127.0.0.1', 55478, 'ESTABLISHED', 100],
      ['6', 'tcp', 6, '::1', 35529, '::', 0, 'LISTEN', 0],
      ['7', 'udp', 6, '::1', 57114, '::', 0, 'UNCONN', 0],
      ['8', 'udp', 4, '127.0.0.1', 44525, '127.0.0.1', 9, 'ESTABLISHED', 0]
    ])
    expect(sockets[0]?.device).toBe('7904734')
  })

  it('reads the same output with CRLF line ends', () => {
    expect(parseLsofFields(fixture.replaceAll('\n', '\r\n')).sockets).toEqual(sockets)
  })
})

describe('parseLsofFields on the documented macOS values', () => {
  it('maps macOS state names and keeps the kernel address of a socket held twice', () => {
    const text = [
      'p455',
      'crapportd',
      'u501',
      'f10',
      'tIPv6',
      'd0xcdf758597a6d43c3',
      'PTCP',
      'n*:49159',
      'TST=LISTEN',
      'f11',
      'tIPv4',
      'd0x1',
      'PTCP',
      'n10.0.0.2:50000->10.0.0.9:443',
      'TST=FIN_WAIT_1',
      'f12',
      'tIPv4',
      'd0x2',
      'PTCP',
      'n10.0.0.2:50001->10.0.0.9:443',
      'TST=SYN_RCVD',
      ''
    ].join('\n')
    const { sockets, issues } = parseLsofFields(text)
    expect(issues).toEqual([])
    expect(sockets.map((socket) => [socket.localAddress, socket.state, socket.device, socket.recvQueue])).toEqual([
      ['::', 'LISTEN', '0xcdf758597a6d43c3', null],
      ['10.0.0.2', 'FIN_WAIT1', '0x1', null],
      ['10.0.0.2', 'SYN_RECV', '0x2', null]
    ])
  })

  it('leaves out files that are not Internet sockets, without an issue', () => {
    const text = ['p1', 'claunchd', 'f3', 'tunix', 'd0xabc', 'n/var/run/syslog', 'f4', 'tREG', 'n/etc/hosts', 'f5', 'tIPv4', 'PICMP', 'n*:*'].join('\n')
    expect(parseLsofFields(text)).toEqual({ sockets: [], issues: [] })
  })
})

describe('parseLsofFields on bad input', () => {
  it('reports each bad line with its number and keeps every good record around it', () => {
    const lines = fixture.trimEnd().split('\n')
    // A resolved host name, an unknown state and a field before any process.
    const broken = ['f9', 'tIPv4', 'PTCP', 'nsiky-mac-mini:61472->221.229.52.145:443', 'TST=ESTABLISHED', 'f10', 'tIPv4', 'PTCP', 'n127.0.0.1:1->127.0.0.1:2', 'TST=WEIRD']
    const text = ['cstray', ...lines, ...broken].join('\n')
    const { sockets, issues } = parseLsofFields(text, 'lsof')
    expect(sockets).toHaveLength(6)
    expect(issues).toEqual([
      { source: 'lsof', line: 1, message: 'a field before any process (p) line', text: 'cstray' },
      {
        source: 'lsof',
        line: lines.length + 5,
        message: 'the address in "siky-mac-mini:61472" is a host name; lsof must run with -n',
        text: 'nsiky-mac-mini:61472->221.229.52.145:443'
      },
      { source: 'lsof', line: lines.length + 10, message: 'unknown TCP state "WEIRD"', text: 'n127.0.0.1:1->127.0.0.1:2' }
    ])
  })

  it('reports a service name for a port (lsof run without -P), a bad pid, and skips that process', () => {
    const { sockets, issues } = parseLsofFields(
      ['p12', 'f3', 'tIPv4', 'PTCP', 'n127.0.0.1:https', 'TST=LISTEN', 'pabc', 'f4', 'tIPv4', 'PUDP', 'n*:53', 'p13', 'f5', 'tIPv4', 'PUDP', 'n*:53'].join('\n')
    )
    expect(issues.map((issue) => [issue.line, issue.message])).toEqual([
      [5, 'the port in "127.0.0.1:https" is a service name; lsof must run with -P'],
      [7, 'a process id must be a positive number']
    ])
    expect(sockets.map((socket) => socket.pid)).toEqual([13])
  })

  it('takes port 65535 and refuses 65536', () => {
    const port = (value: number) => parseLsofFields(['p1', 'f1', 'tIPv4', 'PUDP', `n127.0.0.1:${value}`].join('\n'))
    expect(port(65535).sockets[0]?.localPort).toBe(65535)
    expect(port(65536).issues[0]?.message).toBe('the port in "127.0.0.1:65536" is out of range')
  })

  it('never throws on arbitrary bytes', () => {
    const noise = Array.from({ length: 2000 }, (_, index) => String.fromCharCode((index * 7919) % 127)).join('')
    expect(() => parseLsofFields(noise)).not.toThrow()
  })
})
