/**
 * Hand-built pcapng blocks in either byte order, for reader tests of cases no tool writes:
 * big-endian sections, Simple and obsolete Packet Blocks, power-of-two resolutions, corrupt lengths.
 */
import { elementAt } from '../../../shared/element-at'

/** Writes integers in one byte order. */
export class BlockWriter {
  private readonly out: number[] = []

  constructor(private readonly littleEndian = true) {}

  uint8(value: number): this {
    this.out.push(value & 0xff)
    return this
  }

  uint16(value: number): this {
    const pair = [value & 0xff, (value >> 8) & 0xff]
    this.out.push(...(this.littleEndian ? pair : pair.reverse()))
    return this
  }

  uint32(value: number): this {
    const quad = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]
    this.out.push(...(this.littleEndian ? quad : quad.reverse()))
    return this
  }

  raw(data: ArrayLike<number>): this {
    for (let index = 0; index < data.length; index += 1) this.out.push(elementAt(data, index))
    return this
  }

  pad(): this {
    while (this.out.length % 4 !== 0) this.out.push(0)
    return this
  }

  option(code: number, value: ArrayLike<number> | string): this {
    const data = typeof value === 'string' ? new TextEncoder().encode(value) : value
    return this.uint16(code).uint16(data.length).raw(data).pad()
  }

  endOptions(): this {
    return this.uint32(0)
  }

  bytes(): number[] {
    return [...this.out]
  }
}

/** A complete block: type, length, body (padded), length. */
export function block(type: number, body: number[], littleEndian = true): Uint8Array {
  const padded = [...body]
  while (padded.length % 4 !== 0) padded.push(0)
  const length = padded.length + 12
  return Uint8Array.from(new BlockWriter(littleEndian).uint32(type).uint32(length).raw(padded).uint32(length).bytes())
}

/** A Section Header Block. */
export function sectionHeader(littleEndian = true, options: (writer: BlockWriter) => void = () => {}): Uint8Array {
  const writer = new BlockWriter(littleEndian).uint32(0x1a2b3c4d).uint16(1).uint16(0).uint32(0xffffffff).uint32(0xffffffff)
  options(writer)
  return block(0x0a0d0d0a, writer.bytes(), littleEndian)
}

/** An Interface Description Block. */
export function interfaceDescription(linkType: number, snaplen: number, littleEndian = true, options: (writer: BlockWriter) => void = () => {}): Uint8Array {
  const writer = new BlockWriter(littleEndian).uint16(linkType).uint16(0).uint32(snaplen)
  options(writer)
  return block(1, writer.bytes(), littleEndian)
}

/** An Enhanced Packet Block. */
export function enhancedPacket(
  interfaceId: number,
  high: number,
  low: number,
  data: Uint8Array,
  littleEndian = true,
  originalLength = data.length,
  options: (writer: BlockWriter) => void = () => {}
): Uint8Array {
  const writer = new BlockWriter(littleEndian).uint32(interfaceId).uint32(high).uint32(low).uint32(data.length).uint32(originalLength).raw(data).pad()
  options(writer)
  return block(6, writer.bytes(), littleEndian)
}
