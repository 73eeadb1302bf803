/*
 * How the fixtures in test/fixtures/proc-net and test/fixtures/ss were made (Debian 12, kernel 6.18,
 * iproute2 6.1, as root): one Node process opened loopback sockets (listeners on 127.0.0.1:35703,
 * ::1:41473 and dual-stack :::43587; clients to each, one of them IPv4 to the dual-stack listener,
 * so the server side is v4-mapped; a keepalive client; a half-closed pair left in
 * FIN_WAIT2/CLOSE_WAIT; a pair closed into TIME_WAIT; connections to a child `node -e` listener on
 * 127.0.0.1:46357 with backlog 1 whose event loop was blocked, leaving accepted-but-unclaimed
 * ESTABLISHED sockets and SYN_SENT clients; connected and unconnected UDP on 127.0.0.1 and ::1;
 * UNIX stream listeners on a path and on an abstract name, with clients). A Perl child added what
 * Node cannot make: FIN_WAIT1, CLOSING and LAST_ACK (data stuck behind a full receive window,
 * then shutdown), a TCP_DEFER_ACCEPT listener on 127.0.0.1:34297 holding a SYN_RECV, UDP on
 * 127.0.0.1:37338 with three unread datagrams, raw sockets (IPv4 protocols 253 and 254, the
 * latter connected to 127.0.0.2; ICMPv6), and UNIX dgram, socketpair and seqpacket sockets with
 * a connection left unaccepted. Then /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,unix} were copied and,
 * right after, `ss -tanpeoH`, `ss -uanpeH`, `ss -wanpeH` and `ss -xapeH` were saved.
 * tcp-malformed, tcp-truncated and unix-malformed are those copies edited by hand.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TCP_STATES } from '../../../../../shared/model/socket'
import type { SocketEntry } from '../../../../../shared/model/socket'
import { formatAddressBytes, parseInetTable, parseUnixTable } from '../../../../../electron/backend/platform/linux/proc-net-parser'
import type { InetTableOptions } from '../../../../../electron/backend/platform/linux/proc-net-parser'
import { kernelStateName, parseSsOutput } from '../../../../support/ss-output'
import { elementAt } from '../../../../../shared/element-at'

const fixtures = join(__dirname, '../../../../fixtures')

function fixture(name: string): string {
  return readFileSync(join(fixtures, name), 'utf8')
}

function inet(name: string, protocol: InetTableOptions['protocol'], family: 4 | 6): SocketEntry[] {
  const { rows, issues } = parseInetTable(fixture(`proc-net/${name}`), { source: `/proc/net/${name}`, protocol, family })
  expect(issues).toEqual([])
  return [...rows]
}

function find(rows: readonly SocketEntry[], localPort: number | null, remotePort: number | null, localAddress?: string): SocketEntry {
  const matches = rows.filter((row) => row.localPort === localPort && row.remotePort === remotePort && (localAddress === undefined || row.localAddress === localAddress))
  expect(matches, `one row for ${localAddress ?? ''}:${localPort} -> ${remotePort}`).toHaveLength(1)
  return elementAt(matches, 0)
}

/** A synthetic /proc/net/tcp line in the kernel's format. */
function tcpLine(state: string, timer = '00:00000000', inode = 4242): string {
  return `   0: 0100007F:1F90 0100007F:C350 ${state} 0000000A:00000014 ${timer} 00000003  1000        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`
}

describe('parseInetTable on IPv4 TCP', () => {
  const rows = inet('tcp', 'tcp', 4)

  it('reads a loopback listener', () => {
    expect(find(rows, 35703, 0)).toMatchObject({
      id: 'tcp4 127.0.0.1|35703 0.0.0.0|0 #18865',
      protocol: 'tcp',
      family: 4,
      localAddress: '127.0.0.1',
      remoteAddress: '0.0.0.0',
      state: 'LISTEN',
      recvQueue: 0,
      sendQueue: 0,
      inode: 18865,
      uid: 0,
      timer: { kind: 'off', expiresInMs: 0 },
      retransmits: 0,
      unixType: null,
      rawProtocol: null,
      pid: null,
      owners: [],
      user: null
    })
  })

  it('reports the accept backlog of a listener as its receive queue', () => {
    expect(find(rows, 46357, 0)).toMatchObject({ state: 'LISTEN', recvQueue: 2 })
  })

  it('reads every TCP state the fixture holds', () => {
    expect(new Set(rows.map((row) => row.state))).toEqual(
      new Set(['LISTEN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING'])
    )
  })

  it('reads a half-closed pair as FIN_WAIT2 and CLOSE_WAIT', () => {
    expect(find(rows, 60156, 35703)).toMatchObject({ state: 'FIN_WAIT2', inode: 18886 })
    expect(find(rows, 35703, 60156)).toMatchObject({ state: 'CLOSE_WAIT', inode: 18887 })
  })

  it('reads TIME_WAIT with no inode and its time-wait timer', () => {
    expect(find(rows, 60158, 35703)).toMatchObject({
      state: 'TIME_WAIT',
      inode: 0,
      timer: { kind: 'time-wait', expiresInMs: 58_950 },
      id: 'tcp4 127.0.0.1|60158 127.0.0.1|35703 #0'
    })
  })

  it('reads SYN_SENT with the SYN in the send queue and a retransmit timer', () => {
    expect(find(rows, 38528, 46357)).toMatchObject({
      state: 'SYN_SENT',
      sendQueue: 1,
      inode: 17669,
      timer: { kind: 'retransmit', expiresInMs: 380 }
    })
  })

  it('reads a deferred handshake as SYN_RECV without an inode', () => {
    expect(find(rows, 34297, 48226)).toMatchObject({ state: 'SYN_RECV', inode: 0, timer: { kind: 'retransmit', expiresInMs: 490 } })
  })

  it('reads accepted connections nobody claimed yet as ESTABLISHED without an inode', () => {
    expect(find(rows, 46357, 38510)).toMatchObject({ state: 'ESTABLISHED', inode: 0 })
  })

  it('reads FIN_WAIT1, CLOSING and LAST_ACK with their stuck queues and zero-window probes', () => {
    expect(find(rows, 52642, 35037)).toMatchObject({
      state: 'FIN_WAIT1',
      sendQueue: 4097,
      recvQueue: 0,
      timer: { kind: 'zero-window-probe', expiresInMs: 120 }
    })
    expect(find(rows, 52644, 35037)).toMatchObject({ state: 'CLOSING', sendQueue: 4097, recvQueue: 1 })
    expect(find(rows, 35037, 52646)).toMatchObject({
      state: 'LAST_ACK',
      sendQueue: 4097,
      timer: { kind: 'zero-window-probe', expiresInMs: 220 }
    })
    expect(find(rows, 35037, 52642)).toMatchObject({ state: 'ESTABLISHED', recvQueue: 5120 })
  })

  it('reads a keepalive timer in milliseconds', () => {
    expect(find(rows, 60144, 35703).timer).toEqual({ kind: 'keepalive', expiresInMs: 58_840 })
  })

  it('gives every row its own id', () => {
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length)
  })
})

describe('parseInetTable on IPv6 TCP', () => {
  const rows = inet('tcp6', 'tcp', 6)

  it('reads listeners on ::1 and on ::', () => {
    expect(find(rows, 41473, 0)).toMatchObject({ localAddress: '::1', remoteAddress: '::', state: 'LISTEN', family: 6, inode: 18866 })
    expect(find(rows, 43587, 0)).toMatchObject({ localAddress: '::', remoteAddress: '::', state: 'LISTEN', inode: 18867 })
  })

  it('keeps a v4-mapped connection as the kernel reports it, printed like ss', () => {
    expect(find(rows, 43587, 37074)).toMatchObject({
      localAddress: '::ffff:127.0.0.1',
      remoteAddress: '::ffff:127.0.0.1',
      state: 'ESTABLISHED',
      inode: 18879,
      id: 'tcp6 ::ffff:127.0.0.1|43587 ::ffff:127.0.0.1|37074 #18879'
    })
    // The client side of that connection is plain IPv4.
    expect(find(inet('tcp', 'tcp', 4), 37074, 43587)).toMatchObject({ localAddress: '127.0.0.1', remoteAddress: '127.0.0.1' })
  })

  it('reads an IPv6 TIME_WAIT', () => {
    expect(find(rows, 39218, 41473)).toMatchObject({ state: 'TIME_WAIT', localAddress: '::1', inode: 0 })
  })
})

describe('parseInetTable on UDP', () => {
  it('reads unconnected sockets as UNCONN, with unread datagrams in the receive queue', () => {
    const rows = inet('udp', 'udp', 4)
    expect(find(rows, 37338, 0)).toMatchObject({
      state: 'UNCONN',
      localAddress: '127.0.0.1',
      remoteAddress: '0.0.0.0',
      recvQueue: 2496,
      inode: 18999,
      timer: null,
      retransmits: null
    })
    expect(find(rows, 59545, 0)).toMatchObject({ state: 'UNCONN', localAddress: '0.0.0.0' })
  })

  it('reads connected sockets as ESTABLISHED, on IPv4 and IPv6', () => {
    expect(find(inet('udp', 'udp', 4), 44391, 45081)).toMatchObject({ state: 'ESTABLISHED', remoteAddress: '127.0.0.1', inode: 17674 })
    const udp6 = inet('udp6', 'udp', 6)
    expect(find(udp6, 35324, 46219)).toMatchObject({ state: 'ESTABLISHED', localAddress: '::1', remoteAddress: '::1', family: 6 })
    expect(find(udp6, 46219, 0)).toMatchObject({ state: 'UNCONN', remoteAddress: '::' })
  })
})

describe('parseInetTable on raw sockets', () => {
  it('reads the IP protocol from the local port column', () => {
    const rows = inet('raw', 'raw', 4)
    const unconnected = rows.find((row) => row.rawProtocol === 253)
    expect(unconnected).toMatchObject({ state: 'UNCONN', localAddress: '0.0.0.0', localPort: null, remotePort: null, inode: 19001 })
    const connected = rows.find((row) => row.rawProtocol === 254)
    expect(connected).toMatchObject({ state: 'ESTABLISHED', localAddress: '127.0.0.1', remoteAddress: '127.0.0.2', inode: 19003 })
    expect(connected?.id).toBe('raw4 127.0.0.1|254 127.0.0.2| #19003')
  })

  it('reads raw IPv6 (ICMPv6)', () => {
    expect(inet('raw6', 'raw', 6)).toEqual([expect.objectContaining({ protocol: 'raw', family: 6, rawProtocol: 58, localAddress: '::', state: 'UNCONN', inode: 19002 })])
  })
})

describe('TCP and datagram state mapping', () => {
  it('maps every kernel TCP state code, 0x01 to 0x0C', () => {
    TCP_STATES.forEach((name, index) => {
      const code = (index + 1).toString(16).toUpperCase().padStart(2, '0')
      const { rows, issues } = parseInetTable(tcpLine(code), { source: 'synthetic', protocol: 'tcp', family: 4 })
      expect(issues).toEqual([])
      expect(elementAt(rows, 0).state).toBe(name)
    })
  })

  it('names CLOSE and NEW_SYN_RECV the kernel way', () => {
    const parse = (code: string) => elementAt(parseInetTable(tcpLine(code), { source: 'synthetic', protocol: 'tcp', family: 4 }).rows, 0).state
    expect(parse('07')).toBe('CLOSE')
    expect(parse('0C')).toBe('NEW_SYN_RECV')
  })

  it('names UDP and raw states the way ss does', () => {
    for (const protocol of ['udp', 'raw'] as const) {
      const parse = (code: string) => elementAt(parseInetTable(tcpLine(code), { source: 'synthetic', protocol, family: 4 }).rows, 0).state
      expect(parse('07')).toBe('UNCONN')
      expect(parse('01')).toBe('ESTABLISHED')
    }
  })

  it('reports unknown state codes as issues', () => {
    for (const code of ['00', '0D', 'FF']) {
      const { rows, issues } = parseInetTable(tcpLine(code), { source: 'synthetic', protocol: 'tcp', family: 4 })
      expect(rows).toEqual([])
      expect(elementAt(issues, 0).message).toMatch(/unknown TCP state/)
    }
  })

  it('reads the queues, uid, retransmits and every timer kind of a line', () => {
    const kinds = ['off', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe']
    kinds.forEach((kind, code) => {
      const { rows } = parseInetTable(tcpLine('01', `0${code}:000001F4`), { source: 'synthetic', protocol: 'tcp', family: 4 })
      expect(rows[0]).toMatchObject({
        sendQueue: 10,
        recvQueue: 20,
        uid: 1000,
        retransmits: 3,
        localPort: 8080,
        remotePort: 50000,
        timer: { kind, expiresInMs: 5000 }
      })
    })
  })
})

describe('address formatting', () => {
  // Expected values are what glibc's inet_ntop (which ss uses) printed on this machine.
  const cases: [string, string][] = [
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000002', '::2'],
    ['00000000000000000000000001020304', '::1.2.3.4'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000ffff00000000', '::ffff:0.0.0.0'],
    ['0000000000000000ffff000001020304', '::ffff:0:102:304'],
    ['00010000000000000000000000000000', '1::'],
    ['00010000000000010000000000000001', '1:0:0:1::1'],
    ['00010000000000000001000000000001', '1::1:0:0:1'],
    ['20010db8000000000000000000000000', '2001:db8::'],
    ['fe800000000000000000000000010002', 'fe80::1:2'],
    ['00000000000000000000000100000000', '::1:0:0'],
    ['00000000000000010000000000000000', '0:0:0:1::'],
    ['000000000000000000010000ffff0102', '::1:0:ffff:102']
  ]

  it.each(cases)('formats %s as %s', (hex, expected) => {
    const bytes = Uint8Array.from(hex.match(/../g)!.map((pair) => Number.parseInt(pair, 16)))
    expect(formatAddressBytes(bytes)).toBe(expected)
  })

  it('reads each 32-bit word of an IPv6 address in host byte order', () => {
    // fe80::1:2 as a little-endian kernel prints it: the bytes of every 32-bit word reversed.
    const line =
      '   0: 000080FE000000000000000002000100:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0\n'
    const { rows } = parseInetTable(line, { source: 'synthetic', protocol: 'tcp', family: 6 })
    expect(rows[0]).toMatchObject({ localAddress: 'fe80::1:2', localPort: 8080, remoteAddress: '::' })
  })

  it('refuses an IPv6 address of the wrong length', () => {
    const line =
      '   0: 000080FE00000000000000000200010:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0\n'
    const { rows, issues } = parseInetTable(line, { source: 'synthetic', protocol: 'tcp', family: 6 })
    expect(rows).toEqual([])
    expect(elementAt(issues, 0).message).toBe('local address is not 32 hex digits, ":" and a 4-digit port')
  })

  it('reads addresses in big-endian order when told the host is big-endian', () => {
    const line = '   0: 7F000001:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0\n'
    const { rows } = parseInetTable(line, { source: 'synthetic', protocol: 'tcp', family: 4, byteOrder: 'big' })
    expect(elementAt(rows, 0).localAddress).toBe('127.0.0.1')
    const swapped = parseInetTable(line, { source: 'synthetic', protocol: 'tcp', family: 4 })
    expect(elementAt(swapped.rows, 0).localAddress).toBe('1.0.0.127')
  })
})

describe('parseUnixTable', () => {
  const { rows, issues } = parseUnixTable(fixture('proc-net/unix'), '/proc/net/unix')
  const byInode = (inode: number) => rows.find((row) => row.inode === inode)

  it('reads every line of the fixture', () => {
    expect(issues).toEqual([])
    expect(rows).toHaveLength(fixture('proc-net/unix').trim().split('\n').length - 1)
  })

  it('reads a listening stream socket on a path', () => {
    expect(byInode(18978)).toMatchObject({
      id: 'unix /tmp/sockscope-fixtures/stream.sock| | #18978',
      protocol: 'unix',
      family: null,
      localAddress: '/tmp/sockscope-fixtures/stream.sock',
      localPort: null,
      remoteAddress: '',
      remotePort: null,
      state: 'LISTEN',
      unixType: 'stream',
      uid: null,
      timer: null,
      retransmits: null
    })
    expect(byInode(18980)).toMatchObject({ state: 'ESTABLISHED', localAddress: '/tmp/sockscope-fixtures/stream.sock' })
  })

  it('keeps the @ that marks an abstract name, as ss shows it', () => {
    expect(byInode(19010)).toMatchObject({ localAddress: '@sockscope-perl-abstract', state: 'LISTEN', unixType: 'stream' })
    expect(byInode(18981)?.localAddress).toMatch(/^@sockscope-fixture-abstract@+$/)
  })

  it('reads datagram and seqpacket sockets', () => {
    expect(byInode(19004)).toMatchObject({ unixType: 'dgram', localAddress: '/tmp/sockscope-fixtures/dgram.sock', state: 'ESTABLISHED' })
    expect(byInode(19006)).toMatchObject({ unixType: 'dgram', localAddress: '' })
    expect(byInode(19008)).toMatchObject({ unixType: 'seqpacket', state: 'LISTEN' })
  })

  it('reads a connection waiting in a listener queue as CONNECTING, with an id of its own', () => {
    const pending = rows.filter((row) => row.inode === 0)
    expect(pending).toEqual([expect.objectContaining({ state: 'CONNECTING', unixType: 'seqpacket', localAddress: '/tmp/sockscope-fixtures/seq.sock' })])
    expect(elementAt(pending, 0).id).toBe('unix /tmp/sockscope-fixtures/seq.sock| | #0 @00000000f0638b51')
  })

  it('keeps queued connections apart when the kernel hides their addresses', () => {
    const queued = '0000000000000000: 00000003 00000000 00000000 0005 02     0 /run/app.sock\n'
    const { rows } = parseUnixTable(queued.repeat(3), 'synthetic')
    expect(new Set(rows.map((row) => row.id)).size).toBe(3)
    expect(elementAt(rows, 2).id).toBe('unix /run/app.sock| | #0 @0000000000000000~2')
  })

  it('maps every UNIX state code', () => {
    const line = (flags: string, state: string) => `0000000000000000: 00000002 00000000 ${flags} 0001 ${state} 77 /run/x y.sock\n`
    const state = (flags: string, code: string) => elementAt(parseUnixTable(line(flags, code), 'synthetic').rows, 0).state
    expect(state('00000000', '01')).toBe('UNCONN')
    expect(state('00010000', '01')).toBe('LISTEN')
    expect(state('00000000', '02')).toBe('CONNECTING')
    expect(state('00000000', '03')).toBe('ESTABLISHED')
    expect(state('00000000', '04')).toBe('DISCONNECTING')
    expect(elementAt(parseUnixTable(line('00000000', '01'), 'synthetic').rows, 0).localAddress).toBe('/run/x y.sock')
  })

  it('gives every row its own id', () => {
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length)
  })
})

describe('malformed and truncated tables', () => {
  it('turns each malformed line into an issue and keeps the others', () => {
    const { rows, issues } = parseInetTable(fixture('proc-net/tcp-malformed'), { source: '/proc/net/tcp', protocol: 'tcp', family: 4 })
    expect(rows.map((row) => row.inode)).toEqual([550, 18878])
    expect(issues.map(({ line, message }) => ({ line, message }))).toEqual([
      { line: 3, message: 'local address is not a hex number' },
      { line: 4, message: 'expected at least 10 fields, found 3' },
      { line: 5, message: 'unknown TCP state 0x0D' },
      { line: 6, message: 'local address is not 8 hex digits, ":" and a 4-digit port' },
      { line: 7, message: 'uid is not a decimal number' }
    ])
    expect(issues[1]).toEqual({
      source: '/proc/net/tcp',
      line: 4,
      message: 'expected at least 10 fields, found 3',
      text: '   7: 0100007F:B501 0100007F:C57A'
    })
  })

  it('reports a final line cut short instead of trusting it', () => {
    const { rows, issues } = parseInetTable(fixture('proc-net/tcp-truncated'), { source: '/proc/net/tcp', protocol: 'tcp', family: 4 })
    expect(rows.map((row) => row.inode)).toEqual([550, 18977, 18990])
    expect(issues).toEqual([expect.objectContaining({ line: 5, message: 'line is truncated (no line end)' })])
  })

  it('turns malformed UNIX lines into issues', () => {
    const { rows, issues } = parseUnixTable(fixture('proc-net/unix-malformed'), '/proc/net/unix')
    expect(rows.map((row) => row.inode)).toEqual([19006, 18984])
    expect(issues.map(({ line, message }) => ({ line, message }))).toEqual([
      { line: 3, message: 'unknown UNIX socket type 0x03' },
      { line: 4, message: 'unknown UNIX socket state 0x07' },
      { line: 5, message: 'expected at least 7 fields, found 2' },
      { line: 7, message: 'line is truncated (no line end)' }
    ])
  })

  it('never throws on any prefix of a real table', () => {
    for (const [name, family] of [
      ['tcp', 4],
      ['tcp6', 6]
    ] as const) {
      const text = fixture(`proc-net/${name}`)
      for (let length = 0; length <= text.length; length += 7) {
        const { rows, issues } = parseInetTable(text.slice(0, length), { source: name, protocol: 'tcp', family })
        expect(rows.length + issues.length).toBeLessThanOrEqual(text.slice(0, length).split('\n').length)
      }
    }
    const unix = fixture('proc-net/unix')
    for (let length = 0; length <= unix.length; length += 5) expect(() => parseUnixTable(unix.slice(0, length), 'unix')).not.toThrow()
  })

  it('skips blank lines and accepts an empty table', () => {
    expect(parseInetTable('', { source: 'empty', protocol: 'tcp', family: 4 })).toEqual({ rows: [], issues: [] })
    expect(parseUnixTable('Num       RefCount Protocol Flags    Type St Inode Path\n\n', 'empty')).toEqual({ rows: [], issues: [] })
  })
})

describe('agreement with ss captured at the same moment', () => {
  const tables = [...inet('tcp', 'tcp', 4), ...inet('tcp6', 'tcp', 6)]

  it('matches every TCP socket ss listed: addresses, ports, state, queues and inode', () => {
    const listed = parseSsOutput(fixture('ss/tcp.txt'))
    expect(listed).toHaveLength(tables.length)
    for (const socket of listed) {
      const localPort = Number(socket.localPort)
      const remotePort = socket.peerPort === '*' ? 0 : Number(socket.peerPort)
      const row = tables.find((candidate) => candidate.localPort === localPort && candidate.remotePort === remotePort && candidate.inode === socket.inode)
      expect(row, socket.line).toBeDefined()
      // ss prints the unspecified address of a dual-stack socket as *.
      expect(socket.localAddress === '*' ? '::' : socket.localAddress, socket.line).toBe(row!.localAddress)
      expect(socket.peerAddress === '*' ? '::' : socket.peerAddress, socket.line).toBe(row!.remoteAddress)
      expect(kernelStateName(socket.state), socket.line).toBe(row!.state)
      expect(socket.recvQueue, socket.line).toBe(row!.recvQueue)
      // For listeners ss shows the backlog limit as Send-Q, which /proc does not have.
      if (row!.state !== 'LISTEN') expect(socket.sendQueue, socket.line).toBe(row!.sendQueue)
    }
  })

  it('matches UDP and UNIX sockets ss listed', () => {
    const udp = [...inet('udp', 'udp', 4), ...inet('udp6', 'udp', 6)]
    for (const socket of parseSsOutput(fixture('ss/udp.txt'))) {
      const row = udp.find((candidate) => candidate.inode === socket.inode)
      expect(row, socket.line).toMatchObject({
        localAddress: socket.localAddress,
        localPort: Number(socket.localPort),
        state: kernelStateName(socket.state),
        recvQueue: socket.recvQueue
      })
    }
    const unix = parseUnixTable(fixture('proc-net/unix'), 'unix').rows
    const shared = parseSsOutput(fixture('ss/unix.txt')).filter((socket) => unix.some((row) => row.inode === socket.inode))
    expect(shared.length).toBeGreaterThan(15)
    for (const socket of shared) {
      const row = unix.find((candidate) => candidate.inode === socket.inode)!
      expect(row.localAddress === '' ? '*' : row.localAddress, socket.line).toBe(socket.localAddress)
      expect(row.state, socket.line).toBe(kernelStateName(socket.state))
      expect(row.unixType?.slice(0, 3), socket.line).toBe(socket.netid?.slice(2))
    }
  })
})
