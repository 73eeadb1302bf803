/*
 * macOS `netstat -anv`. The TCP and UDP lines are as published in ayxos/porthole
 * (Tests/PortholeTests/main.swift), the newer format whose owner column is `process:pid` and may
 * hold spaces. No recording of the older `pid epid` format was found; it is tested from the
 * documented header alone (see test/fixtures/darwin/SOURCES.md).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseNetstatSockets } from '../../../../../electron/backend/platform/darwin/netstat-sockets'

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../fixtures/darwin', name), 'utf8')

describe('parseNetstatSockets on published output', () => {
  it('reads TCP lines with owners whose names hold spaces', () => {
    const { sockets, issues } = parseNetstatSockets(fixture('netstat-anv-porthole.txt'))
    expect(issues).toEqual([])
    expect(
      sockets.map((socket) => [
        socket.family,
        socket.dualStack,
        socket.localAddress,
        socket.localPort,
        socket.remoteAddress,
        socket.remotePort,
        socket.state,
        socket.pid,
        socket.processName
      ])
    ).toEqual([
      [4, false, '192.168.0.105', 59739, '108.177.127.109', 993, 'ESTABLISHED', 935, 'Mail'],
      [4, false, '0.0.0.0', 7000, '0.0.0.0', 0, 'LISTEN', 629, 'ControlCenter'],
      [6, false, '::', 7000, '::', 0, 'LISTEN', 629, 'ControlCenter'],
      [4, false, '127.0.0.1', 5037, '0.0.0.0', 0, 'LISTEN', 21865, 'adb'],
      [4, false, '0.0.0.0', 8080, '0.0.0.0', 0, 'LISTEN', 855, 'Brave Browser He']
    ])
  })

  it('reads UDP lines, which have no state column', () => {
    const { sockets, issues } = parseNetstatSockets(fixture('netstat-anv-udp-porthole.txt'))
    expect(issues).toEqual([])
    expect(sockets.map((socket) => [socket.protocol, socket.localPort, socket.remoteAddress, socket.remotePort, socket.state, socket.pid, socket.processName])).toEqual([
      ['udp', 5353, '0.0.0.0', 0, 'UNCONN', 21865, 'adb'],
      ['udp', 64161, '108.177.119.95', 443, 'ESTABLISHED', 855, 'Brave Browser He']
    ])
  })
})

describe('parseNetstatSockets on the documented formats', () => {
  it('reads the older pid/epid columns, dual-stack sockets and sockets without an owner', () => {
    const text = [
      'Active Internet connections (including servers)',
      'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)     rhiwat shiwat    pid   epid  state    options',
      'tcp46      0      0  *.80                   *.*                    LISTEN      131072 131072    321      0 0x0080 0x0000000e',
      'tcp4       0      0  10.0.0.2.50000         10.0.0.9.443           TIME_WAIT   131072 131072      0      0 0x0000 0x00000000',
      'tcp6       0      0  fe80::1%lo0.631        *.*                    SYN_RCVD    131072 131072     44      0 0x0000 0x00000000',
      'Active LOCAL (UNIX) domain sockets',
      'Address          Type   Recv-Q Send-Q            Inode             Conn             Refs          Nextref Addr',
      'ffffff80123      stream      0      0                0 ffffff80124                0                0'
    ].join('\n')
    const { sockets, issues } = parseNetstatSockets(text)
    expect(issues).toEqual([])
    expect(sockets.map((socket) => [socket.family, socket.dualStack, socket.localAddress, socket.localPort, socket.state, socket.pid, socket.processName])).toEqual([
      [6, true, '::', 80, 'LISTEN', 321, null],
      [4, false, '10.0.0.2', 50000, 'TIME_WAIT', null, null],
      [6, false, 'fe80::1%lo0', 631, 'SYN_RECV', 44, null]
    ])
  })

  it('reports lines it cannot read, with their numbers, and keeps the rest', () => {
    const lines = fixture('netstat-anv-porthole.txt').trimEnd().split('\n')
    const text = [
      ...lines,
      'tcp4       0      0  example.com.443        *.*                    LISTEN                 0            0  131072  131072    x:1    00100 00000006 0 0 0 1 0 0',
      'tcp4       0      0  *.80                   *.*                    WAITING                0            0  131072  131072    x:1    00100 00000006 0 0 0 1 0 0',
      'tcp4       x      0  *.81                   *.*                    LISTEN                 0            0  131072  131072    x:1    00100 00000006 0 0 0 1 0 0',
      'garbage'
    ].join('\n')
    const { sockets, issues } = parseNetstatSockets(text)
    expect(sockets).toHaveLength(5)
    expect(issues.map((issue) => [issue.line, issue.message])).toEqual([
      [lines.length + 1, 'the address in "example.com.443" is a host name; netstat must run with -n'],
      [lines.length + 2, 'unknown TCP state "WAITING"'],
      [lines.length + 3, 'the queue columns are not numbers'],
      [lines.length + 4, 'not a socket line']
    ])
  })

  it('reports a socket line before any header', () => {
    expect(parseNetstatSockets('tcp4 0 0 *.80 *.* LISTEN').issues[0]?.message).toBe('a socket line before any header line')
  })
})
