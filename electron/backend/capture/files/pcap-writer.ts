/**
 * Classic pcap encoder, microsecond (magic a1b2c3d4) or nanosecond (a1b23c4d) timestamps.
 *
 * A pcap file has a single link type in its header. Rather than silently dropping packets of
 * other interfaces, the encoder refuses an interface whose link type differs from the first
 * one with a CaptureWriteError: save such captures as pcapng. Interfaces of the same link type
 * are merged (pcap has no interface field).
 */

import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import { CaptureWriteError } from './capture-file-error'
import { DEFAULT_SNAPLEN, PCAP_FILE_HEADER_LENGTH, PCAP_MAGIC_MICROSECONDS, PCAP_MAGIC_NANOSECONDS, PCAP_RECORD_HEADER_LENGTH } from './capture-format'
import type { ByteOrder, CaptureEncoder } from './capture-encoder'
import { BlockBuilder } from './block-builder'
import { largestOf } from '../../../../shared/number-extremes'
import type { PcapPrecision } from './pcap-reader'

/** Options of {@link PcapEncoder}. */
export interface PcapEncoderOptions {
  /** At least one; all must share one link type. */
  readonly interfaces: readonly CaptureInterface[]
  /** Defaults to microseconds, the variant every tool reads. */
  readonly precision?: PcapPrecision
  /** Defaults to little-endian. */
  readonly byteOrder?: ByteOrder
}

/** Encodes a classic pcap file chunk by chunk. */
export class PcapEncoder implements CaptureEncoder {
  readonly format = 'pcap' as const
  readonly interfaces: CaptureInterface[] = []
  readonly linkType: number
  readonly precision: PcapPrecision

  private readonly littleEndian: boolean

  constructor(private readonly options: PcapEncoderOptions) {
    const first = options.interfaces[0]
    if (first === undefined) throw new CaptureWriteError('a pcap file needs an interface to take its link type from')
    this.linkType = first.linkType
    this.precision = options.precision ?? 'microseconds'
    this.littleEndian = options.byteOrder !== 'big-endian'
    for (const captureInterface of options.interfaces) this.addInterface(captureInterface)
  }

  start(): Uint8Array {
    const snaplen = largestOf(
      this.options.interfaces.map((captureInterface) => captureInterface.snaplen),
      0
    )
    return new BlockBuilder(PCAP_FILE_HEADER_LENGTH, this.littleEndian)
      .uint32(this.precision === 'nanoseconds' ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS)
      .uint16(2)
      .uint16(4)
      .int32(0)
      .uint32(0)
      .uint32(snaplen > 0 ? snaplen : DEFAULT_SNAPLEN)
      .uint32(this.linkType).bytes
  }

  addInterface(captureInterface: CaptureInterface): Uint8Array {
    if (captureInterface.linkType !== this.linkType) {
      throw new CaptureWriteError(
        `pcap holds one link type per file: interface "${captureInterface.name}" has link type ${captureInterface.linkType}, ` +
          `the file has ${this.linkType}; save as pcapng to keep both`
      )
    }
    this.interfaces.push(captureInterface)
    return new Uint8Array(0)
  }

  encodePacket(packet: RawPacket): Uint8Array {
    if (this.interfaces[packet.interfaceIndex] === undefined) {
      throw new CaptureWriteError(`packet refers to interface ${packet.interfaceIndex}, but ${this.interfaces.length} are described`)
    }
    const capturedLength = packet.data.length
    const fraction = this.precision === 'nanoseconds' ? packet.timestampNanos : Math.floor(packet.timestampNanos / 1000)
    return new BlockBuilder(PCAP_RECORD_HEADER_LENGTH + capturedLength, this.littleEndian)
      .uint32(packet.timestampSeconds)
      .uint32(fraction)
      .uint32(capturedLength)
      .uint32(Math.max(packet.originalLength, capturedLength))
      .raw(packet.data).bytes
  }
}
