import { describe, expect, it } from 'vitest'
import { emptySocketEntry, type SocketEntry, type SocketOwner } from '../../../../shared/model/socket'
import { compileSocketFilter, SOCKET_QUERY_HELP, socketFields } from '../../../../shared/query/socket-fields'
import { withCounters } from '../../../../shared/socket-field-table'
import { sampleTcpInfo, socketSamples } from '../../../support/socket-builder'

function owner(pid: number, process: string, command: string, user: string | null = 'alice'): SocketOwner {
  return { pid, process, command, user }
}

/** A TCP connection from 127.0.0.1:51000 to 127.0.0.1:8080 owned by node; override what a test needs. */
function socket(overrides: Partial<SocketEntry> = {}): SocketEntry {
  const owners = overrides.owners ?? [owner(4242, 'node', '/usr/bin/node server.js --port 8080')]
  return {
    ...emptySocketEntry('tcp', 4),
    id: `socket-${Math.random()}`,
    localAddress: '127.0.0.1',
    localPort: 51000,
    remoteAddress: '127.0.0.1',
    remotePort: 8080,
    state: 'ESTABLISHED',
    recvQueue: 0,
    sendQueue: 0,
    inode: 91234,
    uid: 1000,
    user: 'alice',
    pid: owners[0]?.pid ?? null,
    process: owners[0]?.process ?? null,
    command: owners[0]?.command ?? null,
    owners,
    ownerVisibility: owners.length > 0 ? 'known' : 'none',
    retransmits: 0,
    ...overrides
  }
}

const listener = socket({
  localAddress: '0.0.0.0',
  localPort: 22,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  state: 'LISTEN',
  uid: 0,
  user: 'root',
  owners: [owner(700, 'sshd', 'sshd: /usr/sbin/sshd -D [listener]', 'root')]
})
const v6Listener = socket({
  family: 6,
  localAddress: '::',
  localPort: 443,
  remoteAddress: '::',
  remotePort: 0,
  state: 'LISTEN',
  owners: [owner(900, 'nginx', 'nginx: master process', 'root'), owner(901, 'nginx', 'nginx: worker process', 'www-data')]
})
const mappedPeer = socket({
  family: 6,
  localAddress: '::ffff:127.0.0.1',
  localPort: 443,
  remoteAddress: '::ffff:10.1.2.3',
  remotePort: 40000,
  state: 'CLOSE_WAIT',
  owners: [owner(900, 'nginx', 'nginx: worker process', 'www-data')]
})
const linkLocal = socket({
  protocol: 'udp',
  family: 6,
  localAddress: 'fe80::1%lo',
  localPort: 5353,
  remoteAddress: '::',
  remotePort: 0,
  state: 'UNCONN',
  owners: [owner(300, 'avahi-daemon', 'avahi-daemon: running [host.local]', 'avahi')]
})
const timeWait = socket({
  localPort: 8080,
  remotePort: 51001,
  state: 'TIME_WAIT',
  inode: 0,
  uid: null,
  user: null,
  owners: [],
  ownerVisibility: 'none'
})
const chrome = socket({
  localAddress: '192.168.1.20',
  localPort: 40100,
  remoteAddress: '142.250.74.14',
  remotePort: 443,
  owners: [owner(5000, 'chrome', '/opt/Google Chrome/chrome --type=utility', 'alice')]
})
const unixSocket = socket({
  protocol: 'unix',
  family: null,
  localAddress: '/run/Docker.sock',
  localPort: null,
  remoteAddress: '',
  remotePort: null,
  state: 'LISTEN',
  inode: 31337,
  unixType: 'stream',
  owners: [owner(800, 'dockerd', '/usr/bin/dockerd -H fd://', 'root')]
})
const rawSocket = socket({
  protocol: 'raw',
  family: 4,
  localAddress: '0.0.0.0',
  localPort: null,
  remoteAddress: '0.0.0.0',
  remotePort: null,
  state: 'UNCONN',
  rawProtocol: 1,
  owners: [owner(1200, 'ping', 'ping 127.0.0.1')]
})
const wildcardV6 = socket({
  family: 6,
  localAddress: '*',
  localPort: 9000,
  remoteAddress: '*',
  remotePort: 0,
  state: 'LISTEN'
})

const sockets = { listener, v6Listener, mappedPeer, linkLocal, timeWait, chrome, unixSocket, rawSocket, wildcardV6 }
type SocketName = keyof typeof sockets

/** The names of the sample sockets a filter keeps, in declaration order. */
function matching(source: string): SocketName[] {
  const compiled = compileSocketFilter(source)
  if (!compiled.ok) throw new Error(`unexpected error: ${compiled.error.message}`)
  return (Object.keys(sockets) as SocketName[]).filter((name) => compiled.query.matches(sockets[name]))
}

function errorOf(source: string): { message: string; start: number; end: number } {
  const compiled = compileSocketFilter(source)
  if (compiled.ok) throw new Error(`expected an error for ${source}`)
  return compiled.error
}

const everything = Object.keys(sockets)

describe('socket filter: fields', () => {
  it('matches everything with an empty query, and says so', () => {
    const compiled = compileSocketFilter('   ')
    expect(compiled.ok && compiled.query.matchesEverything).toBe(true)
    expect(matching('')).toEqual(everything)
    const other = compileSocketFilter('tcp')
    expect(other.ok && other.query.matchesEverything).toBe(false)
  })

  it('proto: picks protocols, and protocol plus family', () => {
    expect(matching('proto:udp')).toEqual(['linkLocal'])
    expect(matching('proto:UNIX')).toEqual(['unixSocket'])
    expect(matching('proto:raw')).toEqual(['rawSocket'])
    expect(matching('proto:tcp6')).toEqual(['v6Listener', 'mappedPeer', 'wildcardV6'])
    expect(matching('proto:tcp4')).toEqual(['listener', 'timeWait', 'chrome'])
    expect(matching('protocol:udp6')).toEqual(['linkLocal'])
    expect(matching('proto:udp4')).toEqual([])
  })

  it('family: picks the IP family', () => {
    expect(matching('family:6')).toEqual(['v6Listener', 'mappedPeer', 'linkLocal', 'wildcardV6'])
    expect(matching('family:ipv4 proto:raw')).toEqual(['rawSocket'])
  })

  it('state: folds case, dashes and underscores and knows aliases', () => {
    for (const spelling of ['close-wait', 'close_wait', 'closewait', 'CLOSE_WAIT', 'Close-Wait']) {
      expect(matching(`state:${spelling}`), spelling).toEqual(['mappedPeer'])
    }
    expect(matching('state:listen')).toEqual(['listener', 'v6Listener', 'unixSocket', 'wildcardV6'])
    expect(matching('state:listening')).toEqual(matching('state:LISTEN'))
    expect(matching('state:estab')).toEqual(['chrome'])
    expect(matching('state:time-wait')).toEqual(['timeWait'])
    expect(matching('state:unconn')).toEqual(['linkLocal', 'rawSocket'])
    expect(matching('state:fin-wait-1')).toEqual([])
  })

  it('port: matches either end; lport: and rport: one end', () => {
    expect(matching('port:443')).toEqual(['v6Listener', 'mappedPeer', 'chrome'])
    expect(matching('lport:443')).toEqual(['v6Listener', 'mappedPeer'])
    expect(matching('rport:443')).toEqual(['chrome'])
    expect(matching('port:8080')).toEqual(['timeWait'])
    expect(matching('lport:22')).toEqual(['listener'])
  })

  it('port ranges and comparisons include their ends', () => {
    expect(matching('lport:5353-9000')).toEqual(['linkLocal', 'timeWait', 'wildcardV6'])
    expect(matching('lport:5354-8999')).toEqual(['timeWait'])
    expect(matching('lport:<=443')).toEqual(['listener', 'v6Listener', 'mappedPeer'])
    expect(matching('lport:<443')).toEqual(['listener'])
    expect(matching('lport:>40100')).toEqual(matching('lport:40101-65535'))
    expect(matching('lport:>=40100')).toEqual(['chrome'])
    expect(matching('port:0-65535')).toEqual(everything.filter((name) => name !== 'unixSocket' && name !== 'rawSocket'))
  })

  it('pid: matches any owner, and the pid when owners are unknown', () => {
    expect(matching('pid:901')).toEqual(['v6Listener'])
    expect(matching('pid:900')).toEqual(['v6Listener', 'mappedPeer'])
    expect(matching('pid:800-900')).toEqual(['v6Listener', 'mappedPeer', 'unixSocket'])
    const ownerless = socket({ owners: [], pid: 77, process: 'sleepy', command: 'sleepy --wait' })
    const compiled = compileSocketFilter('pid:77 proc:sleepy')
    expect(compiled.ok && compiled.query.matches(ownerless)).toBe(true)
  })

  it('proc: is a case-insensitive substring of any owner name or command', () => {
    expect(matching('proc:NGINX')).toEqual(['v6Listener', 'mappedPeer'])
    expect(matching('proc:worker')).toEqual(['v6Listener', 'mappedPeer'])
    expect(matching('proc:"google chrome"')).toEqual(['chrome'])
    expect(matching('process:dockerd')).toEqual(['unixSocket'])
    expect(matching('proc:--port')).toEqual(['wildcardV6'])
  })

  it('user: is a whole, case-insensitive name or a uid', () => {
    expect(matching('user:root')).toEqual(['listener', 'v6Listener', 'unixSocket'])
    expect(matching('user:ROOT')).toEqual(matching('user:root'))
    expect(matching('user:roo')).toEqual([])
    expect(matching('user:www-data')).toEqual(['v6Listener', 'mappedPeer'])
    expect(matching('user:0')).toEqual(['listener'])
    expect(matching('uid:1000 proto:udp')).toEqual(['linkLocal'])
  })

  it('inode: and path:', () => {
    expect(matching('inode:31337')).toEqual(['unixSocket'])
    expect(matching('inode:0')).toEqual(['timeWait'])
    expect(matching('path:docker')).toEqual(['unixSocket'])
    expect(matching('path:listen')).toEqual([])
  })

  it('names fields case-insensitively', () => {
    expect(matching('PROTO:udp LPort:5353')).toEqual(['linkLocal'])
  })
})

describe('socket filter: addresses', () => {
  it('addr: matches either end; laddr: and raddr: one end', () => {
    expect(matching('addr:192.168.1.20')).toEqual(['chrome'])
    expect(matching('laddr:142.250.74.14')).toEqual([])
    expect(matching('raddr:142.250.74.14')).toEqual(['chrome'])
  })

  it('matches IPv4 CIDRs, including IPv4-mapped IPv6 ends', () => {
    expect(matching('addr:10.0.0.0/8')).toEqual(['mappedPeer'])
    expect(matching('raddr:10.1.2.3')).toEqual(['mappedPeer'])
    expect(matching('laddr:127.0.0.0/8')).toEqual(['mappedPeer', 'timeWait'])
    expect(matching('addr:142.250.0.0/15')).toEqual(['chrome'])
    expect(matching('addr:142.252.0.0/15')).toEqual([])
  })

  it('matches IPv6 addresses and CIDRs whatever their spelling', () => {
    expect(matching('addr:fe80::/10')).toEqual(['linkLocal'])
    expect(matching('laddr:FE80:0:0::0001')).toEqual(['linkLocal'])
    expect(matching('laddr:::ffff:127.0.0.1')).toEqual(['mappedPeer', 'timeWait'])
    expect(matching('laddr:::')).toEqual(['v6Listener', 'wildcardV6'])
    expect(matching('laddr:0.0.0.0')).toEqual(['listener', 'rawSocket'])
  })

  it('never treats UNIX paths as addresses', () => {
    expect(matching('proto:unix addr:::/0')).toEqual([])
    expect(matching('addr:0.0.0.0/0')).toEqual(everything.filter((name) => name !== 'unixSocket' && name !== 'v6Listener' && name !== 'linkLocal' && name !== 'wildcardV6'))
  })
})

describe('socket filter: free text and operators', () => {
  it('searches addresses, endpoints, ports, state, process, command and path', () => {
    expect(matching('142.250')).toEqual(['chrome'])
    expect(matching('192.168.1.20:40100')).toEqual(['chrome'])
    expect(matching('[fe80::1%lo]:5353')).toEqual(['linkLocal'])
    expect(matching('close_wait')).toEqual(['mappedPeer'])
    expect(matching('AVAHI')).toEqual(['linkLocal'])
    expect(matching('"running [host"')).toEqual(['linkLocal'])
    expect(matching('docker.SOCK')).toEqual(['unixSocket'])
    expect(matching(':5353')).toEqual(['linkLocal'])
  })

  it('does not match across two fields', () => {
    expect(matching('"127.0.0.1 127.0.0.1"')).toEqual([])
    expect(matching('8080established')).toEqual([])
  })

  it('combines with and, or, negation and groups', () => {
    expect(matching('state:listen -proto:unix !family:6')).toEqual(['listener'])
    expect(matching('proto:udp or proto:raw')).toEqual(['linkLocal', 'rawSocket'])
    expect(matching('proto:udp or proto:tcp state:close-wait')).toEqual(['mappedPeer', 'linkLocal'])
    expect(matching('(proto:udp or proto:tcp) state:close-wait')).toEqual(['mappedPeer'])
    expect(matching('-(state:listen or state:unconn)')).toEqual(['mappedPeer', 'timeWait', 'chrome'])
    expect(matching('proc:nginx -(lport:443 laddr:::)')).toEqual(['mappedPeer'])
    expect(matching('port:443 and -chrome or user:avahi')).toEqual(['v6Listener', 'mappedPeer', 'linkLocal'])
    expect(matching('zzq or qqz or xxy or proto:raw')).toEqual(['rawSocket'])
    expect(matching('proc:n proc:g proc:i proc:x')).toEqual(['v6Listener', 'mappedPeer'])
  })

  it('keeps working on entries it has already seen', () => {
    const first = compileSocketFilter('proc:nginx')
    const second = compileSocketFilter('proc:sshd')
    if (!first.ok || !second.ok) throw new Error('expected both to compile')
    expect([first.query.matches(listener), second.query.matches(listener)]).toEqual([false, true])
    expect([first.query.matches(listener), second.query.matches(listener)]).toEqual([false, true])
  })
})

describe('socket filter: errors', () => {
  it.each([
    ['prot:tcp', 'unknown field "prot" at 1–4 (did you mean "proto"?)', 0, 4],
    ['state:listen stat:listen', 'unknown field "stat" at 14–17 (did you mean "state"?)', 13, 17],
    ['lprt:22', 'unknown field "lprt" at 1–4 (did you mean "lport"?)', 0, 4],
    ['adress:::1', 'unknown field "adress" at 1–6 (did you mean "address"?)', 0, 6],
    ['http://example', 'unknown field "http" at 1–4 (quote the text to search for it)', 0, 4],
    ['tcp port:70000', 'port must be 0–65535 at 10–14', 9, 14],
    ['rport:-1', 'rport needs a number, not "-1" at 7–8 (write N, N-M, >N, >=N, <N or <=N)', 6, 8],
    ['port:https', 'port needs a number, not "https" at 6–10 (write N, N-M, >N, >=N, <N or <=N)', 5, 10],
    ['port:8100-8000', 'port range 8100-8000 is backwards at 6–14 (write 8000-8100)', 5, 14],
    ['port:8000-70000', 'port must be 0–65535 at 6–15', 5, 15],
    ['port:>65536', 'port must be 0–65535 at 6–11', 5, 11],
    ['pid:12a', 'pid needs a number, not "12a" at 5–7 (write N, N-M, >N, >=N, <N or <=N)', 4, 7],
    ['pid:4294967296', 'pid must be 0–4294967295 at 5–14', 4, 14],
    ['addr:10.0.0.0/33', 'bad CIDR "10.0.0.0/33" at 6–16 (prefix length must be 0–32)', 5, 16],
    ['raddr:fe80::/200', 'bad CIDR "fe80::/200" at 7–16 (prefix length must be 0–128)', 6, 16],
    ['addr:10.0/8', 'bad CIDR "10.0/8" at 6–11 (not an IP address before the /)', 5, 11],
    ['laddr:10.0.0', 'bad IP address "10.0.0" at 7–12 (write 10.0.0.1, ::1 or a CIDR like 10.0.0.0/8)', 6, 12],
    ['addr:localhost', 'bad IP address "localhost" at 6–14 (write 10.0.0.1, ::1 or a CIDR like 10.0.0.0/8)', 5, 14],
    ['proto:tpc', 'unknown protocol "tpc" at 7–9 (did you mean "tcp"?)', 6, 9],
    ['proto:sctp', 'unknown protocol "sctp" at 7–10 (expected tcp, udp, unix, raw, tcp4, tcp6, udp4, udp6, raw4, raw6)', 6, 10],
    ['state:closewiat', 'unknown state "closewiat" at 7–15 (did you mean "close-wait"?)', 6, 15],
    ['state:lisen', 'unknown state "lisen" at 7–11 (did you mean "listen"?)', 6, 11],
    ['family:5', 'unknown family "5" at 8 (did you mean "4"?)', 7, 8],
    ['(proto:tcp or', 'empty query after "or" at 12–13', 11, 13]
  ])('%j → %s', (source, message, start, end) => {
    expect(errorOf(source)).toEqual({ message, start, end })
  })

  it('reports the first error in reading order', () => {
    expect(errorOf('port:x prot:y').message).toBe('port needs a number, not "x" at 6 (write N, N-M, >N, >=N, <N or <=N)')
  })
})

describe('socket filter help', () => {
  it('lists every field and the operators', () => {
    for (const name of Object.keys(socketFields.fields)) expect(SOCKET_QUERY_HELP).toContain(`${name}:`)
    expect(SOCKET_QUERY_HELP).toContain('a or b')
    expect(SOCKET_QUERY_HELP).toContain('!a   -a')
  })

  it('gives examples that compile', () => {
    for (const example of socketFields.examples) expect(compileSocketFilter(example.query).ok, example.query).toBe(true)
  })
})

describe('operators from other filter languages', () => {
  it('refuses == and && with a pointer to field:value instead of matching nothing', () => {
    for (const [query, operator] of [
      ['tcp.port == 80', '=='],
      ['proc:node && state:listen', '&&'],
      ['port >= 1024', '>=']
    ] as const) {
      const compiled = compileSocketFilter(query)
      expect(compiled.ok).toBe(false)
      if (compiled.ok) continue
      expect(compiled.error.message).toContain(`"${operator}" is not part of this filter language`)
      expect(query.slice(compiled.error.start, compiled.error.end)).toBe(operator)
    }
  })

  it('still searches for an operator when it is quoted', () => {
    expect(compileSocketFilter('"=="').ok).toBe(true)
  })
})

describe('socket filter: per-tick values', () => {
  // The live table tests a row again only when a tick changes its slow fields; a filter term that
  // read counters or timers would go stale on rows whose counters alone moved.
  it('gives every term the same answer before and after a socket’s counters and timer move', () => {
    const queries = Object.values(socketFields.fields).flatMap((field) => field.syntax.split(/\s{2,}/))
    queries.push('node', '443', 'listen', '127.0.0.1:8080')
    const moved = (socket: SocketEntry) =>
      withCounters(socket, {
        id: socket.id,
        timer: { kind: 'keepalive', expiresInMs: 1 },
        tcpInfo: sampleTcpInfo({ bytesSent: 123_456, bytesReceived: 654_321 }),
        throughput: { sendBytesPerSecond: 99, receiveBytesPerSecond: 77 }
      })
    for (const query of queries) {
      const compiled = compileSocketFilter(query)
      if (!compiled.ok) throw new Error(`${query}: ${compiled.error.message}`)
      for (const socket of socketSamples()) expect(compiled.query.matches(moved(socket)), `${query} on ${socket.id}`).toBe(compiled.query.matches(socket))
    }
  })
})

describe('socket filter: owners shared by many sockets', () => {
  it('answers for each socket’s own owners when many sockets have equal or nearly equal ones', () => {
    // Separate but equal lists, as every socket of one process arrives after a read; and lists
    // that differ only past their start, or only in how their texts split.
    const a = () => [owner(1, 'node', 'node a.js')]
    const sockets = [socket({ owners: a() }), socket({ owners: a() }), socket({ owners: [owner(2, 'node', 'node b.js')] }), socket({ owners: [owner(3, 'nodenode', ' b.js')] })]
    for (const [query, expected] of [
      ['proc:a.js', [true, true, false, false]],
      ['proc:b.js', [false, false, true, true]],
      ['proc:nodenode', [false, false, false, true]],
      ['proc:"node b"', [false, false, true, false]],
      ['"e a"', [true, true, false, false]]
    ] as const) {
      const compiled = compileSocketFilter(query)
      if (!compiled.ok) throw new Error(compiled.error.message)
      // Twice: the second pass reads the answers remembered in the first.
      for (let pass = 0; pass < 2; pass++) expect(sockets.map(compiled.query.matches), `${query} pass ${pass}`).toEqual(expected)
    }
  })
})
