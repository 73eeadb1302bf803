/**
 * The filter language over sockets: the field table behind the socket list's filter box and the
 * CLI's `--filter`.
 */

import { TCP_STATES, type SocketEntry } from '../model/socket'
import { parseIpAddress, type IpAddress } from '../net/ip-address'
import { addressField, choiceField, numberField, selectAny, textField, type FieldChoice } from './field-kinds'
import { compileFilter, type FieldTable, type QueryCompileResult } from './query-compiler'
import { describeQuerySyntax } from './query-syntax'

/**
 * Lower-case copies of strings that repeat across many sockets (process names, commands, users),
 * shared so 100k rows do not hold 100k copies. Cleared when full; entries are cheap to rebuild.
 */
const lowerCaseCache = new Map<string, string>()
const LOWER_CASE_CACHE_LIMIT = 20_000

function lowerCase(text: string): string {
  let lower = lowerCaseCache.get(text)
  if (lower === undefined) {
    if (lowerCaseCache.size >= LOWER_CASE_CACHE_LIMIT) lowerCaseCache.clear()
    lower = text.toLowerCase()
    lowerCaseCache.set(text, lower)
  }
  return lower
}

/**
 * What the filter reads from a socket, worked out on first use and kept as long as the entry lives.
 * Socket entries are immutable (a changed socket arrives as a new object), so the cache never goes stale.
 */
class SocketSearchView {
  private textCache: string | undefined
  private ownersCache: readonly string[] | undefined
  private usersCache: readonly string[] | undefined
  private localCache: IpAddress | null | undefined
  private remoteCache: IpAddress | null | undefined

  constructor(private readonly socket: SocketEntry) {}

  /** Endpoints as `ss` prints them (`10.0.0.1:443`, `[::1]:80`, a path) and the state, lower case. */
  get text(): string {
    if (this.textCache === undefined) {
      const socket = this.socket
      const local = formatEndpoint(socket, socket.localAddress, socket.localPort)
      const remote = formatEndpoint(socket, socket.remoteAddress, socket.remotePort)
      // NUL separators keep a needle from matching across two fields.
      this.textCache = `${local}\u0000${remote}\u0000${socket.state}`.toLowerCase()
    }
    return this.textCache
  }

  /** Process names and commands of every owner, lower case. */
  get owners(): readonly string[] {
    if (this.ownersCache === undefined) {
      const socket = this.socket
      const values: string[] = []
      if (socket.owners.length === 0) {
        if (socket.process !== null) values.push(lowerCase(socket.process))
        if (socket.command !== null) values.push(lowerCase(socket.command))
      }
      for (const owner of socket.owners) values.push(lowerCase(owner.process), lowerCase(owner.command))
      this.ownersCache = values
    }
    return this.ownersCache
  }

  /** User names (the socket's and its owners') and the uid as text, lower case. */
  get users(): readonly string[] {
    if (this.usersCache === undefined) {
      const socket = this.socket
      const values = new Set<string>()
      if (socket.user !== null) values.add(lowerCase(socket.user))
      if (socket.uid !== null) values.add(String(socket.uid))
      for (const owner of socket.owners) if (owner.user !== null) values.add(lowerCase(owner.user))
      this.usersCache = [...values]
    }
    return this.usersCache
  }

  get localAddress(): IpAddress | null {
    if (this.localCache === undefined) this.localCache = parseSocketAddress(this.socket, this.socket.localAddress)
    return this.localCache
  }

  get remoteAddress(): IpAddress | null {
    if (this.remoteCache === undefined) this.remoteCache = parseSocketAddress(this.socket, this.socket.remoteAddress)
    return this.remoteCache
  }
}

const views = new WeakMap<SocketEntry, SocketSearchView>()

function viewOf(socket: SocketEntry): SocketSearchView {
  let view = views.get(socket)
  if (view === undefined) {
    view = new SocketSearchView(socket)
    views.set(socket, view)
  }
  return view
}

function formatEndpoint(socket: SocketEntry, address: string, port: number | null): string {
  if (port === null) return address
  return socket.family === 6 && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`
}

/** `ss` prints a wildcard as `*`; read it as the family's unspecified address. */
function parseSocketAddress(socket: SocketEntry, address: string): IpAddress | null {
  if (socket.family === null) return null
  if (address === '*' || address === '') return parseIpAddress(socket.family === 4 ? '0.0.0.0' : '::')
  return parseIpAddress(address)
}

function someOf(values: readonly string[], test: (value: string) => boolean): boolean {
  for (const value of values) if (test(value)) return true
  return false
}

const PROTOCOL_CHOICES: readonly FieldChoice<SocketEntry>[] = [
  { name: 'tcp', test: (socket) => socket.protocol === 'tcp' },
  { name: 'udp', test: (socket) => socket.protocol === 'udp' },
  { name: 'unix', aliases: ['local'], test: (socket) => socket.protocol === 'unix' },
  { name: 'raw', test: (socket) => socket.protocol === 'raw' },
  ...(['tcp', 'udp', 'raw'] as const).flatMap((protocol) =>
    ([4, 6] as const).map((family) => ({
      name: `${protocol}${family}`,
      test: (socket: SocketEntry) => socket.protocol === protocol && socket.family === family
    }))
  )
]

/** `ss` spellings (ESTAB, SYN-SENT) and a few words people type for states. */
const STATE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  ESTABLISHED: ['estab'],
  SYN_RECV: ['syn-received'],
  LISTEN: ['listening'],
  CLOSE: ['closed'],
  UNCONN: ['unconnected']
}

const STATE_CHOICES: readonly FieldChoice<SocketEntry>[] = [...TCP_STATES, 'UNCONN', 'CONNECTING', 'DISCONNECTING'].map(
  (state) => ({
    name: state.toLowerCase().replaceAll('_', '-').replace(/wait(\d)/, 'wait-$1'),
    aliases: [state, ...(STATE_ALIASES[state] ?? [])],
    test: (socket: SocketEntry) => socket.state === state
  })
)

/** `close-wait`, `close_wait`, `CloseWait` and `fin-wait-1` all fold to one key. */
function normalizeState(text: string): string {
  return text.toLowerCase().replace(/[-_\s]/g, '')
}

const PORT_BOUNDS = { minimum: 0, maximum: 65535 } as const

/** The socket field table: every `name:value` term the socket filter understands. */
export const socketFields: FieldTable<SocketEntry> = {
  fields: {
    proto: choiceField({
      syntax: 'proto:tcp',
      description: 'tcp, udp, unix or raw; tcp4, tcp6, udp4, udp6, raw4, raw6 also pick the IP family',
      aliases: ['protocol'],
      noun: 'protocol',
      choices: PROTOCOL_CHOICES
    }),
    family: choiceField({
      syntax: 'family:6',
      description: 'IP family, 4 or 6',
      noun: 'family',
      choices: [
        { name: '4', aliases: ['ipv4', 'inet'], test: (socket) => socket.family === 4 },
        { name: '6', aliases: ['ipv6', 'inet6'], test: (socket) => socket.family === 6 }
      ]
    }),
    state: choiceField({
      syntax: 'state:established',
      description: 'socket state, any case; close-wait, close_wait and closewait are the same; listening = listen',
      noun: 'state',
      choices: STATE_CHOICES,
      normalize: normalizeState
    }),
    port: numberField({
      syntax: 'port:443   port:8000-8100',
      description: 'local or remote port; also >N, >=N, <N, <=N',
      ...PORT_BOUNDS,
      select: selectAny(
        (socket) => socket.localPort,
        (socket) => socket.remotePort
      )
    }),
    lport: numberField({
      syntax: 'lport:22',
      description: 'local port, same forms as port:',
      aliases: ['localport'],
      ...PORT_BOUNDS,
      select: selectAny((socket) => socket.localPort)
    }),
    rport: numberField({
      syntax: 'rport:443',
      description: 'remote port, same forms as port:',
      aliases: ['remoteport'],
      ...PORT_BOUNDS,
      select: selectAny((socket) => socket.remotePort)
    }),
    addr: addressField({
      syntax: 'addr:10.0.0.1   addr:fe80::/10',
      description: 'local or remote IP address or CIDR, IPv4 or IPv6; IPv4 also matches ::ffff:a.b.c.d',
      aliases: ['address', 'ip'],
      select: (socket, test) => {
        const view = viewOf(socket)
        const local = view.localAddress
        if (local !== null && test(local)) return true
        const remote = view.remoteAddress
        return remote !== null && test(remote)
      }
    }),
    laddr: addressField({
      syntax: 'laddr:127.0.0.0/8',
      description: 'local IP address or CIDR',
      aliases: ['localaddr'],
      select: selectAny((socket) => viewOf(socket).localAddress)
    }),
    raddr: addressField({
      syntax: 'raddr:::1',
      description: 'remote IP address or CIDR',
      aliases: ['remoteaddr'],
      select: selectAny((socket) => viewOf(socket).remoteAddress)
    }),
    pid: numberField({
      syntax: 'pid:1234',
      description: 'process id of any owner; ranges work too',
      minimum: 0,
      maximum: 4_294_967_295,
      select: (socket, test) => {
        if (socket.owners.length === 0) return socket.pid !== null && test(socket.pid)
        for (const owner of socket.owners) if (test(owner.pid)) return true
        return false
      }
    }),
    proc: textField({
      syntax: 'proc:node',
      description: 'part of the process name or command line of any owner, any case',
      aliases: ['process', 'command'],
      match: 'substring',
      select: (socket, test) => someOf(viewOf(socket).owners, test)
    }),
    user: textField({
      syntax: 'user:root',
      description: 'user name or uid of the socket or an owner, whole word, any case',
      aliases: ['uid'],
      match: 'exact',
      select: (socket, test) => someOf(viewOf(socket).users, test)
    }),
    inode: numberField({
      syntax: 'inode:123456',
      description: 'socket inode (0 for sockets without a file, such as TIME_WAIT)',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      select: selectAny((socket) => socket.inode)
    }),
    path: textField({
      syntax: 'path:/run/docker',
      description: 'part of a UNIX socket path, any case',
      match: 'substring',
      select: (socket, test) =>
        socket.protocol === 'unix' && (test(lowerCase(socket.localAddress)) || test(lowerCase(socket.remoteAddress)))
    })
  },
  matchesText: (socket, needle) => {
    const view = viewOf(socket)
    return view.text.includes(needle) || someOf(view.owners, (owner) => owner.includes(needle))
  },
  textDescription: 'part of an address, address:port, port, state, process, command or UNIX path, any case',
  examples: [
    { query: 'proto:tcp state:listen', meaning: 'TCP listeners' },
    { query: 'port:443 or port:8443', meaning: 'either end on 443 or 8443' },
    { query: '-state:listen raddr:10.0.0.0/8', meaning: 'connections to or from 10.x' },
    { query: 'proc:node !(lport:3000 or lport:9229)', meaning: 'node sockets except its app and debug ports' },
    { query: '"Google Chrome"', meaning: 'text with a space in it' }
  ]
}

/** Parses and compiles a socket filter; an empty text matches every socket. */
export function compileSocketFilter(source: string): QueryCompileResult<SocketEntry> {
  return compileFilter(source, socketFields)
}

/** Plain-text help for the socket filter, for the CLI's `--help` and the renderer's help popover. */
export const SOCKET_QUERY_HELP: string = describeQuerySyntax(socketFields)
