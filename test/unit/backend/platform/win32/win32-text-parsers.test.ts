/*
 * The Windows fallback's text parsers. `netstat -ano` is a real Windows 10 recording
 * (kellyjonbrazil/jc, tests/fixtures/windows/windows-10/netstat-aon.out: every TCP line and the
 * first UDP lines of each kind, unchanged; see test/fixtures/win32/SOURCES.md). No recorded
 * `tasklist /fo csv /nh` or `netsh int ipv4 show dynamicport tcp` output was found: those two are
 * tested from their documented formats, with inputs written here.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseNetshDynamicPorts } from '../../../../../electron/backend/platform/win32/netsh-port-range'
import { parseNetstatAno } from '../../../../../electron/backend/platform/win32/netstat-ano'
import { parseTasklistCsv } from '../../../../../electron/backend/platform/win32/tasklist-csv'

const recording = readFileSync(join(__dirname, '../../../../fixtures/win32/netstat-ano-windows10.txt'), 'utf8')

describe('parseNetstatAno on a real recording', () => {
  const { sockets, issues } = parseNetstatAno(recording)

  it('reads every TCP and UDP line, IPv4 and IPv6, without an issue', () => {
    expect(issues).toEqual([])
    expect(sockets.filter((socket) => socket.protocol === 'tcp')).toHaveLength(71)
    expect(sockets.filter((socket) => socket.protocol === 'udp')).toHaveLength(29)
  })

  it('reads listeners, connections, IPv6 wildcards and link-local scopes', () => {
    expect(sockets[0]).toEqual({ protocol: 'tcp', family: 4, localAddress: '0.0.0.0', localPort: 135, remoteAddress: '0.0.0.0', remotePort: 0, state: 'LISTEN', pid: 1712 })
    expect(sockets.find((socket) => socket.localPort === 1031)).toMatchObject({ remoteAddress: '127.0.0.1', remotePort: 1032, state: 'ESTABLISHED', pid: 10644 })
    expect(sockets.find((socket) => socket.family === 6 && socket.protocol === 'tcp')).toEqual({
      protocol: 'tcp',
      family: 6,
      localAddress: '::',
      localPort: 135,
      remoteAddress: '::',
      remotePort: 0,
      state: 'LISTEN',
      pid: 1712
    })
    expect(sockets.at(-1)).toEqual({
      protocol: 'udp',
      family: 6,
      localAddress: 'fe80::f5d1:8bf7:c410:e325%64',
      localPort: 52284,
      remoteAddress: '::',
      remotePort: 0,
      state: 'UNCONN',
      pid: 8844
    })
  })

  it('reads the same output with CRLF line ends, as Windows writes it', () => {
    expect(parseNetstatAno(recording.replaceAll('\n', '\r\n')).sockets).toEqual(sockets)
  })
})

describe('parseNetstatAno on bad input', () => {
  it('reports each unreadable line with its number and keeps the others', () => {
    const lines = recording.trimEnd().split('\n')
    const text = [
      ...lines,
      '  TCP    127.0.0.1:5000         127.0.0.1:5001         ABGEBAUT        4242',
      '  TCP    localhost:5000         127.0.0.1:5001         ESTABLISHED     4242',
      '  UDP    0.0.0.0:53             *:*',
      '  TCP    127.0.0.1:65536        0.0.0.0:0              LISTENING       4'
    ].join('\n')
    const { sockets, issues } = parseNetstatAno(text)
    expect(sockets).toHaveLength(100)
    expect(issues.map((issue) => [issue.line, issue.message])).toEqual([
      [lines.length + 1, 'unknown TCP state "ABGEBAUT"'],
      [lines.length + 2, 'the address in "localhost:5000" is not numeric; netstat must run with -n'],
      [lines.length + 3, 'a UDP line has 4 columns, this one 3'],
      [lines.length + 4, 'the port in "127.0.0.1:65536" is not a port number; netstat must run with -n']
    ])
  })
})

describe('parseTasklistCsv (documented format)', () => {
  it('reads names and pids, including a quoted comma in the memory column and a doubled quote in a name', () => {
    const text = '"System Idle Process","0","Services","0","8 K"\r\n"svchost.exe","1712","Services","0","12,345 K"\r\n"say ""hi"".exe","4242","Console","1","1,024 K"\r\n'
    expect(parseTasklistCsv(text)).toEqual({
      names: new Map([
        [0, 'System Idle Process'],
        [1712, 'svchost.exe'],
        [4242, 'say "hi".exe']
      ]),
      issues: []
    })
  })

  it('takes the no-match notice as an empty answer, and reports a broken row', () => {
    expect(parseTasklistCsv('INFO: No tasks are running which match the specified criteria.\r\n')).toEqual({ names: new Map(), issues: [] })
    const { names, issues } = parseTasklistCsv('"a.exe","12","Console","1","1 K"\n"b.exe","x","Console","1","1 K"\n"c.exe,"13"\n')
    expect([...names]).toEqual([[12, 'a.exe']])
    expect(issues.map((issue) => issue.line)).toEqual([2, 3])
  })
})

describe('parseNetshDynamicPorts (documented format)', () => {
  const output = (start: string, count: string) =>
    `\r\nProtocol tcp Dynamic Port Range\r\n---------------------------------\r\nStart Port      : ${start}\r\nNumber of Ports : ${count}\r\n\r\n`

  it('reads the start and the count, whatever language the labels are in', () => {
    expect(parseNetshDynamicPorts(output('49152', '16384'))).toEqual({ low: 49152, high: 65535 })
    expect(parseNetshDynamicPorts(output('49152', '16384').replace('Start Port', 'Startport').replace('Number of Ports', 'Anzahl Ports'))).toEqual({ low: 49152, high: 65535 })
  })

  it('refuses a range that would end past 65535, quoting the text', () => {
    expect(parseNetshDynamicPorts(output('65535', '1'))).toEqual({ low: 65535, high: 65535 })
    expect(() => parseNetshDynamicPorts(output('65535', '2'))).toThrow('netsh: expected a start port and a number of ports')
    expect(() => parseNetshDynamicPorts('The requested operation requires elevation.')).toThrow('got "The requested operation requires elevation."')
  })
})
