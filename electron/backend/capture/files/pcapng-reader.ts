/**
 * Incremental reader for pcapng files.
 *
 * Handles several sections (each Section Header Block sets the byte order and starts a fresh
 * interface list), several interfaces, Enhanced, Simple and obsolete Packet Blocks, any
 * if_tsresol (powers of ten and of two) and if_tsoffset. Unknown blocks and options are skipped.
 *
 * Interfaces are numbered file-wide: the interfaces of the second section follow those of the
 * first, so a RawPacket's interfaceIndex always points into {@link PcapngStreamParser.interfaces}.
 */

import type { CaptureInterface } from '../../../../shared/model/packet'
import { CaptureFileError } from './capture-file-error'
import {
  IF_DESCRIPTION,
  IF_NAME,
  IF_TIMESTAMP_OFFSET,
  IF_TIMESTAMP_RESOLUTION,
  MAXIMUM_BLOCK_LENGTH,
  OPTION_COMMENT,
  OPTION_END,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_ENHANCED_PACKET,
  PCAPNG_INTERFACE_DESCRIPTION,
  PCAPNG_PACKET_BLOCK,
  PCAPNG_SECTION_HEADER,
  PCAPNG_SIMPLE_PACKET,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USER_APPLICATION,
  paddedLength
} from './capture-format'
import { readInt32, readUint16, readUint32 } from '../../../../shared/bytes'
import { ChunkParser, type PacketRecordSink, type ParseStep } from './chunk-parser'
import { TimestampScale } from './timestamp-scale'
import { elementAt } from '../../../../shared/element-at'

/** What a Section Header Block says about the tools that wrote the section. */
export interface PcapngSectionInfo {
  /** File offset of the Section Header Block. */
  readonly offset: number
  readonly littleEndian: boolean
  readonly version: string
  readonly hardware: string | null
  readonly operatingSystem: string | null
  readonly application: string | null
  readonly comment: string | null
}

/** The smallest Section Header Block: header, byte-order magic, version, section length, trailer. */
const MINIMUM_SECTION_HEADER_LENGTH = 28
/** The smallest block of any type: type, length and trailing length. */
const MINIMUM_BLOCK_LENGTH = 12

const textDecoder = new TextDecoder('utf-8', { fatal: false })

/** State of one interface within the current section. */
interface SectionInterface {
  readonly fileIndex: number
  readonly snaplen: number
  readonly scale: TimestampScale
}

/** Push parser for a pcapng stream. */
export class PcapngStreamParser extends ChunkParser {
  readonly format = 'pcapng' as const
  readonly interfaces: CaptureInterface[] = []
  /** Every section read so far. */
  readonly sections: PcapngSectionInfo[] = []

  private littleEndian = true
  private sectionInterfaces: SectionInterface[] = []
  /** Scratch for the options of the block being read, reset per block. */
  private comments: string[] = []

  protected parse(buffer: Uint8Array, fileOffset: number, sink: PacketRecordSink): ParseStep {
    let position = 0
    while (buffer.length - position >= MINIMUM_BLOCK_LENGTH) {
      const blockOffset = fileOffset + position
      const type = readUint32(buffer, position, this.littleEndian)
      let littleEndian = this.littleEndian
      if (type === PCAPNG_SECTION_HEADER) {
        littleEndian = sectionByteOrder(buffer, position, blockOffset)
      } else if (this.sections.length === 0) {
        throw new CaptureFileError('not a pcapng file (no Section Header Block at the start)', blockOffset)
      }
      const length = readUint32(buffer, position + 4, littleEndian)
      checkBlockLength(type, length, blockOffset)
      if (buffer.length - position < length) return { consumed: position, needed: length }
      const trailingLength = readUint32(buffer, position + length - 4, littleEndian)
      if (trailingLength !== length) {
        throw new CaptureFileError(`pcapng block length mismatch: header says ${length} bytes, trailer says ${trailingLength}`, blockOffset)
      }
      this.readBlock(type, buffer, position, length, blockOffset, sink, littleEndian)
      position += length
    }
    return { consumed: position, needed: MINIMUM_BLOCK_LENGTH }
  }

  protected endOfInput(leftover: number, fileOffset: number): CaptureFileError | null {
    if (leftover === 0 && this.sections.length > 0) return null
    if (this.sections.length === 0) {
      return new CaptureFileError(`pcapng Section Header Block is truncated (${leftover} bytes)`, fileOffset)
    }
    return new CaptureFileError(`file ends in the middle of a pcapng block (${leftover} bytes left over)`, fileOffset)
  }

  private readBlock(type: number, buffer: Uint8Array, start: number, length: number, blockOffset: number, sink: PacketRecordSink, littleEndian: boolean): void {
    const bodyEnd = start + length - 4
    switch (type) {
      case PCAPNG_SECTION_HEADER:
        this.readSectionHeader(buffer, start, bodyEnd, blockOffset, littleEndian)
        break
      case PCAPNG_INTERFACE_DESCRIPTION:
        this.readInterfaceDescription(buffer, start, bodyEnd, blockOffset)
        break
      case PCAPNG_ENHANCED_PACKET:
        this.readEnhancedPacket(buffer, start, bodyEnd, blockOffset, sink)
        break
      case PCAPNG_SIMPLE_PACKET:
        this.readSimplePacket(buffer, start, bodyEnd, blockOffset, sink)
        break
      case PCAPNG_PACKET_BLOCK:
        this.readObsoletePacket(buffer, start, bodyEnd, blockOffset, sink)
        break
      default:
      // Name resolution, statistics, secrets, custom and future blocks carry no packets.
    }
  }

  private readSectionHeader(buffer: Uint8Array, start: number, bodyEnd: number, blockOffset: number, littleEndian: boolean): void {
    const major = readUint16(buffer, start + 12, littleEndian)
    const minor = readUint16(buffer, start + 14, littleEndian)
    if (major !== 1) throw new CaptureFileError(`unsupported pcapng version ${major}.${minor}`, blockOffset + 12)
    this.littleEndian = littleEndian
    this.sectionInterfaces = []
    let hardware: string | null = null
    let operatingSystem: string | null = null
    let application: string | null = null
    let comment: string | null = null
    this.readOptions(buffer, start + 24, bodyEnd, (code, valueStart, valueEnd) => {
      const text = () => textDecoder.decode(buffer.subarray(valueStart, valueEnd))
      if (code === SHB_HARDWARE) hardware = text()
      else if (code === SHB_OS) operatingSystem = text()
      else if (code === SHB_USER_APPLICATION) application = text()
      else if (code === OPTION_COMMENT) comment = text()
    })
    this.sections.push({
      offset: blockOffset,
      littleEndian,
      version: `${major}.${minor}`,
      hardware,
      operatingSystem,
      application,
      comment
    })
  }

  private readInterfaceDescription(buffer: Uint8Array, start: number, bodyEnd: number, blockOffset: number): void {
    if (bodyEnd - start < 16) throw new CaptureFileError('pcapng Interface Description Block is too short', blockOffset)
    const littleEndian = this.littleEndian
    const linkType = readUint16(buffer, start + 8, littleEndian)
    const snaplen = readUint32(buffer, start + 12, littleEndian)
    let name: string | null = null
    let description: string | null = null
    let resolution = 6
    let offsetSeconds = 0
    this.readOptions(buffer, start + 16, bodyEnd, (code, valueStart, valueEnd) => {
      const size = valueEnd - valueStart
      if (code === IF_NAME) name = textDecoder.decode(buffer.subarray(valueStart, valueEnd))
      else if (code === IF_DESCRIPTION) description = textDecoder.decode(buffer.subarray(valueStart, valueEnd))
      else if (code === IF_TIMESTAMP_RESOLUTION && size >= 1) resolution = elementAt(buffer, valueStart)
      else if (code === IF_TIMESTAMP_OFFSET && size >= 8) {
        const high = readInt32(buffer, valueStart + (littleEndian ? 4 : 0), littleEndian)
        const low = readUint32(buffer, valueStart + (littleEndian ? 0 : 4), littleEndian)
        offsetSeconds = high * 4294967296 + low
      }
    })
    const scale = new TimestampScale(resolution, offsetSeconds)
    const fileIndex = this.interfaces.length
    this.interfaces.push({
      name: name ?? description ?? `interface ${fileIndex}`,
      linkType,
      snaplen,
      timestampDecimals: scale.decimals
    })
    this.sectionInterfaces.push({ fileIndex, snaplen, scale })
  }

  private readEnhancedPacket(buffer: Uint8Array, start: number, bodyEnd: number, blockOffset: number, sink: PacketRecordSink): void {
    if (bodyEnd - start < 28) throw new CaptureFileError('pcapng Enhanced Packet Block is too short', blockOffset)
    const sectionInterface = this.interfaceOf(readUint32(buffer, start + 8, this.littleEndian), blockOffset)
    this.readTimestampedPacket(buffer, start, bodyEnd, blockOffset, sectionInterface, 'Enhanced Packet Block', sink)
  }

  private readSimplePacket(buffer: Uint8Array, start: number, bodyEnd: number, blockOffset: number, sink: PacketRecordSink): void {
    if (bodyEnd - start < 12) throw new CaptureFileError('pcapng Simple Packet Block is too short', blockOffset)
    // A Simple Packet Block belongs to the section's first interface and has no timestamp.
    const sectionInterface = this.interfaceOf(0, blockOffset)
    const originalLength = readUint32(buffer, start + 8, this.littleEndian)
    const dataStart = start + 12
    let capturedLength = Math.min(originalLength, bodyEnd - dataStart)
    if (sectionInterface.snaplen > 0) capturedLength = Math.min(capturedLength, sectionInterface.snaplen)
    sink.record(buffer, dataStart, capturedLength, originalLength, sectionInterface.fileIndex, 0, 0, undefined)
  }

  private readObsoletePacket(buffer: Uint8Array, start: number, bodyEnd: number, blockOffset: number, sink: PacketRecordSink): void {
    if (bodyEnd - start < 28) throw new CaptureFileError('pcapng Packet Block is too short', blockOffset)
    // A 16-bit interface id and a drop count fill the 32 bits where an Enhanced Packet Block keeps its interface id.
    const sectionInterface = this.interfaceOf(readUint16(buffer, start + 8, this.littleEndian), blockOffset)
    this.readTimestampedPacket(buffer, start, bodyEnd, blockOffset, sectionInterface, 'Packet Block', sink)
  }

  /** The timestamp, lengths, data and comments, which both packet blocks with a timestamp lay out alike from byte 12 on. */
  private readTimestampedPacket(
    buffer: Uint8Array,
    start: number,
    bodyEnd: number,
    blockOffset: number,
    sectionInterface: SectionInterface,
    blockName: string,
    sink: PacketRecordSink
  ): void {
    const littleEndian = this.littleEndian
    const capturedLength = readUint32(buffer, start + 20, littleEndian)
    const dataStart = start + 28
    if (dataStart + capturedLength > bodyEnd) {
      throw new CaptureFileError(`pcapng ${blockName} captured length ${capturedLength} does not fit in its block`, blockOffset)
    }
    const scale = sectionInterface.scale
    scale.convert(readUint32(buffer, start + 12, littleEndian), readUint32(buffer, start + 16, littleEndian))
    const comment = this.readPacketComments(buffer, dataStart + paddedLength(capturedLength), bodyEnd)
    sink.record(buffer, dataStart, capturedLength, readUint32(buffer, start + 24, littleEndian), sectionInterface.fileIndex, scale.seconds, scale.nanos, comment)
  }

  private interfaceOf(sectionIndex: number, blockOffset: number): SectionInterface {
    const found = this.sectionInterfaces[sectionIndex]
    if (found === undefined) {
      throw new CaptureFileError(`packet refers to interface ${sectionIndex} but its section describes ${this.sectionInterfaces.length}`, blockOffset)
    }
    return found
  }

  private readPacketComments(buffer: Uint8Array, optionsStart: number, bodyEnd: number): string | undefined {
    if (optionsStart >= bodyEnd) return undefined
    this.comments.length = 0
    this.readOptions(buffer, optionsStart, bodyEnd, (code, valueStart, valueEnd) => {
      if (code === OPTION_COMMENT) this.comments.push(textDecoder.decode(buffer.subarray(valueStart, valueEnd)))
    })
    return this.comments.length === 0 ? undefined : this.comments.join('\n')
  }

  /**
   * Walks a block's options. An option whose length runs past the block ends the walk: the
   * block's fixed fields are still good, so its packet is kept and only later options are lost.
   */
  private readOptions(buffer: Uint8Array, start: number, end: number, visit: (code: number, valueStart: number, valueEnd: number) => void): void {
    let position = start
    while (end - position >= 4) {
      const code = readUint16(buffer, position, this.littleEndian)
      const length = readUint16(buffer, position + 2, this.littleEndian)
      if (code === OPTION_END) return
      const valueStart = position + 4
      if (valueStart + length > end) return
      visit(code, valueStart, valueStart + length)
      position = valueStart + paddedLength(length)
    }
  }
}

/** Reads the byte-order magic of a Section Header Block and so the section's byte order. */
function sectionByteOrder(buffer: Uint8Array, position: number, blockOffset: number): boolean {
  const magic = readUint32(buffer, position + 8, true)
  if (magic === PCAPNG_BYTE_ORDER_MAGIC) return true
  if (readUint32(buffer, position + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) return false
  throw new CaptureFileError(`pcapng Section Header Block has a bad byte-order magic 0x${magic.toString(16).padStart(8, '0')}`, blockOffset + 8)
}

function checkBlockLength(type: number, length: number, blockOffset: number): void {
  const minimum = type === PCAPNG_SECTION_HEADER ? MINIMUM_SECTION_HEADER_LENGTH : MINIMUM_BLOCK_LENGTH
  if (length < minimum) {
    throw new CaptureFileError(`pcapng block length ${length} is smaller than the minimum of ${minimum}`, blockOffset)
  }
  if (length % 4 !== 0) throw new CaptureFileError(`pcapng block length ${length} is not a multiple of 4`, blockOffset)
  if (length > MAXIMUM_BLOCK_LENGTH) {
    throw new CaptureFileError(`pcapng block length ${length} is over the ${MAXIMUM_BLOCK_LENGTH}-byte limit (corrupt block)`, blockOffset)
  }
}
