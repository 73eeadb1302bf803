/**
 * Byte helpers for every binary format sockscope reads or writes: capture files (either byte
 * order), packet headers and DNS messages (network order), the capture helper's frames and the
 * probes' payloads. Plain index arithmetic, so a decoder makes no DataView per packet; pure and
 * browser-safe.
 */
import { elementAt } from './element-at'

/**
 * Throws the RangeError {@link elementAt} would when the `length` bytes from `position` are not
 * all inside `bytes`. The readers below check once per number rather than once per byte, and
 * build no array: every field of every packet goes through them.
 */
function requireBytes(bytes: Uint8Array, position: number, length: number): void {
  if (!Number.isInteger(position) || position < 0 || position + length > bytes.length) {
    throw new RangeError(`bytes ${position} to ${position + length - 1} are outside ${bytes.length} bytes`)
  }
}

/** A 32-bit unsigned integer in either byte order. */
export function readUint32(bytes: Uint8Array, position: number, littleEndian: boolean): number {
  requireBytes(bytes, position, 4)
  // Inside the range just checked, so the fallbacks never apply.
  const first = bytes[position] ?? 0
  const second = bytes[position + 1] ?? 0
  const third = bytes[position + 2] ?? 0
  const fourth = bytes[position + 3] ?? 0
  return littleEndian ? (first | (second << 8) | (third << 16) | (fourth << 24)) >>> 0 : ((first << 24) | (second << 16) | (third << 8) | fourth) >>> 0
}

/** A 16-bit unsigned integer in either byte order. */
export function readUint16(bytes: Uint8Array, position: number, littleEndian: boolean): number {
  requireBytes(bytes, position, 2)
  const first = bytes[position] ?? 0
  const second = bytes[position + 1] ?? 0
  return littleEndian ? first | (second << 8) : (first << 8) | second
}

/** A 32-bit signed integer in either byte order. */
export function readInt32(bytes: Uint8Array, position: number, littleEndian: boolean): number {
  return readUint32(bytes, position, littleEndian) | 0
}

/** A 16-bit unsigned integer in network byte order. */
export function networkUint16(bytes: Uint8Array, position: number): number {
  return readUint16(bytes, position, false)
}

/** A 24-bit unsigned integer in network byte order. */
export function networkUint24(bytes: Uint8Array, position: number): number {
  return (elementAt(bytes, position) << 16) | (elementAt(bytes, position + 1) << 8) | elementAt(bytes, position + 2)
}

/** A 32-bit unsigned integer in network byte order. */
export function networkUint32(bytes: Uint8Array, position: number): number {
  return readUint32(bytes, position, false)
}

/** Joins byte arrays into one new array. */
export function concatenateBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const part of parts) total += part.length
  const joined = new Uint8Array(total)
  let position = 0
  for (const part of parts) {
    joined.set(part, position)
    position += part.length
  }
  return joined
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, '0'))

/** Lower-case hex with no separators of `length` bytes from `offset` (by default all of them). */
export function hexText(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let text = ''
  for (const byte of bytes.subarray(offset, offset + length)) text += HEX_DIGITS[byte]
  return text
}

/** A number as hex with a 0x prefix and at least `digits` digits, e.g. 0x0800. */
export function hexNumber(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`
}

/** Bytes as Latin-1 text: every byte is one character, so a byte offset is a string offset. */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  let text = ''
  for (const byte of bytes.subarray(start, end)) text += String.fromCharCode(byte)
  return text
}
