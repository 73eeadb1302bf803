/**
 * inet_diag, pure: the request that asks NETLINK_SOCK_DIAG for TCP, UDP or raw sockets of one
 * address family (`struct inet_diag_req_v2`), and the reply for each socket (`struct
 * inet_diag_msg` plus attributes), from the layouts in linux/inet_diag.h and linux/sock_diag.h.
 *
 * Layout of the request payload (56 bytes): family u8, protocol u8, extension bits u8, a byte that
 * raw requests use for the raw protocol, the state bitmask u32, then the socket id (48 bytes):
 * source port and destination port (network order u16 each), source and destination address
 * (16 bytes each, network order, IPv4 in the first 4), interface index u32 and a 64-bit cookie
 * as two host-order u32 (low half first). The reply's fixed part (72 bytes) is family, state,
 * timer kind and retransmit count (u8 each), the same socket id, then timer expiry (ms), receive
 * queue, send queue, uid and inode (u32 each).
 */
import { parseIpAddress } from '../../../../../shared/net/ip-address'
import { TCP_STATES } from '../../../../../shared/model/socket'
import type { SocketState, TcpTimer } from '../../../../../shared/model/socket'
import { formatAddressBytes } from '../proc-net-parser'
import { AttributeReader, dataViewOf, encodeNetlinkMessage, HOST_LITTLE_ENDIAN, uint32AttributeValue, uint64FromView, writeUint32 } from './netlink-message'
import type { NetlinkAttribute, NetlinkHeaderFields } from './netlink-message'
import { AF_INET, AF_INET6, ALL_STATES, decodeSocketMemory, readCookie, shutdownState, writeCookie } from './sock-diag'
import type { ShutdownState } from './sock-diag'
import type { SocketMemory } from '../../../../../shared/model/tcp-info'
import { decodeTcpInfo } from './tcp-info'
import type { TcpInfo } from '../../../../../shared/model/tcp-info'

/** The host byte order, copied once: some module formats look an imported binding up on every use. */
const LITTLE_ENDIAN = HOST_LITTLE_ENDIAN

/** The IP protocols inet_diag serves, by the kernel's IPPROTO_* number. */
export const IP_PROTOCOL_NUMBERS = { tcp: 6, udp: 17, raw: 255 } as const
export type InetProtocol = keyof typeof IP_PROTOCOL_NUMBERS

/** Reply attribute types (INET_DIAG_*). */
const INET_DIAG_INFO = 2
const INET_DIAG_CONG = 4
const INET_DIAG_TOS = 5
const INET_DIAG_TCLASS = 6
const INET_DIAG_SKMEMINFO = 7
const INET_DIAG_SHUTDOWN = 8
const INET_DIAG_PROTOCOL = 10
const INET_DIAG_MARK = 15
const INET_DIAG_CGROUP_ID = 21

/** Request attribute: the protocol as a u32, for protocols whose number does not fit the u8. */
const INET_DIAG_REQ_PROTOCOL = 3

/**
 * Extensions a request can ask for; each is bit (attribute type - 1) of the request's u8.
 * The shutdown state, the mark (to CAP_NET_ADMIN) and the cgroup come without asking.
 */
export const INET_DIAG_EXTENSIONS = {
  tcpInfo: 1 << (INET_DIAG_INFO - 1),
  congestion: 1 << (INET_DIAG_CONG - 1),
  tos: 1 << (INET_DIAG_TOS - 1),
  trafficClass: 1 << (INET_DIAG_TCLASS - 1),
  memory: 1 << (INET_DIAG_SKMEMINFO - 1)
} as const

/** Every extension sockscope decodes. */
export const ALL_INET_DIAG_EXTENSIONS =
  INET_DIAG_EXTENSIONS.tcpInfo | INET_DIAG_EXTENSIONS.congestion | INET_DIAG_EXTENSIONS.tos | INET_DIAG_EXTENSIONS.trafficClass | INET_DIAG_EXTENSIONS.memory

const REQUEST_LENGTH = 56
const MESSAGE_LENGTH = 72
const SOCKET_ID_OFFSET = 4

/** What names one IP socket to the kernel, for an exact lookup or SOCK_DESTROY. */
export interface InetSocketId {
  readonly family: 4 | 6
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  /** Bound interface index; 0 for none. */
  readonly interfaceIndex?: number
  /**
   * The kernel's socket cookie as hex (what `ss -e` prints after `sk:`). With it, a socket that
   * closed and was replaced by another on the same endpoints is not mistaken for it; without it
   * (null or absent) the endpoints alone decide.
   */
  readonly cookie?: string | null
}

/** A dump request, or the target of an exact request. */
export interface InetDiagRequest {
  readonly family: 4 | 6
  readonly protocol: InetProtocol
  /** Bits of {@link INET_DIAG_EXTENSIONS}; none by default. */
  readonly extensions?: number
  /** Bitmask of (1 << kernel state number); all by default. */
  readonly states?: number
  /** The socket, for SOCK_DESTROY and exact lookups; dumps leave it out. */
  readonly socket?: InetSocketId
  /** Raw sockets: the IP protocol to match in exact lookups (0: any). */
  readonly rawProtocol?: number
}

/** One TCP, UDP or raw socket as inet_diag describes it. */
export interface InetDiagSocket {
  readonly protocol: InetProtocol
  readonly family: 4 | 6
  /** Kernel state name as the socket model spells it; UDP and raw use UNCONN and ESTABLISHED. */
  readonly state: SocketState
  /** IPv4 dotted or IPv6 text as `ss` prints it. */
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  /** Interface the socket is bound to; 0 for none. */
  readonly interfaceIndex: number
  /** The kernel's 64-bit socket cookie as hex, unique while the host runs. */
  readonly cookie: string
  readonly recvQueue: number
  readonly sendQueue: number
  readonly uid: number
  /** 0 for sockets without a file (TIME_WAIT, orphans, and every close event). */
  readonly inode: number
  /** TCP only: the pending timer; null for other protocols. */
  readonly timer: TcpTimer | null
  /** TCP only: unrecovered retransmits of the current segment. */
  readonly retransmits: number | null
  /** Raw sockets only: the IP protocol number (the kernel reports it as the local port). */
  readonly rawProtocol: number | null
  /** TCP internals when INET_DIAG_INFO was asked for and sent. */
  readonly tcpInfo: TcpInfo | null
  /** Memory counters when INET_DIAG_SKMEMINFO was asked for and sent. */
  readonly memory: SocketMemory | null
  /** Which directions were shut down; null when the kernel did not say. */
  readonly shutdown: ShutdownState | null
  /** IPv4 type of service byte, when asked for. */
  readonly tos: number | null
  /** IPv6 traffic class byte, when asked for (IPv6 sockets only). */
  readonly trafficClass: number | null
  /** Firewall mark; the kernel only tells a CAP_NET_ADMIN reader. */
  readonly mark: number | null
  /** Id (cgroupfs inode) of the cgroup v2 the socket was created in. */
  readonly cgroupId: number | null
}

/** The request message for one inet_diag query. */
export function encodeInetDiagRequest(request: InetDiagRequest, header: NetlinkHeaderFields): Buffer {
  const payload = new Uint8Array(REQUEST_LENGTH)
  payload[0] = request.family === 4 ? AF_INET : AF_INET6
  payload[1] = IP_PROTOCOL_NUMBERS[request.protocol]
  payload[2] = request.extensions ?? 0
  payload[3] = request.protocol === 'raw' ? (request.rawProtocol ?? 0) : 0
  writeUint32(payload, 4, request.states ?? ALL_STATES)
  if (request.socket !== undefined) writeSocketId(payload, 8, request.socket)
  else writeCookie(payload, 8 + 40, null)
  // Raw sockets are served by the handler of IPPROTO_RAW; the kernel also reads the handler's
  // number from this attribute, which is how it reaches protocols above 255.
  const attributes: NetlinkAttribute[] = request.protocol === 'raw' ? [{ type: INET_DIAG_REQ_PROTOCOL, value: uint32AttributeValue(IP_PROTOCOL_NUMBERS.raw) }] : []
  return encodeNetlinkMessage(header, payload, attributes)
}

function writeSocketId(payload: Uint8Array, offset: number, socket: InetSocketId): void {
  writePort(payload, offset, socket.localPort)
  writePort(payload, offset + 2, socket.remotePort)
  writeAddress(payload, offset + 4, socket.localAddress, socket.family)
  writeAddress(payload, offset + 20, socket.remoteAddress, socket.family)
  writeUint32(payload, offset + 36, socket.interfaceIndex ?? 0)
  writeCookie(payload, offset + 40, socket.cookie ?? null)
}

function writePort(payload: Uint8Array, offset: number, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`not a port: ${port}`)
  payload[offset] = port >>> 8
  payload[offset + 1] = port & 0xff
}

function writeAddress(payload: Uint8Array, offset: number, text: string, family: 4 | 6): void {
  const address = parseIpAddress(text)
  if (address === null || address.family !== family) throw new RangeError(`not an IPv${family} address: ${text}`)
  address.words.forEach((word, index) => {
    const position = offset + index * 4
    payload[position] = word >>> 24
    payload[position + 1] = (word >>> 16) & 0xff
    payload[position + 2] = (word >>> 8) & 0xff
    payload[position + 3] = word & 0xff
  })
}

const TIMER_KINDS: readonly TcpTimer['kind'][] = ['off', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe']
const NO_TIMER: TcpTimer = Object.freeze({ kind: 'off', expiresInMs: 0 })

/** Kernel state names beyond the twelve of {@link TCP_STATES}. */
const LATER_STATES: Readonly<Record<number, SocketState>> = { 13: 'BOUND_INACTIVE' }

/** The model's state name for a kernel state number of a socket of `protocol`. */
export function inetStateName(protocol: InetProtocol, code: number): SocketState {
  // Datagram sockets only move between TCP_CLOSE and TCP_ESTABLISHED; `ss` calls the first UNCONN.
  if (protocol !== 'tcp' && code === 7) return 'UNCONN'
  return TCP_STATES[code - 1] ?? LATER_STATES[code] ?? `UNKNOWN_${code}`
}

/**
 * One inet_diag_msg as flat fields, read in place from the message: a cursor like the netlink
 * readers, refilled by {@link readInetDiagFields} for each message, so a caller that needs only
 * some parts (a socket table row needs neither the cookie nor the shutdown state) makes no
 * object in between. Texts and the tcp_info and memory objects are built only when asked for.
 */
export class InetDiagFields {
  bytes: Uint8Array = new Uint8Array(0)
  /** The message's payload start. */
  start = 0
  /** The request's protocol, or the one INET_DIAG_PROTOCOL named. */
  protocol: InetProtocol = 'tcp'
  family: 4 | 6 = 4
  /** Bounds of INET_DIAG_INFO's value; -1 when absent. */
  tcpInfoStart = -1
  tcpInfoEnd = -1
  /** Bounds of INET_DIAG_SKMEMINFO's value; -1 when absent. */
  memoryStart = -1
  memoryEnd = -1
  congestion: string | null = null
  shutdown: ShutdownState | null = null
  tos: number | null = null
  trafficClass: number | null = null
  mark: number | null = null
  cgroupId: number | null = null

  get state(): SocketState {
    return inetStateName(this.protocol, this.byte(1))
  }

  get localAddress(): string {
    return addressText(this.bytes, dataViewOf(this.bytes), this.start + SOCKET_ID_OFFSET + 4, this.family)
  }

  get remoteAddress(): string {
    return addressText(this.bytes, dataViewOf(this.bytes), this.start + SOCKET_ID_OFFSET + 20, this.family)
  }

  /** The local port field; raw sockets put their IP protocol there. */
  get localPortField(): number {
    return networkPort(this.bytes, this.start + SOCKET_ID_OFFSET)
  }

  get remotePort(): number {
    return networkPort(this.bytes, this.start + SOCKET_ID_OFFSET + 2)
  }

  get interfaceIndex(): number {
    return this.u32(SOCKET_ID_OFFSET + 36)
  }

  get cookie(): string {
    return readCookie(this.bytes, this.start + SOCKET_ID_OFFSET + 40)
  }

  get recvQueue(): number {
    return this.u32(56)
  }

  get sendQueue(): number {
    return this.u32(60)
  }

  get uid(): number {
    return this.u32(64)
  }

  get inode(): number {
    return this.u32(68)
  }

  /** TCP only: the pending timer; null for other protocols. */
  get timer(): TcpTimer | null {
    return this.protocol === 'tcp' ? tcpTimer(this.byte(2), this.u32(52)) : null
  }

  /** TCP only: unrecovered retransmits. */
  get retransmits(): number | null {
    return this.protocol === 'tcp' ? this.byte(3) : null
  }

  get memory(): SocketMemory | null {
    return this.memoryStart < 0 ? null : decodeSocketMemory(this.bytes, this.memoryStart, this.memoryEnd)
  }

  /** TCP only, when INET_DIAG_INFO came: tcp_info with the congestion algorithm and `memory` (see {@link memory}). */
  tcpInfoWith(memory: SocketMemory | null): TcpInfo | null {
    if (this.protocol !== 'tcp' || this.tcpInfoStart < 0) return null
    return decodeTcpInfo(this.bytes, this.tcpInfoStart, this.tcpInfoEnd, this.congestion, memory)
  }

  private byte(offset: number): number {
    return dataViewOf(this.bytes).getUint8(this.start + offset)
  }

  private u32(offset: number): number {
    return dataViewOf(this.bytes).getUint32(this.start + offset, LITTLE_ENDIAN)
  }
}

/** The fields reused for every message: decoding never runs re-entrantly. */
const fieldsCursor = new InetDiagFields()

/**
 * Reads one inet_diag_msg and its attributes in [start, end) (a message's payload) into the shared
 * {@link InetDiagFields}, valid until the next call. `protocol` is the one the request asked for;
 * an INET_DIAG_PROTOCOL attribute (close events carry one) overrides it. Returns null when the
 * fixed part is cut short or the family is not IPv4 or IPv6; attributes after a garbled one are
 * dropped and the rest is kept.
 */
export function readInetDiagFields(bytes: Uint8Array, start: number, end: number, protocol: InetProtocol): InetDiagFields | null {
  if (end - start < MESSAGE_LENGTH || end > bytes.length) return null
  const view = dataViewOf(bytes)
  const familyCode = view.getUint8(start)
  if (familyCode !== AF_INET && familyCode !== AF_INET6) return null
  const fields = fieldsCursor
  fields.bytes = bytes
  fields.start = start
  fields.protocol = protocol
  fields.family = familyCode === AF_INET ? 4 : 6
  fields.tcpInfoStart = -1
  fields.tcpInfoEnd = -1
  fields.memoryStart = -1
  fields.memoryEnd = -1
  fields.congestion = null
  fields.shutdown = null
  fields.tos = null
  fields.trafficClass = null
  fields.mark = null
  fields.cgroupId = null
  const attributes = attributeReader.reset(bytes, start + MESSAGE_LENGTH, end)
  while (attributes.next()) {
    const valueStart = attributes.valueStart
    const valueLength = attributes.valueEnd - valueStart
    switch (attributes.type) {
      case INET_DIAG_INFO:
        fields.tcpInfoStart = valueStart
        fields.tcpInfoEnd = attributes.valueEnd
        break
      case INET_DIAG_CONG:
        fields.congestion = cString(bytes, valueStart, attributes.valueEnd)
        break
      case INET_DIAG_SKMEMINFO:
        fields.memoryStart = valueStart
        fields.memoryEnd = attributes.valueEnd
        break
      case INET_DIAG_SHUTDOWN:
        if (valueLength >= 1) fields.shutdown = shutdownState(view.getUint8(valueStart))
        break
      case INET_DIAG_TOS:
        if (valueLength >= 1) fields.tos = view.getUint8(valueStart)
        break
      case INET_DIAG_TCLASS:
        if (valueLength >= 1) fields.trafficClass = view.getUint8(valueStart)
        break
      case INET_DIAG_MARK:
        if (valueLength >= 4) fields.mark = view.getUint32(valueStart, LITTLE_ENDIAN)
        break
      case INET_DIAG_CGROUP_ID:
        if (valueLength >= 8) fields.cgroupId = uint64FromView(view, valueStart)
        break
      case INET_DIAG_PROTOCOL:
        if (valueLength >= 1) fields.protocol = protocolFromNumber(view.getUint8(valueStart)) ?? fields.protocol
        break
    }
  }
  return fields
}

/**
 * Decodes one inet_diag_msg and its attributes in [start, end) (a message's payload) into an
 * object with every part; see {@link readInetDiagFields}.
 */
export function decodeInetDiagMessage(bytes: Uint8Array, start: number, end: number, protocol: InetProtocol): InetDiagSocket | null {
  const fields = readInetDiagFields(bytes, start, end, protocol)
  if (fields === null) return null
  const isRaw = fields.protocol === 'raw'
  const localPort = fields.localPortField
  const memory = fields.memory
  return {
    protocol: fields.protocol,
    family: fields.family,
    state: fields.state,
    localAddress: fields.localAddress,
    localPort: isRaw ? 0 : localPort,
    remoteAddress: fields.remoteAddress,
    remotePort: fields.remotePort,
    interfaceIndex: fields.interfaceIndex,
    cookie: fields.cookie,
    recvQueue: fields.recvQueue,
    sendQueue: fields.sendQueue,
    uid: fields.uid,
    inode: fields.inode,
    timer: fields.timer,
    retransmits: fields.retransmits,
    rawProtocol: isRaw ? localPort : null,
    tcpInfo: fields.tcpInfoWith(memory),
    memory,
    shutdown: fields.shutdown,
    tos: fields.tos,
    trafficClass: fields.trafficClass,
    mark: fields.mark,
    cgroupId: fields.cgroupId
  }
}

/** One reader reused for every message: decoding never runs re-entrantly. */
const attributeReader = new AttributeReader()

function protocolFromNumber(number: number): InetProtocol | null {
  if (number === IP_PROTOCOL_NUMBERS.tcp) return 'tcp'
  if (number === IP_PROTOCOL_NUMBERS.udp) return 'udp'
  return null
}

function tcpTimer(code: number, expiresMs: number): TcpTimer {
  if (code === 0) return NO_TIMER
  return { kind: TIMER_KINDS[code] ?? 'retransmit', expiresInMs: expiresMs }
}

function networkPort(bytes: Uint8Array, position: number): number {
  return dataViewOf(bytes).getUint16(position)
}

/** Text up to the first NUL (or the end) of a NUL-terminated string attribute. */
function cString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start
  while (stop < end && bytes[stop] !== 0) stop++
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('latin1')
}

/** Addresses repeat (127.0.0.1, ::, a few peers), so their text is remembered, up to a bound. */
const ADDRESS_CACHE_LIMIT = 4096
const ipv4Texts = new Map<number, string>()
const ipv6Texts = new Map<string, string>()

function addressText(bytes: Uint8Array, view: DataView, position: number, family: 4 | 6): string {
  if (family === 4) return cachedText(ipv4Texts, view.getUint32(position), bytes, position, 4)
  let key = ''
  for (let word = 0; word < 16; word += 4) key += `${view.getUint32(position + word, LITTLE_ENDIAN)}.`
  return cachedText(ipv6Texts, key, bytes, position, 16)
}

function cachedText<Key>(cache: Map<Key, string>, key: Key, bytes: Uint8Array, position: number, length: 4 | 16): string {
  let text = cache.get(key)
  if (text === undefined) {
    text = formatAddressBytes(bytes.subarray(position, position + length))
    if (cache.size >= ADDRESS_CACHE_LIMIT) cache.clear()
    cache.set(key, text)
  }
  return text
}
