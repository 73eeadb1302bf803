/**
 * A fixed-size byte buffer written front to back, for encoding headers and blocks whose size
 * is known before writing.
 */
import { elementAt } from '../../../../shared/element-at'

const textEncoder = new TextEncoder()

/** Writes integers and bytes into a buffer of a known size. */
export class BlockBuilder {
  readonly bytes: Uint8Array
  private readonly view: DataView
  private position = 0

  constructor(
    length: number,
    private readonly littleEndian: boolean
  ) {
    this.bytes = new Uint8Array(length)
    this.view = new DataView(this.bytes.buffer)
  }

  uint8(value: number): this {
    this.view.setUint8(this.position, value)
    this.position += 1
    return this
  }

  uint16(value: number): this {
    this.view.setUint16(this.position, value, this.littleEndian)
    this.position += 2
    return this
  }

  uint32(value: number): this {
    this.view.setUint32(this.position, value >>> 0, this.littleEndian)
    this.position += 4
    return this
  }

  int32(value: number): this {
    this.view.setInt32(this.position, value, this.littleEndian)
    this.position += 4
    return this
  }

  /** Copies bytes, then skips zero padding up to `paddedTo` bytes in all. */
  raw(data: Uint8Array, paddedTo = data.length): this {
    this.bytes.set(data, this.position)
    this.position += paddedTo
    return this
  }

  skip(count: number): this {
    this.position += count
    return this
  }
}

/**
 * UTF-8 bytes of a text, cut at a character boundary so they fit a 16-bit option length.
 */
export function encodeOptionText(text: string): Uint8Array {
  const bytes = textEncoder.encode(text)
  if (bytes.length <= 0xffff) return bytes
  let end = 0xffff
  while (end > 0 && (elementAt(bytes, end) & 0xc0) === 0x80) end -= 1
  return bytes.subarray(0, end)
}
