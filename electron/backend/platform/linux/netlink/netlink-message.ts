/**
 * Netlink framing, pure: the 16-byte message header, multi-part replies, NLMSG_DONE and
 * NLMSG_ERROR, and the type-length-value attributes that follow a message's fixed part.
 *
 * Layouts follow the kernel's UAPI header linux/netlink.h. Netlink headers and attribute headers
 * are in the host's byte order; so are the integers of the sock_diag structures, except ports and
 * addresses, which stay in network order. Nothing here throws on short or garbled input: readers
 * stop at the first thing that does not fit and say so.
 */
import { constants as osConstants, endianness } from 'node:os'

/** True on little-endian hosts, where netlink's host-order integers are little-endian. */
export const HOST_LITTLE_ENDIAN = endianness() === 'LE'

/** Size of `struct nlmsghdr`. */
export const NETLINK_HEADER_LENGTH = 16
/** Size of `struct nlattr`'s header. */
export const ATTRIBUTE_HEADER_LENGTH = 4

/** Message types every netlink protocol shares. */
export const NLMSG_NOOP = 1
export const NLMSG_ERROR = 2
export const NLMSG_DONE = 3
export const NLMSG_OVERRUN = 4

/** Header flags. */
export const NLM_F_REQUEST = 0x1
export const NLM_F_MULTI = 0x2
export const NLM_F_ACK = 0x4
/** The kernel saw the table change during a dump: the reply may miss or repeat entries. */
export const NLM_F_DUMP_INTR = 0x10
export const NLM_F_DUMP = 0x300

/** Attribute type bits that are flags, not part of the type number. */
const ATTRIBUTE_TYPE_MASK = 0x3fff

/** Netlink aligns messages and attributes to 4 bytes. */
export function align4(length: number): number {
  return (length + 3) & ~3
}

/** One attribute to append to a request. */
export interface NetlinkAttribute {
  readonly type: number
  readonly value: Uint8Array
}

/** What goes in a request's header besides its length. */
export interface NetlinkHeaderFields {
  readonly type: number
  readonly flags: number
  readonly sequence: number
}

/** A request message: header, the fixed payload, then attributes, each padded to 4 bytes. */
export function encodeNetlinkMessage(header: NetlinkHeaderFields, payload: Uint8Array, attributes: readonly NetlinkAttribute[] = []): Buffer {
  let length = NETLINK_HEADER_LENGTH + align4(payload.length)
  for (const attribute of attributes) length += align4(ATTRIBUTE_HEADER_LENGTH + attribute.value.length)
  const message = Buffer.alloc(length)
  writeUint32(message, 0, length)
  writeUint16(message, 4, header.type)
  writeUint16(message, 6, header.flags)
  writeUint32(message, 8, header.sequence)
  // Port id 0 lets the kernel fill in the sending socket's own.
  message.set(payload, NETLINK_HEADER_LENGTH)
  let position = NETLINK_HEADER_LENGTH + align4(payload.length)
  for (const attribute of attributes) {
    writeUint16(message, position, ATTRIBUTE_HEADER_LENGTH + attribute.value.length)
    writeUint16(message, position + 2, attribute.type)
    message.set(attribute.value, position + ATTRIBUTE_HEADER_LENGTH)
    position += align4(ATTRIBUTE_HEADER_LENGTH + attribute.value.length)
  }
  return message
}

/** A 32-bit attribute value in host order. */
export function uint32AttributeValue(value: number): Uint8Array {
  const bytes = new Uint8Array(4)
  writeUint32(bytes, 0, value)
  return bytes
}

/**
 * What both readers below share: a window of a buffer walked record by record, where each record
 * starts with its own length (a u32 for messages, a u16 for attributes) and is padded to 4 bytes.
 * A record whose header does not fit, or whose length is shorter than its header or longer than
 * what is left, ends the walk with `malformed` set.
 */
abstract class LengthPrefixedReader {
  /** True when the window ended inside a record or a header claimed an impossible length. */
  malformed = false
  protected view: DataView = new DataView(new ArrayBuffer(0))
  /** Where the record found by {@link nextRecord} starts and ends (without padding). */
  protected recordStart = 0
  protected recordEnd = 0
  private end = 0
  private position = 0

  constructor(
    private readonly headerLength: number,
    private readonly wideLength: boolean
  ) {}

  protected window(bytes: Uint8Array, start: number, end: number): void {
    this.view = dataViewOf(bytes)
    this.position = start
    this.end = Math.min(end, bytes.length)
    this.malformed = false
  }

  /** Finds the next whole record; false at the end or at a malformed one. */
  protected nextRecord(): boolean {
    const start = this.position
    if (start >= this.end) return false
    if (start + this.headerLength > this.end) return this.fail()
    const length = this.wideLength ? this.view.getUint32(start, HOST_LITTLE_ENDIAN) : this.view.getUint16(start, HOST_LITTLE_ENDIAN)
    if (length < this.headerLength || start + length > this.end) return this.fail()
    this.recordStart = start
    this.recordEnd = start + length
    this.position = start + align4(length)
    return true
  }

  private fail(): false {
    this.malformed = true
    this.position = this.end
    return false
  }
}

/**
 * Walks the messages in a buffer of concatenated netlink messages (one or more datagrams).
 *
 * A cursor rather than an array of objects, because a dump of 50k sockets is 50k messages:
 * `next()` moves to the following message and exposes its header fields and payload bounds.
 * It returns false at the end, or at a message whose length does not fit, which sets `malformed`.
 */
export class NetlinkMessageReader extends LengthPrefixedReader {
  type = 0
  flags = 0
  sequence = 0
  portId = 0
  /** Offset of the payload (after the header) in the buffer. */
  payloadStart = 0
  /** End of the payload: the message's own length, not its padding. */
  payloadEnd = 0

  constructor() {
    super(NETLINK_HEADER_LENGTH, true)
  }

  /** Starts reading `length` bytes of `bytes` (by default all of them). */
  reset(bytes: Uint8Array, length = bytes.length): this {
    this.window(bytes, 0, length)
    return this
  }

  /** Moves to the next whole message; false at the end or at a malformed one. */
  next(): boolean {
    if (!this.nextRecord()) return false
    const start = this.recordStart
    this.type = this.view.getUint16(start + 4, HOST_LITTLE_ENDIAN)
    this.flags = this.view.getUint16(start + 6, HOST_LITTLE_ENDIAN)
    this.sequence = this.view.getUint32(start + 8, HOST_LITTLE_ENDIAN)
    this.portId = this.view.getUint32(start + 12, HOST_LITTLE_ENDIAN)
    this.payloadStart = start + NETLINK_HEADER_LENGTH
    this.payloadEnd = this.recordEnd
    return true
  }
}

/**
 * Walks the attributes in a byte range, the way {@link NetlinkMessageReader} walks messages:
 * `next()` exposes each attribute's type and value bounds.
 */
export class AttributeReader extends LengthPrefixedReader {
  type = 0
  valueStart = 0
  valueEnd = 0

  constructor() {
    super(ATTRIBUTE_HEADER_LENGTH, false)
  }

  /** Starts reading the attributes in [start, end) of `bytes`. */
  reset(bytes: Uint8Array, start: number, end: number): this {
    this.window(bytes, start, end)
    return this
  }

  /** Moves to the next whole attribute; false at the end or at a malformed one. */
  next(): boolean {
    if (!this.nextRecord()) return false
    this.type = this.view.getUint16(this.recordStart + 2, HOST_LITTLE_ENDIAN) & ATTRIBUTE_TYPE_MASK
    this.valueStart = this.recordStart + ATTRIBUTE_HEADER_LENGTH
    this.valueEnd = this.recordEnd
    return true
  }
}

/** A failure the kernel reported: NLMSG_ERROR, or an error code in NLMSG_DONE. */
export interface NetlinkFailure {
  /** Positive errno number, e.g. 1 for EPERM. */
  readonly errno: number
  /** Its symbolic name, e.g. EPERM; `errno N` for a number this system has no name for. */
  readonly code: string
}

/**
 * The error code of an NLMSG_ERROR payload: 0 is an acknowledgement, a negative errno a failure.
 * Returns null when the payload is too short to hold it.
 */
export function readErrorCode(bytes: Uint8Array, payloadStart: number, payloadEnd: number): number | null {
  if (payloadEnd - payloadStart < 4) return null
  return readInt32(bytes, payloadStart)
}

/** NLMSG_DONE of a dump may carry the dump's error code; none (or 0) means it completed. */
export function readDoneCode(bytes: Uint8Array, payloadStart: number, payloadEnd: number): number {
  return payloadEnd - payloadStart >= 4 ? readInt32(bytes, payloadStart) : 0
}

/** A failure from a negative (kernel style) or positive errno. */
export function netlinkFailure(errno: number): NetlinkFailure {
  const positive = Math.abs(errno)
  return { errno: positive, code: errnoName(positive) }
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(osConstants.errno).map(([name, number]) => [number, name]))

/** ENOENT for 2, and so on; `errno N` for an unknown number. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`
}

/** The last buffer given a view, and its view: decoders ask for one per message of the same buffer. */
let viewedBytes: Uint8Array | null = null
let lastView: DataView = new DataView(new ArrayBuffer(0))

/**
 * A DataView over `bytes`, for host-order reads. Decoders read through it rather than through
 * helper calls per field: a dump decodes a few million fields, and DataView reads are compiled
 * inline. The view of the last buffer is remembered, since a dump reuses one receive buffer.
 */
export function dataViewOf(bytes: Uint8Array): DataView {
  if (bytes !== viewedBytes) {
    viewedBytes = bytes
    lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  return lastView
}

/** A host-order 16-bit integer. */
export function readUint16(bytes: Uint8Array, position: number): number {
  return dataViewOf(bytes).getUint16(position, HOST_LITTLE_ENDIAN)
}

/** A host-order 32-bit unsigned integer. */
export function readUint32(bytes: Uint8Array, position: number): number {
  return dataViewOf(bytes).getUint32(position, HOST_LITTLE_ENDIAN)
}

/** A host-order 32-bit signed integer. */
export function readInt32(bytes: Uint8Array, position: number): number {
  return dataViewOf(bytes).getInt32(position, HOST_LITTLE_ENDIAN)
}

/**
 * A host-order 64-bit unsigned integer as a number, or null when it is above 2^53 and a number
 * could not hold it exactly (in practice the kernel's "unknown" sentinels, all ones).
 */
export function readUint64(bytes: Uint8Array, position: number): number | null {
  return uint64FromView(dataViewOf(bytes), position)
}

/** {@link readUint64} on a view the caller already has. */
export function uint64FromView(view: DataView, position: number): number | null {
  const low = view.getUint32(HOST_LITTLE_ENDIAN ? position : position + 4, HOST_LITTLE_ENDIAN)
  const high = view.getUint32(HOST_LITTLE_ENDIAN ? position + 4 : position, HOST_LITTLE_ENDIAN)
  return high > 0x1fffff ? null : high * 0x1_0000_0000 + low
}

/** Writes a host-order 16-bit integer. */
export function writeUint16(bytes: Uint8Array, position: number, value: number): void {
  dataViewOf(bytes).setUint16(position, value, HOST_LITTLE_ENDIAN)
}

/** Writes a host-order 32-bit integer. */
export function writeUint32(bytes: Uint8Array, position: number, value: number): void {
  dataViewOf(bytes).setUint32(position, value >>> 0, HOST_LITTLE_ENDIAN)
}
