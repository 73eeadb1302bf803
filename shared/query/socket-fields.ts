/**
 * The filter language over sockets: the field table behind the socket list's filter box and the
 * CLI's `--filter`.
 */

import { formatHostPort } from '../format/socket-text'
import { SOCKET_STATES, type SocketEntry, type SocketState } from '../model/socket'
import { addressField, choiceField, numberField, selectAny, textField, type FieldChoice } from './field-kinds'
import { compileFilter, type FieldDefinition, type FieldTable, type QueryCompileResult, type RecordTest } from './query-compiler'
import { describeQuerySyntax } from './query-syntax'

/**
 * Process names and commands of every owner in lower case (each name before its command), made
 * on first use. They are kept per owners list: a socket object never changes (a newer read is a
 * new object), and one whose counters alone moved keeps its owners list (`withCounters` copies the
 * reference), so each keystroke in a filter over 30k rows reads these instead of lower-casing
 * every command line again, even just after a tick.
 */
const ownerTextCache = new WeakMap<object, readonly string[]>()
/**
 * One list per distinct set of owner texts: the thousands of sockets of one process share it, so
 * a test's answer for it is worked out once (see `selectOwnerTexts`).
 */
const sharedOwnerTexts = new Map<string, readonly string[]>()
/** Distinct lists kept for sharing; past this many (processes come and go) sharing starts over. */
const MAX_SHARED_OWNER_TEXTS = 4096

function ownerTexts(socket: SocketEntry): readonly string[] {
  const key = socket.owners.length === 0 ? socket : socket.owners
  let texts = ownerTextCache.get(key)
  if (texts === undefined) {
    const owners: string[] = []
    if (socket.owners.length === 0) {
      if (socket.process !== null) owners.push(socket.process.toLowerCase())
      if (socket.command !== null) owners.push(socket.command.toLowerCase())
    } else for (const owner of socket.owners) owners.push(owner.process.toLowerCase(), owner.command.toLowerCase())
    // Each text led by its length, so no two different lists read the same.
    const content = owners.map((text) => `${text.length}:${text}`).join('')
    texts = sharedOwnerTexts.get(content)
    if (texts === undefined) {
      if (sharedOwnerTexts.size >= MAX_SHARED_OWNER_TEXTS) sharedOwnerTexts.clear()
      sharedOwnerTexts.set(content, owners)
      texts = owners
    }
    ownerTextCache.set(key, texts)
  }
  return texts
}

/** Each test's answers per shared list of owner texts. */
const ownerTextAnswers = new WeakMap<(text: string) => boolean, WeakMap<readonly string[], boolean>>()

/**
 * Process names and commands of every owner, lower case, offered to a test. A compiled filter
 * keeps one test, so its answer is remembered per list: a needle is looked for once per process,
 * not once per socket in every long command line.
 */
function selectOwnerTexts(socket: SocketEntry, test: (text: string) => boolean): boolean {
  const texts = ownerTexts(socket)
  let answers = ownerTextAnswers.get(test)
  if (answers === undefined) {
    answers = new WeakMap()
    ownerTextAnswers.set(test, answers)
  }
  let answer = answers.get(texts)
  if (answer === undefined) {
    answer = texts.some(test)
    answers.set(texts, answer)
  }
  return answer
}

/** `ss` prints a wildcard as `*`; read it as the family's unspecified address. UNIX paths are never addresses. */
function addressText(socket: SocketEntry, address: string): string | null {
  if (socket.family === null) return null
  if (address !== '*' && address !== '') return address
  return socket.family === 4 ? '0.0.0.0' : '::'
}

/** An endpoint as text search sees it: `10.0.0.1:443`, `[::1]:80`, or a bare path. */
function endpointText(address: string, port: number | null): string {
  return port === null ? address : formatHostPort(address, port)
}

/** Decimal text of ports, made on first use: a digit needle reads it for two ports per row. */
const portTexts: string[] = []

function portText(port: number): string {
  let text = portTexts[port]
  if (text === undefined) {
    text = String(port)
    if (port >= 0 && port <= 65535) portTexts[port] = text
  }
  return text
}

/**
 * Free text over a socket: addresses, `address:port` endpoints, ports, state, owners' process names
 * and commands, and UNIX paths (which are the addresses of UNIX sockets).
 *
 * Each field is searched on its own, so a needle never spans two of them. Work that depends only on
 * the needle happens here: whether it could be in a port or need an endpoint, and which states hold it.
 */
function compileSocketText(needle: string): RecordTest<SocketEntry> {
  const couldBePort = /^\d+$/.test(needle)
  const needsEndpoint = /[:[\]]/.test(needle)
  const stateMatches = new Map<string, boolean>()
  const stateContains = (state: string): boolean => {
    let found = stateMatches.get(state)
    if (found === undefined) {
      found = state.toLowerCase().includes(needle)
      stateMatches.set(state, found)
    }
    return found
  }
  const contains = (text: string) => text.includes(needle)
  // Addresses are short and nearly always lower case already, when lower-casing returns them as they are.
  return (socket) =>
    socket.localAddress.toLowerCase().includes(needle) ||
    socket.remoteAddress.toLowerCase().includes(needle) ||
    (couldBePort && ((socket.localPort !== null && portText(socket.localPort).includes(needle)) || (socket.remotePort !== null && portText(socket.remotePort).includes(needle)))) ||
    (needsEndpoint &&
      (endpointText(socket.localAddress, socket.localPort).toLowerCase().includes(needle) ||
        endpointText(socket.remoteAddress, socket.remotePort).toLowerCase().includes(needle))) ||
    stateContains(socket.state) ||
    selectOwnerTexts(socket, contains)
}

/** `user:` matches a user name (whole, any case) of the socket or an owner, or the socket's uid. */
function userField(): FieldDefinition<SocketEntry> {
  return {
    syntax: 'user:root',
    description: 'user name of the socket or an owner (whole name, any case), or a uid',
    aliases: ['uid'],
    compile(value) {
      const name = value.toLowerCase()
      const uid = /^\d+$/.test(value) ? Number(value) : null
      const isName = (user: string | null) => user !== null && user.toLowerCase() === name
      return {
        ok: true,
        test: (socket) => {
          if ((uid !== null && socket.uid === uid) || isName(socket.user)) return true
          for (const owner of socket.owners) if (isName(owner.user)) return true
          return false
        }
      }
    }
  }
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
const STATE_ALIASES: Readonly<Partial<Record<SocketState, readonly string[]>>> = {
  ESTABLISHED: ['estab'],
  SYN_RECV: ['syn-received'],
  LISTEN: ['listening'],
  CLOSE: ['closed'],
  UNCONN: ['unconnected']
}

const STATE_CHOICES: readonly FieldChoice<SocketEntry>[] = SOCKET_STATES.map((state) => ({
  name: state
    .toLowerCase()
    .replaceAll('_', '-')
    .replace(/wait(\d)/, 'wait-$1'),
  aliases: [state, ...(STATE_ALIASES[state] ?? [])],
  test: (socket: SocketEntry) => socket.state === state
}))

/** `close-wait`, `close_wait`, `CloseWait` and `fin-wait-1` all fold to one key. */
function normalizeState(text: string): string {
  return text.toLowerCase().replace(/[-_\s]/g, '')
}

const PORT_BOUNDS = { minimum: 0, maximum: 65535 } as const

/** The socket filter's field table: every `name:value` term the socket filter understands. */
export const socketFields = {
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
      select: selectAny(
        (socket) => addressText(socket, socket.localAddress),
        (socket) => addressText(socket, socket.remoteAddress)
      )
    }),
    laddr: addressField({
      syntax: 'laddr:127.0.0.0/8',
      description: 'local IP address or CIDR',
      aliases: ['localaddr'],
      select: selectAny((socket) => addressText(socket, socket.localAddress))
    }),
    raddr: addressField({
      syntax: 'raddr:::1',
      description: 'remote IP address or CIDR',
      aliases: ['remoteaddr'],
      select: selectAny((socket) => addressText(socket, socket.remoteAddress))
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
      select: selectOwnerTexts
    }),
    user: userField(),
    inode: numberField({
      syntax: 'inode:123456',
      description: 'socket inode (0 for sockets without a file, such as TIME_WAIT)',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      select: selectAny((socket) => socket.inode)
    }),
    netns: numberField({
      syntax: 'netns:4026532301',
      description: 'network namespace, by the inode that names it (ls -l /proc/PID/ns/net)',
      aliases: ['namespace'],
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      select: (socket, test) => socket.netns !== null && test(socket.netns)
    }),
    container: textField({
      syntax: 'container:docker',
      description: 'part of the container label (docker:3f2a…, podman:…, kubernetes:…), any case',
      select: (socket, test) => socket.container !== null && test(socket.container.toLowerCase())
    }),
    path: textField({
      syntax: 'path:/run/docker',
      description: 'part of a UNIX socket path, any case',
      select: (socket, test) => socket.protocol === 'unix' && (test(socket.localAddress.toLowerCase()) || test(socket.remoteAddress.toLowerCase()))
    })
  },
  compileText: compileSocketText,
  textDescription: 'part of an address, address:port, port, state, process, command or UNIX path, any case',
  examples: [
    { query: 'proto:tcp state:listen', meaning: 'TCP listeners' },
    { query: 'port:443 or port:8443', meaning: 'either end on 443 or 8443' },
    { query: '-state:listen raddr:10.0.0.0/8', meaning: 'connections whose remote end is in 10.0.0.0/8' },
    { query: 'proc:node !(lport:3000 or lport:9229)', meaning: 'node sockets except its app and debug ports' },
    { query: '"Google Chrome"', meaning: 'text with a space in it' }
  ]
} satisfies FieldTable<SocketEntry>

/** The name of a socket filter term (`proto`, `lport`…), for the socket field table to point at. */
export type SocketFilterFieldName = keyof typeof socketFields.fields

/** Parses and compiles a socket filter; an empty text matches every socket. */
export function compileSocketFilter(source: string): QueryCompileResult<SocketEntry> {
  return compileFilter(source, socketFields)
}

/** Plain-text help for the socket filter, for the CLI's `--help` and the renderer's help popover. */
export const SOCKET_QUERY_HELP: string = describeQuerySyntax(socketFields)
