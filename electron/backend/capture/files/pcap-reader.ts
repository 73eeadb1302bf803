/**
 * Incremental reader for classic pcap files: either byte order, microsecond (a1b2c3d4) and
 * nanosecond (a1b23c4d) timestamps, one interface per file.
 */

import type { CaptureInterface } from '../../../../shared/model/packet'
import { CaptureFileError } from './capture-file-error'
import { MAXIMUM_BLOCK_LENGTH, PCAP_FILE_HEADER_LENGTH, PCAP_MAGIC_MICROSECONDS, PCAP_MAGIC_NANOSECONDS, PCAP_RECORD_HEADER_LENGTH } from './capture-format'
import { readUint16, readUint32 } from '../../../../shared/bytes'
import { ChunkParser, type PacketRecordSink, type ParseStep } from './chunk-parser'

/** The timestamp precision of a classic pcap file, from its magic number. */
export type PcapPrecision = 'microseconds' | 'nanoseconds'

/** What a classic pcap magic number says, or null when the four bytes are not one. */
export function detectPcapMagic(bytes: Uint8Array): { littleEndian: boolean; precision: PcapPrecision } | null {
  if (bytes.length < 4) return null
  for (const littleEndian of [true, false]) {
    const magic = readUint32(bytes, 0, littleEndian)
    if (magic === PCAP_MAGIC_MICROSECONDS) return { littleEndian, precision: 'microseconds' }
    if (magic === PCAP_MAGIC_NANOSECONDS) return { littleEndian, precision: 'nanoseconds' }
  }
  return null
}

/** Push parser for a classic pcap stream. */
export class PcapStreamParser extends ChunkParser {
  readonly format = 'pcap' as const
  interfaces: CaptureInterface[] = []
  /** Byte order of the file, known once the header is read. */
  littleEndian = true
  precision: PcapPrecision = 'microseconds'
  /** The file header's version, e.g. 2.4. */
  version = ''

  private headerRead = false

  protected parse(buffer: Uint8Array, fileOffset: number, sink: PacketRecordSink): ParseStep {
    let position = 0
    if (!this.headerRead) {
      if (buffer.length < PCAP_FILE_HEADER_LENGTH) return { consumed: 0, needed: PCAP_FILE_HEADER_LENGTH }
      this.readFileHeader(buffer, fileOffset)
      position = PCAP_FILE_HEADER_LENGTH
    }
    const littleEndian = this.littleEndian
    const nanosPerFraction = this.precision === 'nanoseconds' ? 1 : 1000
    const fractionsPerSecond = this.precision === 'nanoseconds' ? 1e9 : 1e6
    while (buffer.length - position >= PCAP_RECORD_HEADER_LENGTH) {
      const capturedLength = readUint32(buffer, position + 8, littleEndian)
      if (capturedLength > MAXIMUM_BLOCK_LENGTH) {
        throw new CaptureFileError(
          `pcap record claims ${capturedLength} captured bytes, more than the ${MAXIMUM_BLOCK_LENGTH}-byte limit (corrupt record header)`,
          fileOffset + position
        )
      }
      const recordLength = PCAP_RECORD_HEADER_LENGTH + capturedLength
      if (buffer.length - position < recordLength) return { consumed: position, needed: recordLength }
      const fraction = readUint32(buffer, position + 4, littleEndian)
      const extraSeconds = Math.floor(fraction / fractionsPerSecond)
      const dataStart = position + PCAP_RECORD_HEADER_LENGTH
      const seconds = readUint32(buffer, position, littleEndian) + extraSeconds
      const nanos = (fraction - extraSeconds * fractionsPerSecond) * nanosPerFraction
      sink.record(buffer, dataStart, capturedLength, readUint32(buffer, position + 12, littleEndian), 0, seconds, nanos, undefined)
      position += recordLength
    }
    return { consumed: position, needed: PCAP_RECORD_HEADER_LENGTH }
  }

  protected endOfInput(leftover: number, fileOffset: number): CaptureFileError | null {
    if (!this.headerRead) {
      return new CaptureFileError(`pcap file header is truncated: ${leftover} of ${PCAP_FILE_HEADER_LENGTH} bytes`, fileOffset)
    }
    if (leftover === 0) return null
    return new CaptureFileError(`file ends in the middle of a pcap record (${leftover} bytes left over)`, fileOffset)
  }

  private readFileHeader(buffer: Uint8Array, fileOffset: number): void {
    const magic = detectPcapMagic(buffer)
    if (magic === null) throw new CaptureFileError('not a pcap file (bad magic number)', fileOffset)
    this.littleEndian = magic.littleEndian
    this.precision = magic.precision
    const major = readUint16(buffer, 4, magic.littleEndian)
    const minor = readUint16(buffer, 6, magic.littleEndian)
    if (major !== 2) throw new CaptureFileError(`unsupported pcap version ${major}.${minor}`, fileOffset + 4)
    this.version = `${major}.${minor}`
    const snaplen = readUint32(buffer, 16, magic.littleEndian)
    // The upper bits of the link-type field carry FCS information, not the link type.
    const linkType = readUint32(buffer, 20, magic.littleEndian) & 0xffff
    this.interfaces = [{ name: 'interface 0', linkType, snaplen, timestampDecimals: magic.precision === 'nanoseconds' ? 9 : 6 }]
    this.headerRead = true
  }
}
