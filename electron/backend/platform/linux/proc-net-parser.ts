/**
 * Pure parsers for the Linux socket tables in /proc/net (tcp, tcp6, udp, udp6, raw, raw6, unix).
 *
 * The kernel writes these tables with seq_printf; the formats parsed here follow
 * net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c, net/ipv4/udp.c, net/ipv4/raw.c and net/unix/af_unix.c.
 * Tables hold tens of thousands of lines on busy hosts, so the scanner works on character codes
 * and field offsets instead of splitting every line into strings.
 */
import { emptySocketEntry, TCP_STATES } from '../../../../shared/model/socket'
import { formatIpAddress, ipAddressFromBytes } from '../../../../shared/net/ip-address'
import { UNKNOWN_NAMESPACE } from '../../../../shared/model/socket'
import type { SocketEntry, SocketEntryDraft, SocketNamespace, SocketState, TableIssue, TcpTimer } from '../../../../shared/model/socket'
import { socketId } from '../socket-id'

/** How an IP table is read: where it came from and what it holds. */
export interface InetTableOptions {
  /** Shown in issues, e.g. /proc/net/tcp6. */
  readonly source: string
  readonly protocol: 'tcp' | 'udp' | 'raw'
  readonly family: 4 | 6
  /**
   * Byte order the kernel used for addresses: the host's own (`os.endianness()`).
   * Defaults to little, which every common Linux host uses.
   */
  readonly byteOrder?: 'little' | 'big'
  /** The network namespace the table belongs to, put on every row; not known when absent. */
  readonly namespace?: SocketNamespace
}

/**
 * Rows of one table, plus the lines that could not be read.
 *
 * Rows carry no owner yet: `pid`, `process`, `command` and `user` are null, `owners` is empty
 * and `ownerVisibility` is `none` until the provider joins the process table.
 */
export interface ParsedTable {
  readonly rows: readonly SocketEntry[]
  readonly issues: readonly TableIssue[]
}

/** Milliseconds per clock tick: the kernel reports timers in USER_HZ (100) units. */
const MILLISECONDS_PER_TICK = 10

/** The TCP timer kinds, indexed by the `tr` column. */
const TIMER_KINDS: readonly TcpTimer['kind'][] = ['off', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe']

/** Flag set on a listening UNIX socket (__SO_ACCEPTCON). */
const UNIX_ACCEPT_CONNECTIONS_FLAG = 0x10000

/** UNIX socket types by the kernel's SOCK_* number. */
const UNIX_TYPES: Readonly<Record<number, SocketEntry['unixType']>> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' }

/**
 * UNIX socket states by the `St` column, a `socket_state` value (SS_UNCONNECTED=1 ... SS_DISCONNECTING=4).
 *
 * A socket with a file shows 3 when connected and 1 otherwise (a listener too; the flags tell
 * it apart). A socket without a file shows 2 when connected, which is a connection queued on a
 * listener and not accepted yet, and 4 otherwise. `ss` (reading this table) would print 2 and 4
 * as SYN-SENT and CLOSING; the socket model names them CONNECTING and DISCONNECTING.
 */
const UNIX_STATES: Readonly<Record<number, SocketState>> = {
  1: 'UNCONN',
  2: 'CONNECTING',
  3: 'ESTABLISHED',
  4: 'DISCONNECTING'
}

/** Fields needed from an IP table line: sl, local, remote, st, queues, timer, retrnsmt, uid, timeout, inode. */
const INET_REQUIRED_FIELDS = 10

/** Fields before the optional path in a UNIX table line. */
const UNIX_REQUIRED_FIELDS = 7

const MAX_FIELDS = 32
const fieldStarts = new Int32Array(MAX_FIELDS)
const fieldEnds = new Int32Array(MAX_FIELDS)

/** Addresses repeat a lot (127.0.0.1, ::), so formatted ones are remembered, up to a bound. */
const ADDRESS_CACHE_LIMIT = 4096
const ipv4Cache = new Map<number, string>()
const ipv6Cache = new Map<string, string>()

/** The timer of most TCP sockets, shared rather than allocated per row. */
const TIMER_OFF: TcpTimer = Object.freeze({ kind: 'off', expiresInMs: 0 })

/** Names of an endpoint's parts in issue messages, made once rather than per line. */
interface EndpointLabels {
  readonly address: string
  readonly port: string
}
const LOCAL_LABELS: EndpointLabels = { address: 'local address', port: 'local address port' }
const REMOTE_LABELS: EndpointLabels = { address: 'remote address', port: 'remote address port' }

/** The port `parseEndpoint` read; a side channel so that no tuple is allocated per endpoint. */
let endpointPort = 0

/** Thrown inside a line parse and turned into a TableIssue; never escapes this module. */
class LineError extends Error {}

/**
 * Parse /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}.
 *
 * Never throws: a malformed or truncated line becomes an issue and the rest is still read.
 */
export function parseInetTable(text: string, options: InetTableOptions): ParsedTable {
  const rows: SocketEntry[] = []
  const issues: TableIssue[] = []
  const littleEndian = options.byteOrder !== 'big'
  forEachLine(text, options.source, issues, (lineStart, lineEnd, lineNumber) => {
    const count = scanFields(text, lineStart, lineEnd)
    if (lineNumber === 1 && count > 0 && text.startsWith('sl', fieldStart(0))) return
    rows.push(parseInetLine(text, count, options, littleEndian))
  })
  return { rows, issues }
}

/**
 * Parse /proc/net/unix.
 *
 * Never throws: a malformed or truncated line becomes an issue and the rest is still read.
 */
export function parseUnixTable(text: string, source: string, namespace: SocketNamespace = UNKNOWN_NAMESPACE): ParsedTable {
  const rows: SocketEntry[] = []
  const issues: TableIssue[] = []
  // Sockets without an inode are told apart by their kernel address, which reads as zeros to
  // users the kernel hides pointers from (kptr_restrict); those get a running number instead.
  const socketlessIds = new Map<string, number>()
  forEachLine(text, source, issues, (lineStart, lineEnd, lineNumber) => {
    const count = scanFields(text, lineStart, lineEnd)
    if (lineNumber === 1 && count > 0 && text.startsWith('Num', fieldStart(0))) return
    const row = parseUnixLine(text, count, lineEnd, namespace)
    if (row.inode === 0) {
      const seen = socketlessIds.get(row.id) ?? 0
      socketlessIds.set(row.id, seen + 1)
      if (seen > 0) row.id = `${row.id}~${seen}`
    }
    rows.push(row)
  })
  return { rows, issues }
}

/**
 * Format address bytes (4 or 16, network order) the way `ss` prints them, which is glibc's
 * inet_ntop: the shared canonical form, except that glibc still writes the deprecated
 * v4-compatible form `::a.b.c.d` (first 96 bits zero, not :: or ::1) with a dotted tail.
 */
export function formatAddressBytes(bytes: Uint8Array): string {
  const address = ipAddressFromBytes(bytes)
  if (address === null) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`)
  const [first, second, third, fourth] = address.words
  if (address.family === 6 && first === 0 && second === 0 && third === 0 && fourth !== undefined && fourth >>> 16 !== 0) {
    return `::${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
  }
  return formatIpAddress(address)
}

function parseInetLine(text: string, count: number, options: InetTableOptions, littleEndian: boolean): SocketEntry {
  if (count < INET_REQUIRED_FIELDS) {
    throw new LineError(`expected at least ${INET_REQUIRED_FIELDS} fields, found ${count}`)
  }
  const addressLength = options.family === 4 ? 8 : 32
  const localAddress = parseEndpoint(text, 1, addressLength, littleEndian, LOCAL_LABELS)
  const localPort = endpointPort
  const remoteAddress = parseEndpoint(text, 2, addressLength, littleEndian, REMOTE_LABELS)
  const remotePort = endpointPort
  const stateCode = hexField(text, fieldStart(3), fieldEnd(3), 2, 'state')
  // "tx_queue:rx_queue" and "tr:tm->when" have fixed-width first halves.
  const queues = fieldStart(4)
  if (fieldEnd(4) - queues !== 17 || text.charCodeAt(queues + 8) !== 0x3a) throw new LineError('queues are not "XXXXXXXX:XXXXXXXX"')
  const sendQueue = hexField(text, queues, queues + 8, 8, 'send queue')
  const recvQueue = hexField(text, queues + 9, queues + 17, 8, 'receive queue')
  const timerStart = fieldStart(5)
  if (text.charCodeAt(timerStart + 2) !== 0x3a) throw new LineError('timer is not "XX:XXXXXXXX"')
  const timerCode = hexField(text, timerStart, timerStart + 2, 2, 'timer kind')
  const timerTicks = hexField(text, timerStart + 3, fieldEnd(5), 0, 'timer expiry')
  const retransmitCount = hexField(text, fieldStart(6), fieldEnd(6), 0, 'retransmits')
  const uid = decimalField(text, 7, 'uid')
  const inode = decimalField(text, 9, 'inode')

  const { protocol, family } = options
  let state: SocketState
  let timer: TcpTimer | null = null
  let retransmits: number | null = null
  if (protocol === 'tcp') {
    const tcpState = stateCode < 1 ? undefined : TCP_STATES[stateCode - 1]
    if (tcpState === undefined) throw new LineError(`unknown TCP state 0x${hex(stateCode)}`)
    state = tcpState
    const kind = TIMER_KINDS[timerCode]
    if (timerCode === 0 && timerTicks === 0) timer = TIMER_OFF
    else if (kind !== undefined) timer = { kind, expiresInMs: timerTicks * MILLISECONDS_PER_TICK }
    retransmits = retransmitCount
  } else {
    state = datagramState(stateCode)
  }
  const isRaw = protocol === 'raw'
  const entry = emptySocketEntry(protocol, family, options.namespace)
  entry.localAddress = localAddress
  entry.localPort = isRaw ? null : localPort
  entry.remoteAddress = remoteAddress
  entry.remotePort = isRaw ? null : remotePort
  entry.state = state
  entry.recvQueue = recvQueue
  entry.sendQueue = sendQueue
  entry.inode = inode
  entry.uid = uid
  entry.timer = timer
  entry.retransmits = retransmits
  entry.rawProtocol = isRaw ? localPort : null
  entry.id = socketId(entry)
  return entry
}

function parseUnixLine(text: string, count: number, lineEnd: number, namespace: SocketNamespace): SocketEntryDraft {
  if (count < UNIX_REQUIRED_FIELDS) {
    throw new LineError(`expected at least ${UNIX_REQUIRED_FIELDS} fields, found ${count}`)
  }
  if (text.charCodeAt(fieldEnd(0) - 1) !== 0x3a) throw new LineError('slot field does not end with ":"')
  const flags = hexField(text, fieldStart(3), fieldEnd(3), 8, 'flags')
  const typeCode = hexField(text, fieldStart(4), fieldEnd(4), 4, 'type')
  const stateCode = hexField(text, fieldStart(5), fieldEnd(5), 2, 'state')
  const inode = decimalField(text, 6, 'inode')
  const unixType = UNIX_TYPES[typeCode]
  if (unixType === undefined) throw new LineError(`unknown UNIX socket type 0x${hex(typeCode)}`)
  const baseState = UNIX_STATES[stateCode]
  if (baseState === undefined) throw new LineError(`unknown UNIX socket state 0x${hex(stateCode)}`)
  const state = (flags & UNIX_ACCEPT_CONNECTIONS_FLAG) !== 0 ? 'LISTEN' : baseState
  // The path is everything after the single space that follows the inode; it may hold spaces.
  const pathStart = fieldEnd(6) + 1
  const localAddress = pathStart < lineEnd ? text.slice(pathStart, lineEnd) : ''
  // /proc/net/unix has no queue or uid columns: those keep their "not known" values.
  const entry = emptySocketEntry('unix', null, namespace)
  entry.localAddress = localAddress
  entry.state = state
  entry.inode = inode
  entry.unixType = unixType
  entry.id = socketId(entry, inode === 0 ? text.slice(fieldStart(0), fieldEnd(0) - 1) : undefined)
  return entry
}

/** UDP and raw sockets only use TCP_CLOSE and TCP_ESTABLISHED; `ss` calls the first UNCONN. */
function datagramState(stateCode: number): SocketState {
  if (stateCode === 7) return 'UNCONN'
  const name = TCP_STATES[stateCode - 1]
  if (name === undefined) throw new LineError(`unknown socket state 0x${hex(stateCode)}`)
  return name
}

/**
 * Call `parseLine` for every non-blank line, turning its LineError into an issue.
 *
 * The kernel ends every line with a newline, so a final line without one was cut off mid-read
 * (or mid-copy) and is reported rather than trusted: its last number may be missing digits.
 */
function forEachLine(text: string, source: string, issues: TableIssue[], parseLine: (lineStart: number, lineEnd: number, lineNumber: number) => void): void {
  let lineStart = 0
  let lineNumber = 0
  while (lineStart < text.length) {
    lineNumber++
    let lineEnd = text.indexOf('\n', lineStart)
    const terminated = lineEnd !== -1
    if (!terminated) lineEnd = text.length
    const contentEnd = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd
    if (!isBlank(text, lineStart, contentEnd)) {
      if (!terminated) {
        issues.push({ source, line: lineNumber, message: 'line is truncated (no line end)', text: text.slice(lineStart, contentEnd) })
      } else {
        try {
          parseLine(lineStart, contentEnd, lineNumber)
        } catch (error) {
          const message = error instanceof LineError ? error.message : String(error)
          issues.push({ source, line: lineNumber, message, text: text.slice(lineStart, contentEnd) })
        }
      }
    }
    lineStart = lineEnd + 1
  }
}

/** Record where each whitespace-separated field starts and ends; returns how many there are. */
function scanFields(text: string, start: number, end: number): number {
  let count = 0
  let index = start
  while (index < end) {
    while (index < end && isSpace(text.charCodeAt(index))) index++
    if (index >= end) break
    const firstCharacter = index
    while (index < end && !isSpace(text.charCodeAt(index))) index++
    if (count < MAX_FIELDS) {
      fieldStarts[count] = firstCharacter
      fieldEnds[count] = index
    }
    count++
  }
  return count
}

/** Where field `field` of the line just split starts; callers check the line had that many fields. */
function fieldStart(field: number): number {
  const start = fieldStarts[field]
  if (start === undefined) throw new RangeError(`field ${field} is past the ${MAX_FIELDS} a line can hold`)
  return start
}

/** Where field `field` of the line just split ends (exclusive). */
function fieldEnd(field: number): number {
  const end = fieldEnds[field]
  if (end === undefined) throw new RangeError(`field ${field} is past the ${MAX_FIELDS} a line can hold`)
  return end
}

/** Parse "ADDRESS:PORT" in field `field`: returns the formatted address and sets `endpointPort`. */
function parseEndpoint(text: string, field: number, addressLength: number, littleEndian: boolean, labels: EndpointLabels): string {
  const label = labels.address
  const start = fieldStart(field)
  const end = fieldEnd(field)
  const colon = start + addressLength
  if (end - start !== addressLength + 5 || text.charCodeAt(colon) !== 0x3a) {
    throw new LineError(`${label} is not ${addressLength} hex digits, ":" and a 4-digit port`)
  }
  endpointPort = hexField(text, colon + 1, end, 4, labels.port)
  if (addressLength === 8) {
    // An IPv4 address is one word: its value is the cache key, so no key string is made.
    const word = hexField(text, start, colon, 8, label)
    const cacheKey = littleEndian ? word : -1 - word
    let address = ipv4Cache.get(cacheKey)
    if (address === undefined) {
      address = formatAddress(text, start, addressLength, littleEndian, label)
      if (ipv4Cache.size >= ADDRESS_CACHE_LIMIT) ipv4Cache.clear()
      ipv4Cache.set(cacheKey, address)
    }
    return address
  }
  const cacheKey = littleEndian ? text.slice(start, colon) : `big ${text.slice(start, colon)}`
  let address = ipv6Cache.get(cacheKey)
  if (address === undefined) {
    address = formatAddress(text, start, addressLength, littleEndian, label)
    if (ipv6Cache.size >= ADDRESS_CACHE_LIMIT) ipv6Cache.clear()
    ipv6Cache.set(cacheKey, address)
  }
  return address
}

/**
 * Turn the kernel's hex address into text. The kernel prints each 32-bit word of the address
 * as a host-order integer, so on little-endian hosts every word's bytes come out reversed.
 */
function formatAddress(text: string, start: number, length: number, littleEndian: boolean, label: string): string {
  const bytes = new Uint8Array(length / 2)
  for (let word = 0; word < length / 8; word++) {
    const value = hexField(text, start + word * 8, start + word * 8 + 8, 8, label)
    for (let byte = 0; byte < 4; byte++) {
      const shift = littleEndian ? byte * 8 : (3 - byte) * 8
      bytes[word * 4 + byte] = (value >>> shift) & 0xff
    }
  }
  return formatAddressBytes(bytes)
}

/** Parse hex digits in [start, end); `width` 0 allows 1..13 digits (exact in a double). */
function hexField(text: string, start: number, end: number, width: number, label: string): number {
  const length = end - start
  if (width === 0 ? length < 1 || length > 13 : length !== width) {
    throw new LineError(`${label} is not ${width === 0 ? 'a' : `a ${width}-digit`} hex number`)
  }
  let value = 0
  for (let index = start; index < end; index++) {
    const digit = hexDigit(text.charCodeAt(index))
    if (digit < 0) throw new LineError(`${label} is not a hex number`)
    value = value * 16 + digit
  }
  return value
}

/** Parse an unsigned decimal field. */
function decimalField(text: string, field: number, label: string): number {
  const start = fieldStart(field)
  const end = fieldEnd(field)
  if (end - start > 15) throw new LineError(`${label} is too long`)
  let value = 0
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x30 || code > 0x39) throw new LineError(`${label} is not a decimal number`)
    value = value * 10 + (code - 0x30)
  }
  return value
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  return -1
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (!isSpace(text.charCodeAt(index))) return false
  return true
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0').toUpperCase()
}
