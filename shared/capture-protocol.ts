/**
 * The framing of the pipe between the capture helper (the only privileged process) and the backend.
 *
 * Every frame is a 1-byte message type, a 3-byte big-endian payload length and the payload, the way
 * Wireshark's dumpcap talks to its parent over the sync pipe. What a payload holds is the messages'
 * business (shared/capture-messages.ts, shared/capture-packet-batch.ts). This file is browser-safe:
 * it uses only Uint8Array.
 */

/** Bytes in a frame header: one type byte and three length bytes. */
export const FRAME_HEADER_LENGTH = 4

/** The largest payload a 3-byte length can describe (16 MiB - 1). */
export const MAX_FRAME_PAYLOAD = 0xffffff

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

/** Wraps a payload in a frame header. Refuses payloads a 3-byte length cannot describe. */
export function encodeFrame(typeCode: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(typeCode) || typeCode < 0 || typeCode > 0xff) {
    throw new CaptureProtocolError(`message type ${typeCode} does not fit in one byte`)
  }
  if (payload.length > MAX_FRAME_PAYLOAD) {
    throw new CaptureProtocolError(`payload of ${payload.length} bytes exceeds the frame limit of ${MAX_FRAME_PAYLOAD} bytes`)
  }
  const frame = new Uint8Array(FRAME_HEADER_LENGTH + payload.length)
  writeFrameHeader(frame, 0, typeCode, payload.length)
  frame.set(payload, FRAME_HEADER_LENGTH)
  return frame
}

/** Writes a frame header at `offset`, for a writer that builds the payload in place behind it. */
export function writeFrameHeader(target: Uint8Array, offset: number, typeCode: number, length: number): void {
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
      const view = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_LENGTH)
      const typeCode = view.getUint8(0)
      const length = (view.getUint8(1) << 16) | view.getUint16(2)
      if (!this.acceptedTypeCodes.has(typeCode)) {
        this.failure = new CaptureProtocolError(`corrupt frame at byte ${this.consumed}: unknown message type 0x${typeCode.toString(16).padStart(2, '0')}`)
        throw this.failure
      }
      if (length > this.maxPayload) {
        this.failure = new CaptureProtocolError(`corrupt frame at byte ${this.consumed}: payload of ${length} bytes exceeds the limit of ${this.maxPayload}`)
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
      this.failure = new CaptureProtocolError(`stream ended inside a frame at byte ${this.consumed} (${this.pendingLength} bytes left over)`)
      throw this.failure
    }
  }

  private peek(length: number): Uint8Array {
    const first = this.pending[0]
    if (first !== undefined && first.length >= length) return first.subarray(0, length)
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
      // Callers ask only for bytes counted in pendingLength, so a missing chunk is a bug here.
      if (chunk === undefined) throw new Error(`frame decoder: ${length} bytes asked for, ${written} pending`)
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
