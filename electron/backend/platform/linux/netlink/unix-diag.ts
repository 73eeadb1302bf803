/**
 * unix_diag, pure: the request for UNIX sockets (`struct unix_diag_req`) and the reply per socket
 * (`struct unix_diag_msg` plus UNIX_DIAG_* attributes), from the layouts in linux/unix_diag.h.
 *
 * The request (24 bytes) is family u8, protocol u8 (0), 2 pad bytes, state bitmask u32, inode
 * u32 (0 for a dump), the UDIAG_SHOW_* bits u32 and a 64-bit cookie. The reply's fixed part (16
 * bytes) is family, type and state (u8 each), a pad byte, the inode u32 and the cookie.
 */
import type { SocketState } from '../../../../../shared/model/socket'
import { AttributeReader, dataViewOf, encodeNetlinkMessage, HOST_LITTLE_ENDIAN, writeUint32 } from './netlink-message'
import type { NetlinkHeaderFields } from './netlink-message'
import { AF_UNIX, ALL_STATES, decodeSocketMemory, readCookie, shutdownState, writeCookie } from './sock-diag'
import type { ShutdownState } from './sock-diag'
import type { SocketMemory } from '../../../../../shared/model/tcp-info'
import { elementAt } from '../../../../../shared/element-at'

/** The host byte order, copied once: some module formats look an imported binding up on every use. */
const LITTLE_ENDIAN = HOST_LITTLE_ENDIAN

/** What a request asks the kernel to add to each reply (UDIAG_SHOW_*). */
export const UNIX_DIAG_SHOW = {
  name: 0x01,
  fileInode: 0x02,
  peer: 0x04,
  pendingConnections: 0x08,
  queues: 0x10,
  memory: 0x20,
  uid: 0x40
} as const

/** The details sockscope shows for every UNIX socket. */
export const DEFAULT_UNIX_DIAG_SHOW =
  UNIX_DIAG_SHOW.name | UNIX_DIAG_SHOW.fileInode | UNIX_DIAG_SHOW.peer | UNIX_DIAG_SHOW.pendingConnections | UNIX_DIAG_SHOW.queues | UNIX_DIAG_SHOW.uid

/** Reply attribute types (UNIX_DIAG_*); the name is type 0. */
const UNIX_DIAG_NAME = 0
const UNIX_DIAG_VFS = 1
const UNIX_DIAG_PEER = 2
const UNIX_DIAG_ICONS = 3
const UNIX_DIAG_RQLEN = 4
const UNIX_DIAG_MEMINFO = 5
const UNIX_DIAG_SHUTDOWN = 6
const UNIX_DIAG_UID = 7

const REQUEST_LENGTH = 24
const MESSAGE_LENGTH = 16

/** A UNIX socket dump request. */
export interface UnixDiagRequest {
  /** Bits of {@link UNIX_DIAG_SHOW}; {@link DEFAULT_UNIX_DIAG_SHOW} when absent. */
  readonly show?: number
  /** Bitmask of (1 << kernel state number); all by default. */
  readonly states?: number
}

/** One UNIX socket as unix_diag describes it. */
export interface UnixDiagSocket {
  readonly type: 'stream' | 'dgram' | 'seqpacket' | null
  /** LISTEN, ESTABLISHED, CONNECTING or UNCONN, as the socket model spells them. */
  readonly state: SocketState
  readonly inode: number
  readonly cookie: string
  /**
   * The bound name: a file path, `@name` for an abstract name (NUL bytes shown as `@`, as `ss`
   * does), or null for an unnamed socket or when not asked for.
   */
  readonly path: string | null
  /** Inode of the connected peer; null when there is none or it was not asked for. */
  readonly peerInode: number | null
  /** Bytes waiting to be read; for a listener, connections waiting to be accepted. */
  readonly recvQueue: number | null
  /** Bytes sent and not yet read by the peer; for a listener, its backlog limit. */
  readonly sendQueue: number | null
  /**
   * A listener's connections not yet accepted, by the inodes of the sockets that connected (the
   * queued ends have no inode until accepted, so those clients show no peer meanwhile).
   */
  readonly pendingConnections: readonly number[] | null
  readonly uid: number | null
  /** The socket file's own inode and device, for a socket bound to a path. */
  readonly file: { readonly inode: number; readonly device: number } | null
  readonly shutdown: ShutdownState | null
  readonly memory: SocketMemory | null
}

/** The request message for a UNIX socket dump. */
export function encodeUnixDiagRequest(request: UnixDiagRequest, header: NetlinkHeaderFields): Buffer {
  const payload = new Uint8Array(REQUEST_LENGTH)
  payload[0] = AF_UNIX
  writeUint32(payload, 4, request.states ?? ALL_STATES)
  writeUint32(payload, 12, request.show ?? DEFAULT_UNIX_DIAG_SHOW)
  // A dump ignores the cookie; "none" all the same.
  writeCookie(payload, 16, null)
  return encodeNetlinkMessage(header, payload)
}

const UNIX_TYPES: Readonly<Record<number, UnixDiagSocket['type']>> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' }
const UNIX_STATES: Readonly<Record<number, SocketState>> = { 1: 'ESTABLISHED', 2: 'CONNECTING', 7: 'UNCONN', 10: 'LISTEN' }

const attributeReader = new AttributeReader()

/**
 * Decodes one unix_diag_msg and its attributes in [start, end). Returns null when the fixed part
 * is cut short or the family is not AF_UNIX; attributes after a garbled one are dropped.
 */
export function decodeUnixDiagMessage(bytes: Uint8Array, start: number, end: number): UnixDiagSocket | null {
  if (end - start < MESSAGE_LENGTH || end > bytes.length || bytes[start] !== AF_UNIX) return null
  let path: string | null = null
  let peerInode: number | null = null
  let recvQueue: number | null = null
  let sendQueue: number | null = null
  let pendingConnections: number[] | null = null
  let uid: number | null = null
  let file: UnixDiagSocket['file'] = null
  let shutdown: UnixDiagSocket['shutdown'] = null
  let memory: SocketMemory | null = null
  const view = dataViewOf(bytes)
  const attributes = attributeReader.reset(bytes, start + MESSAGE_LENGTH, end)
  while (attributes.next()) {
    const valueStart = attributes.valueStart
    const valueEnd = attributes.valueEnd
    const valueLength = valueEnd - valueStart
    switch (attributes.type) {
      case UNIX_DIAG_NAME:
        path = socketName(bytes, valueStart, valueEnd)
        break
      case UNIX_DIAG_VFS:
        if (valueLength >= 8) file = { inode: view.getUint32(valueStart, LITTLE_ENDIAN), device: view.getUint32(valueStart + 4, LITTLE_ENDIAN) }
        break
      case UNIX_DIAG_PEER:
        // The kernel sends a peer of 0 for a datagram socket whose peer went away.
        if (valueLength >= 4) peerInode = view.getUint32(valueStart, LITTLE_ENDIAN) || null
        break
      case UNIX_DIAG_ICONS:
        pendingConnections = []
        for (let position = valueStart; position + 4 <= valueEnd; position += 4) pendingConnections.push(view.getUint32(position, LITTLE_ENDIAN))
        break
      case UNIX_DIAG_RQLEN:
        if (valueLength >= 8) {
          recvQueue = view.getUint32(valueStart, LITTLE_ENDIAN)
          sendQueue = view.getUint32(valueStart + 4, LITTLE_ENDIAN)
        }
        break
      case UNIX_DIAG_MEMINFO:
        memory = decodeSocketMemory(bytes, valueStart, valueEnd)
        break
      case UNIX_DIAG_SHUTDOWN:
        if (valueLength >= 1) shutdown = shutdownState(elementAt(bytes, valueStart))
        break
      case UNIX_DIAG_UID:
        if (valueLength >= 4) uid = view.getUint32(valueStart, LITTLE_ENDIAN)
        break
    }
  }
  const stateCode = elementAt(bytes, start + 2)
  return {
    type: UNIX_TYPES[elementAt(bytes, start + 1)] ?? null,
    state: UNIX_STATES[stateCode] ?? `UNKNOWN_${stateCode}`,
    inode: view.getUint32(start + 4, LITTLE_ENDIAN),
    cookie: readCookie(bytes, start + 8),
    path,
    peerInode,
    recvQueue,
    sendQueue,
    pendingConnections,
    uid,
    file,
    shutdown,
    memory
  }
}

/**
 * A path name ends with a NUL the kernel counts in the length; an abstract name starts with one
 * and may hold more, which `ss` prints as `@`.
 */
function socketName(bytes: Uint8Array, start: number, end: number): string | null {
  if (end <= start) return null
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)
  if (view[0] === 0) return view.toString('latin1').replaceAll('\0', '@')
  const nul = view.indexOf(0)
  return view.toString('utf8', 0, nul === -1 ? view.length : nul)
}
