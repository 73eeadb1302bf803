/**
 * pcapng encoder: one section (Section Header Block with shb_userappl "sockscope"), an
 * Interface Description Block per interface (link type, snaplen, if_name, if_tsresol), and an
 * Enhanced Packet Block per packet, with the packet's comment (the owning process) as
 * opt_comment.
 */

import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import { CaptureWriteError } from './capture-file-error'
import {
  IF_NAME,
  IF_TIMESTAMP_RESOLUTION,
  OPTION_COMMENT,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_ENHANCED_PACKET,
  PCAPNG_INTERFACE_DESCRIPTION,
  PCAPNG_SECTION_HEADER,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USER_APPLICATION,
  paddedLength
} from './capture-format'
import { concatenateBytes } from '../../../../shared/bytes'
import type { ByteOrder, CaptureEncoder } from './capture-encoder'
import { BlockBuilder, encodeOptionText } from './block-builder'
import { timestampToUnits } from './timestamp-scale'

/** Options of {@link PcapngEncoder}. */
export interface PcapngEncoderOptions {
  /** Interfaces described by {@link PcapngEncoder.start}; more may follow with addInterface. */
  readonly interfaces?: readonly CaptureInterface[]
  /**
   * `nanoseconds` (default) writes if_tsresol 9 on every interface, so no precision is lost.
   * `interface` keeps each interface's own timestampDecimals (sub-unit nanoseconds are dropped).
   */
  readonly timestampResolution?: 'nanoseconds' | 'interface'
  /** shb_userappl; defaults to "sockscope". */
  readonly application?: string
  /** shb_os, e.g. "Linux 6.1.0". */
  readonly operatingSystem?: string
  /** shb_hardware. */
  readonly hardware?: string
  /** Defaults to little-endian. */
  readonly byteOrder?: ByteOrder
}

interface EncodedOption {
  readonly code: number
  readonly value: Uint8Array
}

/** Encodes a pcapng file chunk by chunk. */
export class PcapngEncoder implements CaptureEncoder {
  readonly format = 'pcapng' as const
  readonly interfaces: CaptureInterface[] = []

  private readonly littleEndian: boolean
  /** Resolution written for each interface, as decimal places. */
  private readonly decimals: number[] = []

  constructor(private readonly options: PcapngEncoderOptions = {}) {
    this.littleEndian = options.byteOrder !== 'big-endian'
  }

  start(): Uint8Array {
    const shbOptions: EncodedOption[] = [{ code: SHB_USER_APPLICATION, value: encodeOptionText(this.options.application ?? 'sockscope') }]
    if (this.options.operatingSystem !== undefined) shbOptions.push({ code: SHB_OS, value: encodeOptionText(this.options.operatingSystem) })
    if (this.options.hardware !== undefined) shbOptions.push({ code: SHB_HARDWARE, value: encodeOptionText(this.options.hardware) })
    const length = 28 + optionsLength(shbOptions)
    const block = new BlockBuilder(length, this.littleEndian)
      .uint32(PCAPNG_SECTION_HEADER)
      .uint32(length)
      .uint32(PCAPNG_BYTE_ORDER_MAGIC)
      .uint16(1)
      .uint16(0)
      // Section length -1: unknown, since the file is written as a stream.
      .uint32(0xffffffff)
      .uint32(0xffffffff)
    writeOptions(block, shbOptions)
    block.uint32(length)
    const parts = [block.bytes, ...(this.options.interfaces ?? []).map((captureInterface) => this.addInterface(captureInterface))]
    return concatenateBytes(parts)
  }

  addInterface(captureInterface: CaptureInterface): Uint8Array {
    const decimals = this.options.timestampResolution === 'interface' ? clampDecimals(captureInterface.timestampDecimals) : 9
    const options: EncodedOption[] = [
      { code: IF_NAME, value: encodeOptionText(captureInterface.name) },
      { code: IF_TIMESTAMP_RESOLUTION, value: Uint8Array.of(decimals) }
    ]
    const length = 20 + optionsLength(options)
    const block = new BlockBuilder(length, this.littleEndian)
      .uint32(PCAPNG_INTERFACE_DESCRIPTION)
      .uint32(length)
      .uint16(captureInterface.linkType)
      .uint16(0)
      .uint32(captureInterface.snaplen)
    writeOptions(block, options)
    block.uint32(length)
    this.interfaces.push(captureInterface)
    this.decimals.push(decimals)
    return block.bytes
  }

  encodePacket(packet: RawPacket): Uint8Array {
    const decimals = this.decimals[packet.interfaceIndex]
    if (decimals === undefined) {
      throw new CaptureWriteError(`packet refers to interface ${packet.interfaceIndex}, but ${this.interfaces.length} are described`)
    }
    const options: EncodedOption[] = packet.comment === undefined ? [] : [{ code: OPTION_COMMENT, value: encodeOptionText(packet.comment) }]
    const capturedLength = packet.data.length
    const length = 32 + paddedLength(capturedLength) + optionsLength(options)
    const units = timestampToUnits(packet.timestampSeconds, packet.timestampNanos, decimals)
    const block = new BlockBuilder(length, this.littleEndian)
      .uint32(PCAPNG_ENHANCED_PACKET)
      .uint32(length)
      .uint32(packet.interfaceIndex)
      .uint32(units.high)
      .uint32(units.low)
      .uint32(capturedLength)
      .uint32(Math.max(packet.originalLength, capturedLength))
      .raw(packet.data, paddedLength(capturedLength))
    writeOptions(block, options)
    block.uint32(length)
    return block.bytes
  }
}

/** Bytes the options take, with the end-of-options marker; 0 when there are none. */
function optionsLength(options: readonly EncodedOption[]): number {
  if (options.length === 0) return 0
  return options.reduce((sum, option) => sum + 4 + paddedLength(option.value.length), 4)
}

function writeOptions(block: BlockBuilder, options: readonly EncodedOption[]): void {
  if (options.length === 0) return
  for (const option of options) {
    block.uint16(option.code).uint16(option.value.length).raw(option.value, paddedLength(option.value.length))
  }
  block.uint16(0).uint16(0)
}

function clampDecimals(decimals: number): number {
  return Math.min(9, Math.max(0, Math.round(decimals)))
}
