/**
 * Decodes one `struct socket_fdinfo`, as `proc_pidfdinfo(pid, fd, PROC_PIDFDSOCKETINFO)` fills it,
 * into a socket row. Pure: a Buffer in, a row (or the reason there is none) out. The layout is in
 * libproc-layout.ts.
 */
import { emptySocketEntry } from '../../../../shared/model/socket'
import type { SocketEntry, SocketState } from '../../../../shared/model/socket'
import { ipv4Text, ipv6Text } from '../../../../shared/net/ip-address'
import { datagramState, inetSocketRow } from '../inet-socket-row'
import { socketId } from '../socket-id'
import { darwinTcpStateFromNumber } from './darwin-tcp-states'
import {
  DARWIN_AF_INET,
  DARWIN_AF_INET6,
  DARWIN_AF_UNIX,
  IN_SOCKINFO,
  INI_IPV4,
  INI_IPV6,
  IPPROTO_UDP,
  SO_ACCEPTCONN,
  SOCKET_FDINFO,
  SOCKINFO_IN,
  SOCKINFO_TCP,
  SOCKINFO_UN,
  SOI_S_ISCONNECTED,
  SOI_S_ISCONNECTING,
  SOI_S_ISDISCONNECTING,
  TCP_SOCKINFO,
  UN_SOCKINFO
} from './libproc-layout'

/** A socket as libproc describes it. */
export interface LibprocSocket {
  /** The row, keyed by endpoints and the kernel's handle of the socket. */
  readonly row: SocketEntry
  /**
   * soi_so: the kernel's opaque handle of the socket, the same in every process holding it (a
   * forked server's listener), in hex as lsof prints it in its DEVICE column.
   */
  readonly handle: string
}

/** What decoding one buffer gave. */
export type LibprocDecodeResult =
  | { readonly kind: 'socket'; readonly socket: LibprocSocket }
  /** A socket of a kind the socket table does not show (kernel control, event, PF_NDRV, vsock…). */
  | { readonly kind: 'other'; readonly what: string }
  /** Bytes that cannot be a socket_fdinfo; the message says what is wrong. */
  | { readonly kind: 'malformed'; readonly message: string }

/** SOCK_* types as macOS numbers them. */
const SOCK_STREAM = 1
const SOCK_DGRAM = 2
const SOCK_RAW = 3
const SOCK_SEQPACKET = 5
const UNIX_TYPES: Readonly<Record<number, SocketEntry['unixType']>> = { [SOCK_STREAM]: 'stream', [SOCK_DGRAM]: 'dgram', [SOCK_SEQPACKET]: 'seqpacket' }

/** Decodes `bytes` (at least sizeof(struct socket_fdinfo), 792 bytes). */
export function decodeSocketFdInfo(bytes: Uint8Array): LibprocDecodeResult {
  if (bytes.length < SOCKET_FDINFO.size) return { kind: 'malformed', message: `socket_fdinfo is ${SOCKET_FDINFO.size} bytes, got ${bytes.length}` }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const kind = view.getInt32(SOCKET_FDINFO.kind, true)
  const family = view.getInt32(SOCKET_FDINFO.family, true)
  const type = view.getInt32(SOCKET_FDINFO.type, true)
  const handle = view.getBigUint64(SOCKET_FDINFO.socketHandle, true).toString(16).padStart(16, '0')
  if (kind === SOCKINFO_TCP || kind === SOCKINFO_IN) {
    if (family !== DARWIN_AF_INET && family !== DARWIN_AF_INET6) return { kind: 'malformed', message: `an IP socket (soi_kind ${kind}) with address family ${family}` }
    return decodeInet(view, bytes, kind, family === DARWIN_AF_INET ? 4 : 6, type, handle)
  }
  if (kind === SOCKINFO_UN) {
    if (family !== DARWIN_AF_UNIX) return { kind: 'malformed', message: `a UNIX socket (soi_kind ${kind}) with address family ${family}` }
    return decodeUnix(view, bytes, type, handle)
  }
  return { kind: 'other', what: `soi_kind ${kind}, family ${family}` }
}

function decodeInet(view: DataView, bytes: Uint8Array, kind: number, family: 4 | 6, type: number, handle: string): LibprocDecodeResult {
  const inet = SOCKET_FDINFO.proto
  const protocolNumber = view.getInt32(SOCKET_FDINFO.protocol, true)
  const versionFlags = view.getUint8(inet + IN_SOCKINFO.versionFlags)
  const localPort = networkPort(view, inet + IN_SOCKINFO.localPort)
  const remotePort = networkPort(view, inet + IN_SOCKINFO.foreignPort)
  const localAddress = inetAddress(bytes, inet + IN_SOCKINFO.localAddress, family, versionFlags)
  const remoteAddress = inetAddress(bytes, inet + IN_SOCKINFO.foreignAddress, family, versionFlags)
  const uid = view.getUint32(SOCKET_FDINFO.uid, true)
  const listening = (view.getInt16(SOCKET_FDINFO.options, true) & SO_ACCEPTCONN) !== 0
  const queues = socketQueues(view, listening)
  let protocol: 'tcp' | 'udp' | 'raw'
  let state: SocketState
  if (kind === SOCKINFO_TCP) {
    protocol = 'tcp'
    state = darwinTcpStateFromNumber(view.getInt32(inet + TCP_SOCKINFO.state, true))
  } else if (type === SOCK_DGRAM && protocolNumber === IPPROTO_UDP) {
    protocol = 'udp'
    state = datagramState(remotePort)
  } else if (type === SOCK_RAW) {
    protocol = 'raw'
    state = datagramState(remotePort)
  } else return { kind: 'other', what: `an IP socket of type ${type}, protocol ${protocolNumber}` }
  const row = inetSocketRow(
    { protocol, family, localAddress, localPort, remoteAddress, remotePort, state, uid, rawProtocol: protocol === 'raw' ? protocolNumber : null, ...queues },
    handle
  )
  return { kind: 'socket', socket: { row, handle } }
}

function decodeUnix(view: DataView, bytes: Uint8Array, type: number, handle: string): LibprocDecodeResult {
  const unix = SOCKET_FDINFO.proto
  const row = emptySocketEntry('unix', null)
  const flags = view.getInt16(SOCKET_FDINFO.state, true)
  const listening = (view.getInt16(SOCKET_FDINFO.options, true) & SO_ACCEPTCONN) !== 0
  row.localAddress = unixPath(bytes, unix + UN_SOCKINFO.address)
  row.remoteAddress = unixPath(bytes, unix + UN_SOCKINFO.peerAddress)
  row.unixType = UNIX_TYPES[type] ?? null
  row.state = unixState(flags, listening)
  const queues = socketQueues(view, listening)
  row.recvQueue = queues.recvQueue
  row.sendQueue = queues.sendQueue
  row.uid = view.getUint32(SOCKET_FDINFO.uid, true)
  row.id = socketId(row, handle)
  return { kind: 'socket', socket: { row, handle } }
}

/**
 * A listener's queues as `ss` shows them on Linux (connections waiting to be accepted, and the
 * backlog); any other socket's, the bytes in its receive and send buffers.
 */
function socketQueues(view: DataView, listening: boolean): { recvQueue: number; sendQueue: number } {
  if (listening) return { recvQueue: view.getInt16(SOCKET_FDINFO.acceptQueue, true), sendQueue: view.getInt16(SOCKET_FDINFO.acceptQueueLimit, true) }
  return { recvQueue: view.getUint32(SOCKET_FDINFO.receiveBytes, true), sendQueue: view.getUint32(SOCKET_FDINFO.sendBytes, true) }
}

function unixState(flags: number, listening: boolean): SocketState {
  if (listening) return 'LISTEN'
  if ((flags & SOI_S_ISCONNECTED) !== 0) return 'ESTABLISHED'
  if ((flags & SOI_S_ISCONNECTING) !== 0) return 'CONNECTING'
  if ((flags & SOI_S_ISDISCONNECTING) !== 0) return 'DISCONNECTING'
  return 'UNCONN'
}

/** insi_lport and insi_fport hold the port in network byte order in their first two bytes. */
function networkPort(view: DataView, offset: number): number {
  return view.getUint16(offset, false)
}

/**
 * An address of an IP socket. An IPv6 socket that carries IPv4 traffic (a dual-stack socket
 * connected to an IPv4 peer) has only INI_IPV4 set; its address is shown IPv4-mapped.
 */
function inetAddress(bytes: Uint8Array, offset: number, family: 4 | 6, versionFlags: number): string {
  if (family === 4) return ipv4Text(bytes, offset + IN_SOCKINFO.ipv4InAddress)
  if ((versionFlags & INI_IPV6) === 0 && (versionFlags & INI_IPV4) !== 0) return `::ffff:${ipv4Text(bytes, offset + IN_SOCKINFO.ipv4InAddress)}`
  return ipv6Text(bytes, offset)
}

/** sun_path of a sockaddr_un, up to its NUL or its sun_len; '' for an unnamed socket. */
function unixPath(bytes: Uint8Array, offset: number): string {
  const length = bytes[offset] ?? 0
  const end = Math.min(offset + Math.max(length, UN_SOCKINFO.pathOffset), offset + UN_SOCKINFO.addressLength)
  let stop = offset + UN_SOCKINFO.pathOffset
  while (stop < end && bytes[stop] !== 0) stop += 1
  return Buffer.from(bytes.subarray(offset + UN_SOCKINFO.pathOffset, stop)).toString('utf8')
}
