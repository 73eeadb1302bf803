/**
 * The body of a `packets` frame: a record count, then per packet its timestamp, its lengths and
 * its bytes. It is binary, not JSON, so the helper never spends time formatting packets.
 * Browser-safe: Uint8Array and DataView only.
 */
import type { RawPacket } from './model/packet'
import { CaptureProtocolError, FRAME_HEADER_LENGTH, MAX_FRAME_PAYLOAD, writeFrameHeader } from './capture-protocol'

/** The type byte of a `packets` frame ('P'). */
export const PACKETS_TYPE_CODE = 0x50

/** Bytes in the header of each packet record inside a batch: seconds, nanoseconds, original and captured length. */
export const PACKET_RECORD_HEADER_LENGTH = 16

/** Bytes before the first packet record of a batch: the record count. */
export const PACKET_BATCH_HEADER_LENGTH = 4

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
    writeFrameHeader(this.buffer, 0, PACKETS_TYPE_CODE, this.payloadLength)
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

/** Encodes packets into one `packets` frame; throws when they do not fit in one frame. */
export function encodePacketsMessage(packets: readonly RawPacket[]): Uint8Array {
  const builder = new PacketBatchBuilder()
  for (const packet of packets) {
    builder.add(packet.timestampSeconds, packet.timestampNanos, packet.originalLength, packet.data)
  }
  return builder.finish()
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
      throw new CaptureProtocolError(`corrupt packets message: record ${index} claims ${capturedLength} bytes past the end of the frame`)
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
    throw new CaptureProtocolError(`corrupt packets message: ${payload.length - offset} bytes follow the last of ${count} records`)
  }
  return packets
}
