/**
 * The framed messages between the capture helper (the only privileged process) and the backend.
 *
 * Every frame is a 1-byte message type, a 3-byte big-endian payload length and the payload, the way
 * Wireshark's dumpcap talks to its parent over the sync pipe. Control messages carry JSON; a packet
 * batch is binary so the helper never spends time formatting packets. This file is browser-safe:
 * it uses only Uint8Array, DataView, TextEncoder and TextDecoder.
 */
import type { RawPacket } from './model/packet'

/** Bytes in a frame header: one type byte and three length bytes. */
export const FRAME_HEADER_LENGTH = 4

/** The largest payload a 3-byte length can describe (16 MiB - 1). */
export const MAX_FRAME_PAYLOAD = 0xffffff

/** Bytes in the header of each packet record inside a batch: seconds, nanoseconds, original and captured length. */
export const PACKET_RECORD_HEADER_LENGTH = 16

/** Bytes before the first packet record of a batch: the record count. */
export const PACKET_BATCH_HEADER_LENGTH = 4

/** The type byte of every message; printable letters so a hex dump of the pipe stays readable. */
export const MESSAGE_TYPE_CODES = {
  // helper → backend
  packets: 0x50, // 'P'
  stats: 0x53, // 'S'
  'bad-filter': 0x42, // 'B'
  error: 0x45, // 'E'
  started: 0x4f, // 'O'
  end: 0x5a, // 'Z'
  interfaces: 0x49, // 'I'
  'filter-ok': 0x46, // 'F'
  // backend → helper
  start: 0x73, // 's'
  stop: 0x78, // 'x'
  'list-interfaces': 0x6c, // 'l'
  'compile-filter': 0x63 // 'c'
} as const

/** The name of any message type. */
export type MessageTypeName = keyof typeof MESSAGE_TYPE_CODES

const HELPER_MESSAGE_TYPES = ['packets', 'stats', 'bad-filter', 'error', 'started', 'end', 'interfaces', 'filter-ok'] as const
const CONTROL_MESSAGE_TYPES = ['start', 'stop', 'list-interfaces', 'compile-filter'] as const

/** Why a capture could not run, so the backend can show the right advice. */
export type CaptureErrorCode = 'permission-denied' | 'no-such-device' | 'other'

/** Why a capture ended: a limit was reached, it was asked to stop, or it failed. */
export type CaptureEndReason = 'count' | 'bytes' | 'duration' | 'stopped' | 'error'

/** Stop conditions the helper enforces itself, so it never sends a packet past a limit. Null means no limit. */
export interface CaptureLimits {
  readonly maxPackets: number | null
  readonly maxBytes: number | null
  readonly maxDurationMs: number | null
}

/** How the helper groups packets into frames and how much it may queue on a slow pipe. */
export interface CaptureBatching {
  /** Flush at least this often, milliseconds. */
  readonly flushIntervalMs: number
  /** Flush once a batch holds this many packets. */
  readonly maxPackets: number
  /** Flush once a batch holds this many bytes (must stay well under MAX_FRAME_PAYLOAD). */
  readonly maxBytes: number
  /** When this many bytes already wait on the pipe, new packets are counted as dropped instead of queued. */
  readonly maxBacklogBytes: number
  /** How often the helper reports its counters, milliseconds. */
  readonly statsIntervalMs: number
}

/** The backend's request to open an interface and capture. */
export interface CaptureStartRequest {
  readonly interface: string
  /** A pcap-filter(7) expression; empty captures everything. */
  readonly filter: string
  /** Bytes kept of each packet. */
  readonly snaplen: number
  readonly promiscuous: boolean
  /** Kernel capture buffer size in bytes. */
  readonly bufferSize: number
  readonly limits: CaptureLimits
  /** Omitted fields take the helper's defaults. */
  readonly batching?: Partial<CaptureBatching>
}

/** The backend's request to check a filter against an interface's link type without starting a capture. */
export interface CompileFilterRequest {
  readonly interface: string
  readonly filter: string
}

/** The backend's request for the interfaces the helper can see. */
export interface ListInterfacesRequest {
  /**
   * Briefly open each interface to learn its link type. Opening needs the capture privilege;
   * without it link types stay null.
   */
  readonly probeLinkTypes: boolean
}

/** One address of an interface, as libpcap lists it. */
export interface InterfaceAddress {
  readonly address: string
  readonly netmask: string | null
  readonly broadcast: string | null
  readonly destination: string | null
}

/** An interface the helper can capture on. */
export interface CaptureDevice {
  readonly name: string
  readonly description: string | null
  readonly addresses: readonly InterfaceAddress[]
  readonly loopback: boolean
  /** LINKTYPE_* number, or null when the interface could not be opened to find out. */
  readonly linkType: number | null
  /** A short name for the link type (ETHERNET, LINUX_SLL, RAW, ...), or null. */
  readonly linkTypeName: string | null
  /** Why opening the interface failed while probing it (e.g. "That device is not up"), or null. */
  readonly openError: string | null
  /** The kind of that failure, so a missing privilege can be told from a device that is down. */
  readonly openErrorCode: CaptureErrorCode | null
}

/** The helper's counters. Null means the capture library does not report that counter. */
export interface CaptureStatistics {
  /** Packets the capture library handed to the helper. */
  readonly received: number
  /** Captured bytes the capture library handed to the helper. */
  readonly receivedBytes: number
  /** Packets the kernel dropped because its buffer was full. */
  readonly droppedByKernel: number | null
  /** Packets the interface or driver dropped. */
  readonly droppedByInterface: number | null
  /** Packets the helper discarded because the backend was not reading fast enough. */
  readonly droppedByHelper: number
  /** Packets the helper wrote to the pipe. */
  readonly delivered: number
}

/** A batch of captured packets. Each packet's interfaceIndex is 0: a helper captures on one interface. */
export interface PacketsMessage {
  readonly type: 'packets'
  readonly packets: readonly RawPacket[]
}

/** Periodic counters. */
export interface StatsMessage {
  readonly type: 'stats'
  readonly stats: CaptureStatistics
}

/** libpcap refused the filter; its own message is kept word for word. Nothing was started. */
export interface BadFilterMessage {
  readonly type: 'bad-filter'
  readonly filter: string
  readonly message: string
}

/** The helper could not do what was asked. */
export interface ErrorMessage {
  readonly type: 'error'
  readonly code: CaptureErrorCode
  readonly message: string
}

/** The interface is open and packets will follow. */
export interface StartedMessage {
  readonly type: 'started'
  readonly interface: string
  readonly linkType: number
  readonly linkTypeName: string
  /** The snaplen in effect, which may be lower than asked when the capture library caps it. */
  readonly snaplen: number
  /** Whether the interface is in promiscuous mode, which may differ from what was asked. */
  readonly promiscuous: boolean
  /** Wall-clock start, epoch milliseconds. */
  readonly startedAt: number
  /** Timestamp resolution of the packets as a power of ten of seconds (9 = nanoseconds). */
  readonly timestampDecimals: number
  /** Things the backend should know about the capture's fidelity (e.g. how timestamps were taken). */
  readonly notes: readonly string[]
}

/** The capture is over; no frame follows. */
export interface EndMessage {
  readonly type: 'end'
  readonly reason: CaptureEndReason
  readonly stats: CaptureStatistics
  /** Set when reason is 'error'. */
  readonly message: string | null
}

/** The answer to `list-interfaces`. */
export interface InterfacesMessage {
  readonly type: 'interfaces'
  readonly interfaces: readonly CaptureDevice[]
}

/** The answer to `compile-filter` when libpcap accepted the filter. */
export interface FilterOkMessage {
  readonly type: 'filter-ok'
  readonly interface: string
  readonly filter: string
  readonly linkType: number
}

/** Start a capture. */
export interface StartMessage {
  readonly type: 'start'
  readonly request: CaptureStartRequest
}

/** Stop the running capture; the helper answers with `end`. */
export interface StopMessage {
  readonly type: 'stop'
}

/** List interfaces; the helper answers with `interfaces` or `error`. */
export interface ListInterfacesMessage {
  readonly type: 'list-interfaces'
  readonly request: ListInterfacesRequest
}

/** Check a filter; the helper answers with `filter-ok`, `bad-filter` or `error`. */
export interface CompileFilterMessage {
  readonly type: 'compile-filter'
  readonly request: CompileFilterRequest
}

/** Every message the helper sends. */
export type HelperMessage =
  | PacketsMessage
  | StatsMessage
  | BadFilterMessage
  | ErrorMessage
  | StartedMessage
  | EndMessage
  | InterfacesMessage
  | FilterOkMessage

/** Every message the backend sends to the helper. */
export type ControlMessage = StartMessage | StopMessage | ListInterfacesMessage | CompileFilterMessage

/** One frame as it travels: its type byte and its payload. */
export interface Frame {
  readonly typeCode: number
  readonly payload: Uint8Array
}

/** A frame or payload that does not follow the protocol. The stream cannot be trusted after it. */
export class CaptureProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CaptureProtocolError'
  }
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** Wraps a payload in a frame header. Refuses payloads a 3-byte length cannot describe. */
export function encodeFrame(typeCode: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(typeCode) || typeCode < 0 || typeCode > 0xff) {
    throw new CaptureProtocolError(`message type ${typeCode} does not fit in one byte`)
  }
  if (payload.length > MAX_FRAME_PAYLOAD) {
    throw new CaptureProtocolError(
      `payload of ${payload.length} bytes exceeds the frame limit of ${MAX_FRAME_PAYLOAD} bytes`
    )
  }
  const frame = new Uint8Array(FRAME_HEADER_LENGTH + payload.length)
  writeFrameHeader(frame, 0, typeCode, payload.length)
  frame.set(payload, FRAME_HEADER_LENGTH)
  return frame
}

function writeFrameHeader(target: Uint8Array, offset: number, typeCode: number, length: number): void {
  target[offset] = typeCode
  target[offset + 1] = (length >>> 16) & 0xff
  target[offset + 2] = (length >>> 8) & 0xff
  target[offset + 3] = length & 0xff
}

/**
 * Splits a byte stream into frames. Chunks may end anywhere, hold several frames or part of one;
 * frames come out only when complete. Each payload is copied, so a frame never pins the chunk it came in.
 */
export class FrameDecoder {
  private pending: Uint8Array[] = []
  private pendingLength = 0
  private consumed = 0
  private failure: CaptureProtocolError | null = null

  /**
   * @param acceptedTypeCodes type bytes this side expects; anything else is a corrupt stream.
   * @param maxPayload the largest payload accepted, to catch a stream that lost its alignment early.
   */
  constructor(
    private readonly acceptedTypeCodes: ReadonlySet<number>,
    private readonly maxPayload: number = MAX_FRAME_PAYLOAD
  ) {}

  /** Adds bytes and returns every frame they complete. Throws CaptureProtocolError on a corrupt frame. */
  push(chunk: Uint8Array): Frame[] {
    if (this.failure) throw this.failure
    if (chunk.length === 0) return []
    this.pending.push(chunk)
    this.pendingLength += chunk.length
    const frames: Frame[] = []
    while (this.pendingLength >= FRAME_HEADER_LENGTH) {
      const header = this.peek(FRAME_HEADER_LENGTH)
      const typeCode = header[0]
      const length = (header[1] << 16) | (header[2] << 8) | header[3]
      if (!this.acceptedTypeCodes.has(typeCode)) {
        this.failure = new CaptureProtocolError(
          `corrupt frame at byte ${this.consumed}: unknown message type 0x${typeCode.toString(16).padStart(2, '0')}`
        )
        throw this.failure
      }
      if (length > this.maxPayload) {
        this.failure = new CaptureProtocolError(
          `corrupt frame at byte ${this.consumed}: payload of ${length} bytes exceeds the limit of ${this.maxPayload}`
        )
        throw this.failure
      }
      if (this.pendingLength < FRAME_HEADER_LENGTH + length) break
      const frameBytes = this.take(FRAME_HEADER_LENGTH + length)
      frames.push({ typeCode, payload: frameBytes.subarray(FRAME_HEADER_LENGTH) })
    }
    return frames
  }

  /** Bytes received that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.pendingLength
  }

  /** Throws when the stream ended in the middle of a frame. */
  finish(): void {
    if (this.failure) throw this.failure
    if (this.pendingLength > 0) {
      this.failure = new CaptureProtocolError(
        `stream ended inside a frame at byte ${this.consumed} (${this.pendingLength} bytes left over)`
      )
      throw this.failure
    }
  }

  private peek(length: number): Uint8Array {
    const first = this.pending[0]
    if (first.length >= length) return first.subarray(0, length)
    return this.gather(length, false)
  }

  private take(length: number): Uint8Array {
    const taken = this.gather(length, true)
    this.pendingLength -= length
    this.consumed += length
    return taken
  }

  /** Copies `length` bytes from the front of the pending chunks, optionally removing them. */
  private gather(length: number, remove: boolean): Uint8Array {
    const out = new Uint8Array(length)
    let written = 0
    let index = 0
    while (written < length) {
      const chunk = this.pending[index]
      const count = Math.min(chunk.length, length - written)
      out.set(chunk.subarray(0, count), written)
      written += count
      if (remove) {
        if (count === chunk.length) {
          this.pending.shift()
        } else {
          this.pending[0] = chunk.subarray(count)
        }
      } else {
        index++
      }
    }
    return out
  }
}

function typeCodesOf(names: readonly MessageTypeName[]): ReadonlySet<number> {
  return new Set(names.map((name) => MESSAGE_TYPE_CODES[name]))
}

/** Type bytes the backend accepts from the helper. */
export const HELPER_MESSAGE_TYPE_CODES: ReadonlySet<number> = typeCodesOf(HELPER_MESSAGE_TYPES)

/** Type bytes the helper accepts from the backend. */
export const CONTROL_MESSAGE_TYPE_CODES: ReadonlySet<number> = typeCodesOf(CONTROL_MESSAGE_TYPES)

/** The largest control frame the helper accepts: requests are small JSON. */
export const MAX_CONTROL_PAYLOAD = 64 * 1024

const typeNameByCode = new Map<number, MessageTypeName>(
  (Object.keys(MESSAGE_TYPE_CODES) as MessageTypeName[]).map((name) => [MESSAGE_TYPE_CODES[name], name])
)

function jsonFrame(type: MessageTypeName, body: unknown): Uint8Array {
  return encodeFrame(MESSAGE_TYPE_CODES[type], textEncoder.encode(JSON.stringify(body)))
}

function parseJsonPayload(type: string, payload: Uint8Array): Record<string, unknown> {
  let text: string
  try {
    text = textDecoder.decode(payload)
  } catch {
    throw new CaptureProtocolError(`corrupt ${type} message: payload is not UTF-8`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new CaptureProtocolError(`corrupt ${type} message: payload is not JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CaptureProtocolError(`corrupt ${type} message: payload is not a JSON object`)
  }
  return value as Record<string, unknown>
}

/** Encodes any message except a packet batch, which PacketBatchBuilder builds. */
export function encodeMessage(message: Exclude<HelperMessage, PacketsMessage> | ControlMessage): Uint8Array {
  const { type, ...body } = message
  return jsonFrame(type, type === 'stop' ? {} : body)
}

/** Encodes packets into one `packets` frame; throws when they do not fit in one frame. */
export function encodePacketsMessage(packets: readonly RawPacket[]): Uint8Array {
  const builder = new PacketBatchBuilder()
  for (const packet of packets) {
    builder.add(packet.timestampSeconds, packet.timestampNanos, packet.originalLength, packet.data)
  }
  return builder.finish()
}

/**
 * Accumulates packet records into one `packets` frame without an intermediate array of objects.
 * The helper keeps one per batch.
 */
export class PacketBatchBuilder {
  private buffer: Uint8Array
  private view: DataView
  private length = FRAME_HEADER_LENGTH + PACKET_BATCH_HEADER_LENGTH
  private count = 0

  constructor(initialCapacity = 64 * 1024) {
    this.buffer = new Uint8Array(Math.max(initialCapacity, FRAME_HEADER_LENGTH + PACKET_BATCH_HEADER_LENGTH))
    this.view = new DataView(this.buffer.buffer)
  }

  /** Packets in the batch so far. */
  get packetCount(): number {
    return this.count
  }

  /** Payload bytes in the batch so far (what the frame's length field will hold). */
  get payloadLength(): number {
    return this.length - FRAME_HEADER_LENGTH
  }

  /** Whether one more packet of `capturedLength` bytes still fits in a frame. */
  fits(capturedLength: number): boolean {
    return this.payloadLength + PACKET_RECORD_HEADER_LENGTH + capturedLength <= MAX_FRAME_PAYLOAD
  }

  /** Appends one packet. `data` holds the captured bytes; `originalLength` is the length on the wire. */
  add(timestampSeconds: number, timestampNanos: number, originalLength: number, data: Uint8Array): void {
    if (!this.fits(data.length)) {
      throw new CaptureProtocolError(`a packet of ${data.length} bytes does not fit in the current frame`)
    }
    this.reserve(PACKET_RECORD_HEADER_LENGTH + data.length)
    const offset = this.length
    this.view.setUint32(offset, timestampSeconds >>> 0)
    this.view.setUint32(offset + 4, timestampNanos >>> 0)
    this.view.setUint32(offset + 8, originalLength >>> 0)
    this.view.setUint32(offset + 12, data.length)
    this.buffer.set(data, offset + PACKET_RECORD_HEADER_LENGTH)
    this.length += PACKET_RECORD_HEADER_LENGTH + data.length
    this.count++
  }

  /** Returns the finished frame and empties the builder for the next batch. */
  finish(): Uint8Array {
    writeFrameHeader(this.buffer, 0, MESSAGE_TYPE_CODES.packets, this.payloadLength)
    this.view.setUint32(FRAME_HEADER_LENGTH, this.count)
    const frame = this.buffer.slice(0, this.length)
    this.length = FRAME_HEADER_LENGTH + PACKET_BATCH_HEADER_LENGTH
    this.count = 0
    return frame
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return
    let capacity = this.buffer.length * 2
    while (capacity < this.length + extra) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
    this.view = new DataView(grown.buffer)
  }
}

/** Reads the packet records of a `packets` payload. Each packet's bytes are its own copy. */
export function decodePacketBatch(payload: Uint8Array): RawPacket[] {
  if (payload.length < PACKET_BATCH_HEADER_LENGTH) {
    throw new CaptureProtocolError('corrupt packets message: shorter than its header')
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const count = view.getUint32(0)
  const packets: RawPacket[] = []
  let offset = PACKET_BATCH_HEADER_LENGTH
  for (let index = 0; index < count; index++) {
    if (offset + PACKET_RECORD_HEADER_LENGTH > payload.length) {
      throw new CaptureProtocolError(`corrupt packets message: record ${index} of ${count} is cut off`)
    }
    const timestampSeconds = view.getUint32(offset)
    const timestampNanos = view.getUint32(offset + 4)
    const originalLength = view.getUint32(offset + 8)
    const capturedLength = view.getUint32(offset + 12)
    const dataStart = offset + PACKET_RECORD_HEADER_LENGTH
    if (dataStart + capturedLength > payload.length) {
      throw new CaptureProtocolError(
        `corrupt packets message: record ${index} claims ${capturedLength} bytes past the end of the frame`
      )
    }
    if (timestampNanos > 999_999_999) {
      throw new CaptureProtocolError(`corrupt packets message: record ${index} has ${timestampNanos} nanoseconds`)
    }
    packets.push({
      interfaceIndex: 0,
      timestampSeconds,
      timestampNanos,
      originalLength,
      data: payload.slice(dataStart, dataStart + capturedLength)
    })
    offset = dataStart + capturedLength
  }
  if (offset !== payload.length) {
    throw new CaptureProtocolError(
      `corrupt packets message: ${payload.length - offset} bytes follow the last of ${count} records`
    )
  }
  return packets
}

function requireString(type: string, body: Record<string, unknown>, key: string): string {
  const value = body[key]
  if (typeof value !== 'string') throw new CaptureProtocolError(`corrupt ${type} message: ${key} is not a string`)
  return value
}

function requireObject(type: string, body: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = body[key]
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CaptureProtocolError(`corrupt ${type} message: ${key} is not an object`)
  }
  return value as Record<string, unknown>
}

function requireOneOf<T extends string>(type: string, body: Record<string, unknown>, key: string, allowed: readonly T[]): T {
  const value = body[key]
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new CaptureProtocolError(`corrupt ${type} message: ${key} is not one of ${allowed.join(', ')}`)
  }
  return value as T
}

/** Decodes a frame from the helper. Field shapes are checked where a wrong shape would mislead the backend. */
export function decodeHelperMessage(frame: Frame): HelperMessage {
  const type = typeNameByCode.get(frame.typeCode)
  switch (type) {
    case 'packets':
      return { type, packets: decodePacketBatch(frame.payload) }
    case 'stats': {
      const body = parseJsonPayload(type, frame.payload)
      return { type, stats: requireObject(type, body, 'stats') as unknown as CaptureStatistics }
    }
    case 'bad-filter': {
      const body = parseJsonPayload(type, frame.payload)
      return { type, filter: requireString(type, body, 'filter'), message: requireString(type, body, 'message') }
    }
    case 'error': {
      const body = parseJsonPayload(type, frame.payload)
      return {
        type,
        code: requireOneOf(type, body, 'code', ['permission-denied', 'no-such-device', 'other']),
        message: requireString(type, body, 'message')
      }
    }
    case 'started': {
      const body = parseJsonPayload(type, frame.payload)
      return { ...(body as unknown as StartedMessage), type }
    }
    case 'end': {
      const body = parseJsonPayload(type, frame.payload)
      return {
        type,
        reason: requireOneOf(type, body, 'reason', ['count', 'bytes', 'duration', 'stopped', 'error']),
        stats: requireObject(type, body, 'stats') as unknown as CaptureStatistics,
        message: typeof body.message === 'string' ? body.message : null
      }
    }
    case 'interfaces': {
      const body = parseJsonPayload(type, frame.payload)
      if (!Array.isArray(body.interfaces)) throw new CaptureProtocolError('corrupt interfaces message: no list')
      return { type, interfaces: body.interfaces as CaptureDevice[] }
    }
    case 'filter-ok': {
      const body = parseJsonPayload(type, frame.payload)
      return { ...(body as unknown as FilterOkMessage), type }
    }
    default:
      throw new CaptureProtocolError(`unexpected message type 0x${frame.typeCode.toString(16)} from the capture helper`)
  }
}

/** Decodes a frame from the backend. */
export function decodeControlMessage(frame: Frame): ControlMessage {
  const type = typeNameByCode.get(frame.typeCode)
  switch (type) {
    case 'start': {
      const body = parseJsonPayload(type, frame.payload)
      const request = requireObject(type, body, 'request')
      requireString(type, request, 'interface')
      requireString(type, request, 'filter')
      requireObject(type, request, 'limits')
      return { type, request: request as unknown as CaptureStartRequest }
    }
    case 'stop':
      return { type }
    case 'list-interfaces': {
      const body = parseJsonPayload(type, frame.payload)
      const request = requireObject(type, body, 'request')
      return { type, request: { probeLinkTypes: request.probeLinkTypes === true } }
    }
    case 'compile-filter': {
      const body = parseJsonPayload(type, frame.payload)
      const request = requireObject(type, body, 'request')
      return {
        type,
        request: { interface: requireString(type, request, 'interface'), filter: requireString(type, request, 'filter') }
      }
    }
    default:
      throw new CaptureProtocolError(`unexpected message type 0x${frame.typeCode.toString(16)} for the capture helper`)
  }
}

/** Incremental reader for the backend side: bytes in, typed helper messages out. */
export class HelperMessageReader {
  private readonly frames = new FrameDecoder(HELPER_MESSAGE_TYPE_CODES)

  /** Adds bytes from the helper's stdout; returns the messages they complete. */
  push(chunk: Uint8Array): HelperMessage[] {
    return this.frames.push(chunk).map(decodeHelperMessage)
  }

  /** Throws when the stream stopped in the middle of a frame. */
  finish(): void {
    this.frames.finish()
  }
}

/** Incremental reader for the helper side: bytes in, typed control messages out. */
export class ControlMessageReader {
  private readonly frames = new FrameDecoder(CONTROL_MESSAGE_TYPE_CODES, MAX_CONTROL_PAYLOAD)

  /** Adds bytes from the helper's stdin; returns the messages they complete. */
  push(chunk: Uint8Array): ControlMessage[] {
    return this.frames.push(chunk).map(decodeControlMessage)
  }

  /** Throws when the stream stopped in the middle of a frame. */
  finish(): void {
    this.frames.finish()
  }
}

/** Link type numbers (LINKTYPE_*) for the names sockscope shows most often. */
export const LINK_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'NULL',
  1: 'ETHERNET',
  101: 'RAW',
  105: 'IEEE802_11',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIO',
  228: 'IPV4',
  229: 'IPV6',
  239: 'NFLOG',
  276: 'LINUX_SLL2'
}

/** A readable name for a link type number. */
export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? `LINKTYPE_${linkType}`
}
