/**
 * The common shape of the pcap and pcapng encoders: pure byte producers, so the same encoder
 * can feed a file, a pipe or a download in the renderer's place.
 */

import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import type { CaptureFileFormat } from './capture-format'

/** Byte order a writer uses. Readers accept both. */
export type ByteOrder = 'little-endian' | 'big-endian'

/** Turns interfaces and packets into the bytes of one capture file, chunk by chunk. */
export interface CaptureEncoder {
  readonly format: CaptureFileFormat
  /** Every interface declared so far; a packet's interfaceIndex points into it. */
  readonly interfaces: readonly CaptureInterface[]
  /** The bytes that open the file (and describe the interfaces given so far). Call once, first. */
  start(): Uint8Array
  /**
   * Declares another interface, whose index is the previous `interfaces.length`. Returns the
   * bytes to append (empty when the format needs none). Throws CaptureWriteError when the format
   * cannot hold it.
   */
  addInterface(captureInterface: CaptureInterface): Uint8Array
  /** The bytes of one packet record. Throws CaptureWriteError for an unknown interface. */
  encodePacket(packet: RawPacket): Uint8Array
}
