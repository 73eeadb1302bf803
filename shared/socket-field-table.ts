/**
 * The socket field table: every field of a socket row, declared once.
 *
 * Each entry says how the field is titled, labelled, shown as text, sorted, exported to CSV,
 * filtered and compared between reads. The app's table and its column picker, the details pane
 * and copy-as-text, the CLI's `list` and `diff` tables, CSV export and the live diff's "changed"
 * test all read it, so a new socket field is the model, the provider that fills it and one entry
 * here; `test/unit/shared/socket-field-table.test.ts` then checks it on every surface.
 */
import { formatBytes } from './format/number-text'
import { formatAddress, formatOwner, formatPort, NO_VALUE } from './format/socket-text'
import type { SocketCounters, SocketEntry } from './model/socket'
import type { SocketMemory, TcpInfo } from './model/tcp-info'
import { socketFields as socketFilter, type SocketFilterFieldName } from './query/socket-fields'
import { elementAt } from './element-at'

/** What a field's text may depend on besides the socket: names resolved for addresses. */
export interface SocketTextContext {
  /** The reverse-DNS name of an address, or null to show the address. */
  readonly nameFor?: (address: string) => string | null
}

/** A field's value as one scalar, for CSV cells and for telling whether it changed. */
export type SocketFieldValue = string | number | null

/** What a number counts, which decides its text: `12`, `3.5 ms`, `1.5 MiB`, `1.5 MiB/s`, `12.5 Mbit/s`. */
export type QuantityUnit = 'count' | 'ms' | 'bytes' | 'bytes/s' | 'bits/s'

/** One socket field and how every surface shows it. */
export interface SocketField<Key extends string = string> {
  /**
   * Stable name: the column and sort key, the CLI's `--columns` name, and the field's path in a
   * socket's JSON (`list --json`, JSON export), dotted for a nested value (`tcpInfo.rttMs`).
   */
  readonly key: Key
  /** Column header in the app's table and in the CLI. */
  readonly title: string
  /** Label in the details pane, copy-as-text and the column picker. */
  readonly label: string
  /** Column name in CSV exports. */
  readonly csvName: string
  /** The value as one scalar: the CSV cell, and what "changed" compares unless `same` is given. */
  readonly value: (socket: SocketEntry) => SocketFieldValue
  /** The canonical text, the same on every surface: NO_VALUE when there is none. */
  readonly text: (socket: SocketEntry, context?: SocketTextContext) => string
  /** What sorting compares: numbers by size, text naturally (`a2` before `a10`); null sorts last. */
  readonly sortValue: (socket: SocketEntry) => string | number | null
  /**
   * Whether two reads of a socket hold the same value, for a value that costs an allocation to
   * build (a list as text); null to compare `value`.
   */
  readonly same: ((before: SocketEntry, after: SocketEntry) => boolean) | null
  /** The filter term for this field (`lport` for the local port), when the filter language has one. */
  readonly filter: SocketFilterFieldName | null
  /**
   * How the value changes while the socket lives, which decides whether it marks the socket
   * "changed" in the live diff:
   * - `never`: part of the socket's identity (its id); a different value is a different socket;
   * - `rarely`: state, queues, owners…: a change marks the socket changed;
   * - `every-tick`: timer countdowns, byte counters, rates: never marks it changed, or every row
   *   would flash and travel in every diff; they travel in the diff's counters instead.
   */
  readonly changes: 'never' | 'rarely' | 'every-tick'
  /**
   * A per-tick value that moves with time alone (an idle time, a timer's countdown). It travels
   * in the counters with the socket's other per-tick values, never by itself: otherwise every
   * idle connection would travel on every tick. Shown values are as of the socket's last news.
   */
  readonly clock: boolean
  /** Shown by default in the app's socket table. */
  readonly inTable: boolean
  /** Shown by default in the CLI's tables (`list`, `diff`). */
  readonly inCli: boolean
  /** Whether the field means anything for this socket; the details pane leaves it out otherwise. */
  readonly appliesTo: (socket: SocketEntry) => boolean
  /** Words that explain the value, shown with it in the details pane; null when there are none. */
  readonly note: (socket: SocketEntry) => string | null
  /** Numbers line up on the right. */
  readonly align: 'left' | 'right'
  /** The app's column: its narrowest width in pixels, and its share of spare width (0 keeps it fixed). */
  readonly minWidthPx: number
  readonly grow: number
  /** Longest a CLI cell may be before it is cut with an ellipsis; null for no limit. */
  readonly maxChars: number | null
}

/** What an entry must say; everything else has a default (see `defineField`). */
type SocketFieldSpec<Key extends string> = Pick<SocketField<Key>, 'key' | 'title' | 'label' | 'value'> & Partial<Omit<SocketField<Key>, 'key' | 'title' | 'label' | 'value'>>

/** An entry with its defaults filled in: text, sort value and CSV name follow from the value and key. */
function defineField<const Key extends string>(spec: SocketFieldSpec<Key>): SocketField<Key> {
  const value = spec.value
  return {
    csvName: snakeCase(spec.key),
    text: (socket) => {
      const shown = value(socket)
      return shown === null ? NO_VALUE : String(shown)
    },
    sortValue: value,
    same: null,
    filter: null,
    changes: 'rarely',
    clock: false,
    inTable: false,
    inCli: false,
    appliesTo: always,
    note: () => null,
    align: 'left',
    minWidthPx: 80,
    grow: 0,
    maxChars: null,
    ...spec
  }
}

/** A numeric field: its text carries the unit, it lines up on the right and sorts by size. */
function defineQuantity<const Key extends string>(
  spec: Omit<SocketFieldSpec<Key>, 'value'> & { readonly value: (socket: SocketEntry) => number | null; readonly unit: QuantityUnit }
): SocketField<Key> {
  const { unit, ...rest } = spec
  return defineField({ align: 'right', minWidthPx: 64, text: (socket) => formatQuantity(spec.value(socket), unit), ...rest })
}

function always(): boolean {
  return true
}

/** `recvQueue` → `recv_queue`, `tcpInfo.rttMs` → `tcp_info_rtt_ms`. */
function snakeCase(key: string): string {
  return key.replaceAll('.', '_').replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

/** A number with its unit as people read it; NO_VALUE for null. */
export function formatQuantity(value: number | null, unit: QuantityUnit): string {
  if (value === null) return NO_VALUE
  switch (unit) {
    case 'count':
      return String(value)
    case 'ms':
      return `${Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3))} ms`
    case 'bytes':
      return formatBytes(value)
    case 'bytes/s':
      return `${formatBytes(value)}/s`
    case 'bits/s':
      return formatBitRate(value)
  }
}

const BIT_RATE_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s']

/** A rate in bits per second in decimal units, as network rates are given: `800 bit/s`, `12.5 Mbit/s`. */
function formatBitRate(bitsPerSecond: number): string {
  let value = bitsPerSecond
  let unit = 0
  while (value >= 1000 && unit < BIT_RATE_UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${Math.round(value)} bit/s` : `${value.toFixed(value >= 100 ? 0 : 1)} ${BIT_RATE_UNITS[unit]}`
}

/** Protocol texts by protocol and family, and by UNIX type: constants, so sorting on the column allocates nothing. */
const IP_PROTOCOL_TEXTS: Readonly<Record<string, Readonly<Record<4 | 6, string>>>> = {
  tcp: { 4: 'tcp', 6: 'tcp6' },
  udp: { 4: 'udp', 6: 'udp6' },
  raw: { 4: 'raw', 6: 'raw6' }
}
const UNIX_PROTOCOL_TEXTS: Readonly<Record<NonNullable<SocketEntry['unixType']>, string>> = {
  stream: 'unix/stream',
  dgram: 'unix/dgram',
  seqpacket: 'unix/seqpacket'
}

/** The canonical protocol text: `tcp`, `udp6`, `raw`, `unix/stream` (IPv6 and the UNIX type are part of it). */
function protocolText(socket: SocketEntry): string {
  if (socket.family === null) return socket.unixType === null ? 'unix' : UNIX_PROTOCOL_TEXTS[socket.unixType]
  return IP_PROTOCOL_TEXTS[socket.protocol]?.[socket.family] ?? socket.protocol
}

/**
 * The remote address, after its resolved name when one is known: `localhost (::1)`. The address
 * is never hidden behind the name.
 */
function remoteAddressText(socket: SocketEntry, context?: SocketTextContext): string {
  const address = formatAddress(socket.remoteAddress, socket.family)
  const name = socket.family === null ? null : (context?.nameFor?.(socket.remoteAddress) ?? null)
  return name === null || name === address ? address : `${name} (${address})`
}

/** The canonical user text: the name, else the uid, else NO_VALUE (UNIX sockets have no uid). */
function userText(socket: SocketEntry): string | null {
  return socket.user ?? (socket.uid === null ? null : String(socket.uid))
}

const OWNER_VISIBILITY_TEXTS: Readonly<Record<SocketEntry['ownerVisibility'], string>> = { known: 'found', hidden: 'hidden', none: 'none' }

/** Why a socket shows the owner it does, in words. */
function explainOwnerVisibility(socket: SocketEntry): string {
  switch (socket.ownerVisibility) {
    case 'known':
      return 'Found in /proc/PID/fd.'
    case 'hidden':
      return "Its owner is another user's process, whose file descriptors only root (or that user) may read. Run sockscope as root to see it."
    case 'none':
      return 'No process holds this socket: the kernel keeps it alone (TIME_WAIT or an orphaned close), or its owner closed it during the read.'
  }
}

function ownersText(socket: SocketEntry): string {
  return socket.owners.length === 0 ? NO_VALUE : socket.owners.map((owner) => `${owner.process} (${owner.pid})`).join(', ')
}

function sameOwners(before: SocketEntry, after: SocketEntry): boolean {
  if (before.owners.length !== after.owners.length) return false
  for (let index = 0; index < before.owners.length; index++) if (elementAt(before.owners, index).pid !== elementAt(after.owners, index).pid) return false
  return true
}

function timerText(socket: SocketEntry): string {
  const timer = socket.timer
  if (timer === null) return NO_VALUE
  return timer.kind === 'off' ? 'off' : `${timer.kind}, ${formatQuantity(timer.expiresInMs, 'ms')}`
}

const isTcp = (socket: SocketEntry): boolean => socket.protocol === 'tcp'
const isIp = (socket: SocketEntry): boolean => socket.family !== null
const hasTcpInfo = (socket: SocketEntry): boolean => socket.tcpInfo !== null

/** The numeric fields of tcp_info (all but the congestion algorithm and the memory). */
type TcpInfoNumber = Exclude<keyof TcpInfo, 'congestion' | 'memory'>

/**
 * A tcp_info number: `tcpInfo.rttMs` and the like. They change on every read of a busy or idle
 * connection (counters grow, idle times tick, even the send MSS grows as the path is learnt), so
 * they never mark a socket changed; the live diff carries them apart, in its per-tick counters.
 */
function tcpInfoQuantity<const Name extends TcpInfoNumber>(name: Name, title: string, label: string, unit: QuantityUnit, clock = false): SocketField<`tcpInfo.${Name}`> {
  return defineQuantity({
    key: `tcpInfo.${name}`,
    title,
    label,
    value: (socket) => socket.tcpInfo?.[name] ?? null,
    unit,
    changes: 'every-tick',
    clock,
    appliesTo: hasTcpInfo
  })
}

/** The `sk_meminfo` counters in the order and with the letters `ss -m` prints them. */
const MEMORY_LETTERS: readonly (readonly [keyof SocketMemory, string])[] = [
  ['rmemAlloc', 'r'],
  ['rcvBuf', 'rb'],
  ['wmemAlloc', 't'],
  ['sndBuf', 'tb'],
  ['fwdAlloc', 'f'],
  ['wmemQueued', 'w'],
  ['optmem', 'o'],
  ['backlog', 'bl'],
  ['drops', 'd']
]

/** Socket memory as `ss -m` writes it: `r0 rb131072 t0 tb2626560 f0 w0 o0 bl0 d0`. */
function memoryText(socket: SocketEntry): string | null {
  const memory = socket.tcpInfo?.memory
  if (memory === null || memory === undefined) return null
  return MEMORY_LETTERS.filter(([field]) => memory[field] !== null)
    .map(([field, letter]) => `${letter}${memory[field]}`)
    .join(' ')
}

function sameMemory(before: SocketEntry, after: SocketEntry): boolean {
  const left = before.tcpInfo?.memory ?? null
  const right = after.tcpInfo?.memory ?? null
  if (left === null || right === null) return left === right
  for (const [field] of MEMORY_LETTERS) if (left[field] !== right[field]) return false
  return true
}

/** Every socket field, in the order of the app's columns, the details pane, the CLI and CSV. */
export const SOCKET_FIELDS = [
  defineField({
    key: 'protocol',
    title: 'Proto',
    label: 'Protocol',
    value: (socket) => socket.protocol,
    changes: 'never',
    text: protocolText,
    sortValue: protocolText,
    filter: 'proto',
    inTable: true,
    inCli: true,
    minWidthPx: 104
  }),
  defineField({
    key: 'family',
    title: 'Family',
    label: 'Family',
    value: (socket) => socket.family,
    changes: 'never',
    text: (socket) => (socket.family === null ? NO_VALUE : `IPv${socket.family}`),
    filter: 'family',
    appliesTo: isIp,
    minWidthPx: 56
  }),
  defineField({
    key: 'localAddress',
    title: 'Local address',
    label: 'Local address',
    value: (socket) => socket.localAddress,
    changes: 'never',
    text: (socket) => formatAddress(socket.localAddress, socket.family),
    sortValue: (socket) => formatAddress(socket.localAddress, socket.family),
    filter: 'laddr',
    inTable: true,
    inCli: true,
    minWidthPx: 120,
    grow: 1.4,
    maxChars: 40
  }),
  defineQuantity({
    key: 'localPort',
    title: 'Port',
    label: 'Local port',
    value: (socket) => socket.localPort,
    changes: 'never',
    unit: 'count',
    text: (socket) => formatPort(socket.localPort, socket.family),
    filter: 'lport',
    appliesTo: isIp,
    inTable: true,
    inCli: true
  }),
  defineField({
    key: 'remoteAddress',
    title: 'Remote address',
    label: 'Remote address',
    value: (socket) => socket.remoteAddress,
    changes: 'never',
    // The table and the CLI put a resolved name before it when they have one.
    text: remoteAddressText,
    sortValue: (socket) => formatAddress(socket.remoteAddress, socket.family),
    filter: 'raddr',
    inTable: true,
    inCli: true,
    minWidthPx: 120,
    grow: 1.6,
    maxChars: 40
  }),
  defineQuantity({
    key: 'remotePort',
    title: 'Port',
    label: 'Remote port',
    value: (socket) => socket.remotePort,
    changes: 'never',
    unit: 'count',
    text: (socket) => formatPort(socket.remotePort, socket.family),
    filter: 'rport',
    appliesTo: isIp,
    inTable: true,
    inCli: true
  }),
  defineField({ key: 'state', title: 'State', label: 'State', value: (socket) => socket.state, filter: 'state', inTable: true, inCli: true, minWidthPx: 110 }),
  defineQuantity({
    key: 'recvQueue',
    title: 'Recv-Q',
    label: 'Recv-Q',
    csvName: 'recv_q',
    value: (socket) => socket.recvQueue,
    unit: 'count',
    inTable: true,
    inCli: true
  }),
  defineQuantity({
    key: 'sendQueue',
    title: 'Send-Q',
    label: 'Send-Q',
    csvName: 'send_q',
    value: (socket) => socket.sendQueue,
    unit: 'count',
    inTable: true,
    inCli: true
  }),
  defineQuantity({ key: 'pid', title: 'PID', label: 'PID', value: (socket) => socket.pid, unit: 'count', filter: 'pid' }),
  defineField({
    key: 'process',
    title: 'Process (PID)',
    label: 'Process',
    value: (socket) => socket.process,
    text: formatOwner,
    filter: 'proc',
    inTable: true,
    inCli: true,
    minWidthPx: 120,
    grow: 1.3,
    maxChars: 32
  }),
  defineField({
    key: 'command',
    title: 'Command',
    label: 'Command',
    value: (socket) => socket.command,
    filter: 'proc',
    minWidthPx: 160,
    grow: 2,
    maxChars: 60
  }),
  defineField({
    key: 'user',
    title: 'User',
    label: 'User',
    value: (socket) => socket.user,
    text: (socket) => userText(socket) ?? NO_VALUE,
    sortValue: userText,
    filter: 'user',
    inTable: true,
    inCli: true
  }),
  defineQuantity({ key: 'uid', title: 'UID', label: 'UID', value: (socket) => socket.uid, unit: 'count', filter: 'user' }),
  defineQuantity({
    key: 'inode',
    title: 'Inode',
    label: 'Inode',
    value: (socket) => socket.inode,
    changes: 'never',
    unit: 'count',
    // Inode 0 is a socket without a file (TIME_WAIT): shown and sorted as a blank.
    text: (socket) => (socket.inode === 0 ? NO_VALUE : String(socket.inode)),
    sortValue: (socket) => (socket.inode === 0 ? null : socket.inode),
    filter: 'inode',
    inTable: true,
    minWidthPx: 80
  }),
  defineField({
    key: 'owners',
    title: 'Owners',
    label: 'All owners',
    value: (socket) => (socket.owners.length === 0 ? null : ownersText(socket)),
    text: ownersText,
    sortValue: (socket) => (socket.owners.length === 0 ? null : socket.owners.length),
    same: sameOwners,
    filter: 'pid',
    appliesTo: (socket) => socket.owners.length > 1,
    minWidthPx: 160,
    grow: 1,
    maxChars: 60
  }),
  defineField({
    key: 'ownerVisibility',
    title: 'Owner',
    label: 'Owner',
    value: (socket) => socket.ownerVisibility,
    text: (socket) => OWNER_VISIBILITY_TEXTS[socket.ownerVisibility],
    note: explainOwnerVisibility,
    minWidthPx: 64
  }),
  defineField({
    key: 'timer',
    title: 'Timer',
    label: 'Timer',
    value: (socket) => (socket.timer === null ? null : timerText(socket)),
    text: timerText,
    sortValue: (socket) => (socket.timer === null || socket.timer.kind === 'off' ? null : socket.timer.expiresInMs),
    changes: 'every-tick',
    clock: true,
    appliesTo: isTcp,
    minWidthPx: 140
  }),
  defineQuantity({ key: 'retransmits', title: 'Retrans', label: 'Retransmits', value: (socket) => socket.retransmits, unit: 'count', appliesTo: isTcp }),
  defineField({
    key: 'unixType',
    title: 'UNIX type',
    label: 'UNIX type',
    value: (socket) => socket.unixType,
    appliesTo: (socket) => socket.protocol === 'unix'
  }),
  defineQuantity({
    key: 'rawProtocol',
    title: 'IP proto',
    label: 'IP protocol',
    value: (socket) => socket.rawProtocol,
    changes: 'never',
    unit: 'count',
    appliesTo: (socket) => socket.protocol === 'raw'
  }),
  defineQuantity({
    key: 'peerInode',
    title: 'Peer inode',
    label: 'Peer inode',
    value: (socket) => socket.peerInode,
    unit: 'count',
    filter: null,
    appliesTo: (socket) => socket.protocol === 'unix',
    note: (socket) => (socket.peerInode === null ? null : 'The inode of the socket at the other end; its row shows the process on that side.'),
    minWidthPx: 80
  }),
  defineField({
    key: 'container',
    title: 'Container',
    label: 'Container',
    value: (socket) => socket.container,
    filter: 'container',
    note: (socket) => (socket.container === null ? null : "Named by the cgroup of a process in the socket's network namespace."),
    minWidthPx: 140,
    maxChars: 30
  }),
  defineField({
    key: 'netns',
    title: 'Net NS',
    label: 'Network namespace',
    value: (socket) => socket.netns,
    changes: 'never',
    align: 'right',
    filter: 'netns',
    note: (socket) => (socket.netns === null ? null : 'The inode naming the namespace, as `ls -l /proc/PID/ns/net` shows it.'),
    minWidthPx: 100
  }),
  defineQuantity({
    key: 'throughput.sendBytesPerSecond',
    title: 'Send/s',
    label: 'Sending',
    value: (socket) => socket.throughput?.sendBytesPerSecond ?? null,
    unit: 'bytes/s',
    changes: 'every-tick',
    appliesTo: (socket) => socket.throughput !== null,
    note: () => 'Bytes the peer acknowledged per second since the previous read.',
    minWidthPx: 80
  }),
  defineQuantity({
    key: 'throughput.receiveBytesPerSecond',
    title: 'Recv/s',
    label: 'Receiving',
    value: (socket) => socket.throughput?.receiveBytesPerSecond ?? null,
    unit: 'bytes/s',
    changes: 'every-tick',
    appliesTo: (socket) => socket.throughput !== null,
    note: () => 'Bytes received per second since the previous read.',
    minWidthPx: 80
  }),
  tcpInfoQuantity('rttMs', 'RTT', 'Round-trip time', 'ms'),
  tcpInfoQuantity('rttVarMs', 'RTT var', 'Round-trip time variation', 'ms'),
  tcpInfoQuantity('minRttMs', 'Min RTT', 'Lowest round-trip time', 'ms'),
  tcpInfoQuantity('cwnd', 'Cwnd', 'Congestion window in segments', 'count'),
  tcpInfoQuantity('ssthresh', 'Ssthresh', 'Slow-start threshold in segments', 'count'),
  tcpInfoQuantity('mss', 'MSS', 'Maximum segment size in bytes', 'count'),
  tcpInfoQuantity('bytesSent', 'Sent', 'Bytes sent', 'bytes'),
  tcpInfoQuantity('bytesAcked', 'Acked', 'Bytes acknowledged', 'bytes'),
  tcpInfoQuantity('bytesReceived', 'Received', 'Bytes received', 'bytes'),
  tcpInfoQuantity('bytesRetrans', 'Retrans bytes', 'Bytes retransmitted', 'bytes'),
  tcpInfoQuantity('segsOut', 'Segs out', 'Segments sent', 'count'),
  tcpInfoQuantity('segsIn', 'Segs in', 'Segments received', 'count'),
  tcpInfoQuantity('retransTotal', 'Retrans total', 'Segments retransmitted in all', 'count'),
  tcpInfoQuantity('lost', 'Lost', 'Segments thought lost', 'count'),
  tcpInfoQuantity('reordering', 'Reordering', 'Reordering degree', 'count'),
  tcpInfoQuantity('lastSendMs', 'Idle send', 'Since data was last sent', 'ms', true),
  tcpInfoQuantity('lastReceiveMs', 'Idle recv', 'Since data was last received', 'ms', true),
  tcpInfoQuantity('deliveryRateBps', 'Delivery', 'Delivery rate', 'bits/s'),
  tcpInfoQuantity('pacingRateBps', 'Pacing', 'Pacing rate', 'bits/s'),
  tcpInfoQuantity('busyMs', 'Busy', 'Busy sending', 'ms'),
  tcpInfoQuantity('rwndLimitedMs', 'Rwnd limited', 'Limited by the receive window', 'ms'),
  tcpInfoQuantity('sndbufLimitedMs', 'Sndbuf limited', 'Limited by the send buffer', 'ms'),
  defineField({
    key: 'tcpInfo.congestion',
    title: 'Congestion',
    label: 'Congestion control',
    value: (socket) => socket.tcpInfo?.congestion ?? null,
    appliesTo: hasTcpInfo
  }),
  defineField({
    key: 'tcpInfo.memory',
    title: 'Socket memory',
    label: 'Socket memory',
    value: memoryText,
    text: (socket) => memoryText(socket) ?? NO_VALUE,
    sortValue: (socket) => socket.tcpInfo?.memory?.rmemAlloc ?? null,
    same: sameMemory,
    changes: 'every-tick',
    appliesTo: (socket) => socket.tcpInfo?.memory != null,
    note: () => 'As ss -m: r received and unread, rb receive buffer, t sent and not freed, tb send buffer, f reserved, w queued to send, o options, bl backlog, d drops.',
    minWidthPx: 200,
    maxChars: 60
  }),
  defineField({ key: 'id', title: 'ID', label: 'ID', value: (socket) => socket.id, changes: 'never', minWidthPx: 200, grow: 1, maxChars: 80 })
] as const

/** The key of a socket field: a column, sort key and `--columns` name. */
export type SocketFieldKey = (typeof SOCKET_FIELDS)[number]['key']

const fieldsByKey = new Map<string, SocketField<SocketFieldKey>>(SOCKET_FIELDS.map((field) => [field.key, field]))

/** The field with this key. */
export function socketField(key: SocketFieldKey): SocketField<SocketFieldKey> {
  const field = fieldsByKey.get(key)
  if (field === undefined) throw new RangeError(`no socket field "${key}"`)
  return field
}

/** The field a user named (any case), or undefined. */
export function findSocketField(name: string): SocketField<SocketFieldKey> | undefined {
  const lower = name.toLowerCase()
  return SOCKET_FIELDS.find((field) => field.key.toLowerCase() === lower)
}

/** The app table's columns before the user picks others. */
export const DEFAULT_TABLE_COLUMNS: readonly SocketFieldKey[] = SOCKET_FIELDS.filter((field) => field.inTable).map((field) => field.key)

/** The CLI tables' columns unless `--columns` says otherwise. */
export const DEFAULT_CLI_COLUMNS: readonly SocketFieldKey[] = SOCKET_FIELDS.filter((field) => field.inCli).map((field) => field.key)

/** The filter term's syntax for a field (`lport:22`), for hints next to its column; null without one. */
export function filterSyntax(field: SocketField): string | null {
  return field.filter === null ? null : socketFilter.fields[field.filter].syntax
}

const naturalOrder = new Intl.Collator(undefined, { numeric: true })

/**
 * A comparison of sockets on one field. Blanks (no pid, no port, no user) sort last in both
 * directions, so sorting a column descending puts its largest values first, not the blanks; ties
 * fall back to the id for a stable order.
 */
export function socketComparator(key: SocketFieldKey, descending = false): (a: SocketEntry, b: SocketEntry) => number {
  const sortValue = socketField(key).sortValue
  return (a, b) => {
    const left = sortValue(a)
    const right = sortValue(b)
    let result: number
    if (left === right) result = 0
    else if (left === null) return 1
    else if (right === null) return -1
    else if (typeof left === 'number' && typeof right === 'number') result = left - right
    else result = naturalOrder.compare(String(left), String(right))
    if (descending) result = -result
    return result !== 0 ? result : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }
}

/**
 * Items sorted on one socket field, in the same order as `socketComparator`, for long lists (a
 * table of 30k sockets). See `sortedBySocketFieldInIdOrder`, which this calls after putting the
 * items in id order.
 */
export function sortedBySocketField<T>(items: readonly T[], socketOf: (item: T) => SocketEntry, key: SocketFieldKey, descending = false): T[] {
  const ids = items.map((item) => socketOf(item).id)
  const byId = Array.from({ length: items.length }, (_, index) => index).sort((a, b) => {
    const idA = ids[a] as string
    const idB = ids[b] as string
    return idA < idB ? -1 : idA > idB ? 1 : 0
  })
  return sortedBySocketFieldInIdOrder(
    byId.map((index) => items[index] as T),
    socketOf,
    key,
    descending
  )
}

/** Row positions fit below this, so a sort key and a position share one exact double. */
const POSITION_SPAN = 2 ** 21

/**
 * Items sorted on one socket field, in the same order as `socketComparator`, from items already
 * in ascending id order (a list that keeps its ids sorted skips the costliest step, comparing
 * ids). Each sort value is read once and ranked among the distinct values (text once per distinct
 * text, not one collation per comparison); rank and position then make one number per item, so
 * the sort itself is a typed-array sort of numbers with no comparison callback. Ties keep id
 * order, blanks go last in both directions.
 */
export function sortedBySocketFieldInIdOrder<T>(itemsInIdOrder: readonly T[], socketOf: (item: T) => SocketEntry, key: SocketFieldKey, descending = false): T[] {
  const count = itemsInIdOrder.length
  const ranks = sortRanks(itemsInIdOrder, socketOf, key)
  if (count >= POSITION_SPAN) {
    // Past two million rows a rank and a position no longer share a double exactly.
    const order = Array.from({ length: count }, (_, index) => index)
    order.sort((a, b) => orderKey(ranks, a, descending) - orderKey(ranks, b, descending) || a - b)
    return order.map((index) => itemsInIdOrder[index] as T)
  }
  const keys = new Float64Array(count)
  for (let index = 0; index < count; index++) keys[index] = orderKey(ranks, index, descending) * POSITION_SPAN + index
  keys.sort()
  const sorted: T[] = new Array(count)
  for (let index = 0; index < count; index++) sorted[index] = itemsInIdOrder[(keys[index] as number) % POSITION_SPAN] as T
  return sorted
}

/** Each item's rank among the distinct sort values (equal values share one), and how many ranks there are; -1 for a blank. */
interface SortRanks {
  readonly ranks: Int32Array
  readonly distinct: number
}

/** Where an item goes: its rank, turned around when descending, and blanks after every rank. */
function orderKey(sortRanks: SortRanks, index: number, descending: boolean): number {
  const rank = sortRanks.ranks[index] as number
  if (rank < 0) return sortRanks.distinct
  return descending ? sortRanks.distinct - 1 - rank : rank
}

function sortRanks<T>(items: readonly T[], socketOf: (item: T) => SocketEntry, key: SocketFieldKey): SortRanks {
  const sortValue = socketField(key).sortValue
  const count = items.length
  const values: Array<string | number | null> = new Array(count)
  let anyText = false
  for (let index = 0; index < count; index++) {
    const value = sortValue(socketOf(items[index] as T))
    values[index] = value
    if (typeof value === 'string') anyText = true
  }
  // socketComparator compares numbers as numbers only when both are; with text about, all are text.
  const rankOf = anyText ? textRanks(values) : numberRanks(values)
  const ranks = new Int32Array(count)
  let distinct = 0
  for (let index = 0; index < count; index++) {
    const value = values[index] ?? null
    const rank = value === null ? -1 : (rankOf.get(anyText ? String(value) : value) ?? 0)
    ranks[index] = rank
    if (rank >= distinct) distinct = rank + 1
  }
  return { ranks, distinct }
}

/** Distinct texts in natural order; texts the collation holds equal share a rank. */
function textRanks(values: ReadonlyArray<string | number | null>): Map<string | number, number> {
  const distinct = [...new Set(values.filter((value) => value !== null).map(String))].sort(naturalOrder.compare)
  const ranks = new Map<string | number, number>()
  let rank = 0
  let previous: string | null = null
  for (const text of distinct) {
    if (previous !== null && naturalOrder.compare(previous, text) !== 0) rank++
    ranks.set(text, rank)
    previous = text
  }
  return ranks
}

/** Distinct numbers in ascending order. */
function numberRanks(values: ReadonlyArray<string | number | null>): Map<string | number, number> {
  const distinct = new Float64Array(new Set(values.filter((value): value is number => value !== null))).sort()
  const ranks = new Map<string | number, number>()
  distinct.forEach((value, rank) => ranks.set(value, rank))
  return ranks
}

/** Compares two sockets on one field; see `socketComparator`. */
export function compareSockets(a: SocketEntry, b: SocketEntry, key: SocketFieldKey, descending = false): number {
  return socketComparator(key, descending)(a, b)
}

/** Fields split by how they compare: plain values, and those with a `same` of their own. */
interface FieldComparison {
  readonly values: ReadonlyArray<(socket: SocketEntry) => SocketFieldValue>
  readonly sames: ReadonlyArray<(before: SocketEntry, after: SocketEntry) => boolean>
}

function comparisonOf(fields: readonly SocketField[]): FieldComparison {
  return {
    values: fields.filter((field) => field.same === null).map((field) => field.value),
    sames: fields.flatMap((field) => (field.same === null ? [] : [field.same]))
  }
}

/**
 * Whether any of the compared fields differs. This runs for every socket on every tick, so it
 * loops over plain arrays of accessors rather than calling `sameFieldValue` per field, with
 * `for…of`, which needs no bounds check of its own.
 */
function anyDifferent(comparison: FieldComparison, before: SocketEntry, after: SocketEntry): boolean {
  for (const value of comparison.values) if (value(before) !== value(after)) return true
  for (const same of comparison.sames) if (!same(before, after)) return true
  return false
}

/** The fields whose change marks a socket "changed". */
const TRACKED = comparisonOf(SOCKET_FIELDS.filter((field) => field.changes === 'rarely'))
/** The fields that change every tick, which travel in the diff's counters instead. */
const TICK_FIELDS = SOCKET_FIELDS.filter((field) => field.changes === 'every-tick')
/** Those whose change sends the counters: every per-tick field but the clocks. */
const TICKING = comparisonOf(TICK_FIELDS.filter((field) => !field.clock))

/** The socket properties that hold the per-tick fields: what {@link SocketCounters} carries besides the id. */
export const PER_TICK_PROPERTIES: readonly string[] = [...new Set(TICK_FIELDS.map((field) => field.key.replace(/\..*$/, '')))]

/** Whether a per-tick field other than a clock (tcp_info counters, rates, memory) differs between two reads of a socket. */
export function socketCountersChanged(before: SocketEntry, after: SocketEntry): boolean {
  return anyDifferent(TICKING, before, after)
}

/** The per-tick part of a socket, for the live diff's counters. */
export function socketCounters(socket: SocketEntry): SocketCounters {
  return { id: socket.id, timer: socket.timer, tcpInfo: socket.tcpInfo, throughput: socket.throughput }
}

/** A socket with newer per-tick values; everything else stays. */
export function withCounters(socket: SocketEntry, counters: SocketCounters): SocketEntry {
  return { ...socket, timer: counters.timer, tcpInfo: counters.tcpInfo, throughput: counters.throughput }
}

/** Whether a field holds the same value in two reads of a socket. */
export function sameFieldValue(field: SocketField, before: SocketEntry, after: SocketEntry): boolean {
  return field.same === null ? field.value(before) === field.value(after) : field.same(before, after)
}

/** True when a field a user watching the table cares about differs; identity and per-tick fields never count. */
export function socketChanged(before: SocketEntry, after: SocketEntry): boolean {
  return anyDifferent(TRACKED, before, after)
}

/** One line of the details pane. */
export interface SocketDetailLine {
  readonly key: SocketFieldKey
  readonly label: string
  readonly text: string
  readonly note: string | null
}

/** Every field that applies to a socket, labelled, for the details pane and copy-as-text. */
export function socketDetailLines(socket: SocketEntry): SocketDetailLine[] {
  const lines: SocketDetailLine[] = []
  for (const field of SOCKET_FIELDS) {
    if (field.appliesTo(socket)) lines.push({ key: field.key, label: field.label, text: field.text(socket), note: field.note(socket) })
  }
  return lines
}

/** The details as plain text, one `Label: text` per line, with any note after a dash. */
export function socketAsText(socket: SocketEntry): string {
  return socketDetailLines(socket)
    .map((line) => `${line.label}: ${line.text}${line.note === null ? '' : ` — ${line.note}`}`)
    .join('\n')
}
