/**
 * The messages between the capture helper and the backend: their type bytes, their bodies and the
 * valibot schemas each side checks what it receives against.
 *
 * Control messages and every helper message except `packets` carry a JSON object; a `packets`
 * body is binary (shared/capture-packet-batch.ts). Both sides send and receive, so the message set
 * lives here, in one place, rather than beside either side. A body that does not match its schema
 * is a CaptureProtocolError naming the message and the field, never a crash. Browser-safe.
 */
import * as v from 'valibot'
import type { RawPacket } from './model/packet'
import {
  CAPTURE_END_REASONS,
  CAPTURE_ERROR_CODES,
  type CaptureBatching,
  type CaptureDevice,
  type CaptureEndReason,
  type CaptureErrorCode,
  type CaptureStartRequest,
  type CaptureStatistics,
  type CompileFilterRequest,
  type ListInterfacesRequest,
  type OpenedCaptureInterface
} from './model/capture'
import { CaptureProtocolError, encodeFrame, FrameDecoder, type Frame } from './capture-protocol'
import { decodePacketBatch, PACKETS_TYPE_CODE } from './capture-packet-batch'

/** The type byte of every message; printable letters so a hex dump of the pipe stays readable. */
export const MESSAGE_TYPE_CODES = {
  // helper → backend
  packets: PACKETS_TYPE_CODE, // 'P'
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
export interface StartedMessage extends OpenedCaptureInterface {
  readonly type: 'started'
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
export type HelperMessage = PacketsMessage | StatsMessage | BadFilterMessage | ErrorMessage | StartedMessage | EndMessage | InterfacesMessage | FilterOkMessage

/** Every message the backend sends to the helper. */
export type ControlMessage = StartMessage | StopMessage | ListInterfacesMessage | CompileFilterMessage

/** A JSON message without its `type`, which travels in the frame's type byte. */
type Body<M> = Omit<M, 'type'>
/** A schema whose output is exactly `T`; the compiler checks each schema below against its message type. */
type SchemaOf<T> = v.GenericSchema<unknown, T>

const count = v.pipe(v.number(), v.integer(), v.minValue(0))
const countOrNull = v.nullable(count)
const linkType = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff))
const textOrNull = v.nullable(v.string())

const statistics: SchemaOf<CaptureStatistics> = v.object({
  received: count,
  receivedBytes: count,
  droppedByKernel: countOrNull,
  droppedByInterface: countOrNull,
  droppedByHelper: count,
  delivered: count
})

const device: SchemaOf<CaptureDevice> = v.object({
  name: v.string(),
  description: textOrNull,
  addresses: v.array(v.object({ address: v.string(), netmask: textOrNull, broadcast: textOrNull, destination: textOrNull })),
  loopback: v.boolean(),
  linkType: v.nullable(linkType),
  linkTypeName: textOrNull,
  openError: textOrNull,
  openErrorCode: v.nullable(v.picklist(CAPTURE_ERROR_CODES))
})

const limit = v.nullable(v.pipe(v.number(), v.minValue(0)))
const positive = v.pipe(v.number(), v.minValue(1))
const batching: SchemaOf<Partial<CaptureBatching>> = v.partial(
  v.object({ flushIntervalMs: positive, maxPackets: positive, maxBytes: positive, maxBacklogBytes: positive, statsIntervalMs: positive })
)

const startRequest: SchemaOf<CaptureStartRequest> = v.object({
  interface: v.string(),
  filter: v.string(),
  snaplen: count,
  promiscuous: v.boolean(),
  bufferSize: count,
  limits: v.object({ maxPackets: limit, maxBytes: limit, maxDurationMs: limit }),
  batching: v.optional(batching)
})

/** The body schema of every JSON message the helper sends. */
const HELPER_BODIES: { readonly [M in Exclude<HelperMessage, PacketsMessage> as M['type']]: SchemaOf<Body<M>> } = {
  stats: v.object({ stats: statistics }),
  'bad-filter': v.object({ filter: v.string(), message: v.string() }),
  error: v.object({ code: v.picklist(CAPTURE_ERROR_CODES), message: v.string() }),
  started: v.object({
    interface: v.string(),
    linkType,
    linkTypeName: v.string(),
    snaplen: count,
    promiscuous: v.boolean(),
    startedAt: v.pipe(v.number(), v.minValue(0)),
    timestampDecimals: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9)),
    notes: v.array(v.string())
  }),
  end: v.object({ reason: v.picklist(CAPTURE_END_REASONS), stats: statistics, message: textOrNull }),
  interfaces: v.object({ interfaces: v.array(device) }),
  'filter-ok': v.object({ interface: v.string(), filter: v.string(), linkType })
}

/** The body schema of every message the backend sends. */
const CONTROL_BODIES: { readonly [M in ControlMessage as M['type']]: SchemaOf<Body<M>> } = {
  start: v.object({ request: startRequest }),
  stop: v.object({}),
  'list-interfaces': v.object({ request: v.object({ probeLinkTypes: v.boolean() }) }),
  'compile-filter': v.object({ request: v.object({ interface: v.string(), filter: v.string() }) })
}

function typeCodesOf(names: readonly MessageTypeName[]): ReadonlySet<number> {
  return new Set(names.map((name) => MESSAGE_TYPE_CODES[name]))
}

/** Type bytes the backend accepts from the helper. */
export const HELPER_MESSAGE_TYPE_CODES: ReadonlySet<number> = typeCodesOf(['packets', ...(Object.keys(HELPER_BODIES) as MessageTypeName[])])

/** Type bytes the helper accepts from the backend. */
export const CONTROL_MESSAGE_TYPE_CODES: ReadonlySet<number> = typeCodesOf(Object.keys(CONTROL_BODIES) as MessageTypeName[])

/** The largest control frame the helper accepts: requests are small JSON. */
export const MAX_CONTROL_PAYLOAD = 64 * 1024

const typeNameByCode = new Map<number, MessageTypeName>((Object.keys(MESSAGE_TYPE_CODES) as MessageTypeName[]).map((name) => [MESSAGE_TYPE_CODES[name], name]))

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** Encodes any message except a packet batch, which PacketBatchBuilder builds. */
export function encodeMessage(message: Exclude<HelperMessage, PacketsMessage> | ControlMessage): Uint8Array {
  const { type, ...body } = message
  return encodeFrame(MESSAGE_TYPE_CODES[type], textEncoder.encode(JSON.stringify(body)))
}

/** One sentence about what is wrong with a body: the field and what it held instead of what it should. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue)
  const field = path === null ? 'the body' : path
  if (issue.received === 'undefined') return `${field} is missing`
  return `${field} should be ${issue.expected ?? issue.type.replace(/_/g, ' ')}, not ${issue.received}`
}

/** Parses and checks a JSON body; anything off is a CaptureProtocolError that says what and where. */
function decodeBody<T>(type: string, payload: Uint8Array, schema: SchemaOf<T>): T {
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
  const parsed = v.safeParse(schema, value)
  if (!parsed.success) throw new CaptureProtocolError(`corrupt ${type} message: ${describeIssue(parsed.issues[0])}`)
  return parsed.output
}

/** Decodes a frame from the helper, checking its body against the message's schema. */
export function decodeHelperMessage(frame: Frame): HelperMessage {
  const type = typeNameByCode.get(frame.typeCode)
  if (type === 'packets') return { type, packets: decodePacketBatch(frame.payload) }
  if (type === undefined || !Object.hasOwn(HELPER_BODIES, type)) {
    throw new CaptureProtocolError(`unexpected message type 0x${frame.typeCode.toString(16)} from the capture helper`)
  }
  const schema = HELPER_BODIES[type as keyof typeof HELPER_BODIES] as SchemaOf<object>
  return { ...decodeBody(type, frame.payload, schema), type } as HelperMessage
}

/** Decodes a frame from the backend, checking its body against the message's schema. */
export function decodeControlMessage(frame: Frame): ControlMessage {
  const type = typeNameByCode.get(frame.typeCode)
  if (type === undefined || !Object.hasOwn(CONTROL_BODIES, type)) {
    throw new CaptureProtocolError(`unexpected message type 0x${frame.typeCode.toString(16)} for the capture helper`)
  }
  const schema = CONTROL_BODIES[type as keyof typeof CONTROL_BODIES] as SchemaOf<object>
  return { ...decodeBody(type, frame.payload, schema), type } as ControlMessage
}

/** Incremental reader for the backend side: bytes in, checked helper messages out. */
export class HelperMessageReader {
  private readonly frames = new FrameDecoder(HELPER_MESSAGE_TYPE_CODES)

  /** Adds bytes from the helper's stdout; returns the messages they complete. Throws CaptureProtocolError on a corrupt one. */
  push(chunk: Uint8Array): HelperMessage[] {
    return this.frames.push(chunk).map(decodeHelperMessage)
  }

  /** Throws when the stream stopped in the middle of a frame. */
  finish(): void {
    this.frames.finish()
  }
}

/** Incremental reader for the helper side: bytes in, checked control messages out. */
export class ControlMessageReader {
  private readonly frames = new FrameDecoder(CONTROL_MESSAGE_TYPE_CODES, MAX_CONTROL_PAYLOAD)

  /** Adds bytes from the helper's stdin; returns the messages they complete. Throws CaptureProtocolError on a corrupt one. */
  push(chunk: Uint8Array): ControlMessage[] {
    return this.frames.push(chunk).map(decodeControlMessage)
  }

  /** Throws when the stream stopped in the middle of a frame. */
  finish(): void {
    this.frames.finish()
  }
}
