/**
 * Byte helpers shared by the file readers (either byte order), the writers, the packet decoders
 * (network order) and the stream reassembly. Plain index arithmetic: no DataView per packet.
 */

/** A 32-bit unsigned integer in either byte order. */
export function readUint32(bytes: Uint8Array, position: number, littleEndian: boolean): number {
  return littleEndian
    ? (bytes[position]! | (bytes[position + 1]! << 8) | (bytes[position + 2]! << 16) | (bytes[position + 3]! << 24)) >>> 0
    : ((bytes[position]! << 24) | (bytes[position + 1]! << 16) | (bytes[position + 2]! << 8) | bytes[position + 3]!) >>> 0
}

/** A 16-bit unsigned integer in either byte order. */
export function readUint16(bytes: Uint8Array, position: number, littleEndian: boolean): number {
  return littleEndian ? bytes[position]! | (bytes[position + 1]! << 8) : (bytes[position]! << 8) | bytes[position + 1]!
}

/** A 32-bit signed integer in either byte order. */
export function readInt32(bytes: Uint8Array, position: number, littleEndian: boolean): number {
  return readUint32(bytes, position, littleEndian) | 0
}

/** A 16-bit unsigned integer in network byte order. */
export function networkUint16(bytes: Uint8Array, position: number): number {
  return (bytes[position]! << 8) | bytes[position + 1]!
}

/** A 24-bit unsigned integer in network byte order. */
export function networkUint24(bytes: Uint8Array, position: number): number {
  return (bytes[position]! << 16) | (bytes[position + 1]! << 8) | bytes[position + 2]!
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

/** A 32-bit unsigned integer in network byte order. */
export function networkUint32(bytes: Uint8Array, position: number): number {
  return ((bytes[position]! << 24) | (bytes[position + 1]! << 16) | (bytes[position + 2]! << 8) | bytes[position + 3]!) >>> 0
}
