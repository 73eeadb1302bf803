/**
 * A push parser that recognises the file format from its first bytes and hands the stream to
 * the pcap or pcapng parser. Usable on a file, a pipe or any chunked source.
 */

import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import { CaptureFileError } from './capture-file-error'
import { PCAPNG_SECTION_HEADER, type CaptureFileFormat } from './capture-format'
import { readUint32 } from '../../../../shared/bytes'
import type { CaptureStreamParser, PacketRecordSink } from './chunk-parser'
import { PcapStreamParser, detectPcapMagic } from './pcap-reader'
import { PcapngStreamParser } from './pcapng-reader'

/** The format named by the first four bytes of a file, or null when they are neither. */
function detectCaptureFormat(firstBytes: Uint8Array): CaptureFileFormat | null {
  if (firstBytes.length < 4) return null
  if (readUint32(firstBytes, 0, true) === PCAPNG_SECTION_HEADER) return 'pcapng'
  return detectPcapMagic(firstBytes) === null ? null : 'pcap'
}

/** Detects pcap or pcapng from the stream's first four bytes, then delegates. */
export class DetectingStreamParser implements CaptureStreamParser {
  private inner: PcapStreamParser | PcapngStreamParser | null = null
  private head = new Uint8Array(0)
  private ownError: CaptureFileError | null = null

  /** `sharedBytes`: packets' data are views into the chunks fed (see ChunkParser). */
  constructor(private readonly sharedBytes = false) {}

  get format(): CaptureFileFormat | null {
    return this.inner?.format ?? null
  }

  get interfaces(): readonly CaptureInterface[] {
    return this.inner?.interfaces ?? []
  }

  get error(): CaptureFileError | null {
    return this.ownError ?? this.inner?.error ?? null
  }

  get offset(): number {
    return this.inner?.offset ?? 0
  }

  /** The format-specific parser once the format is known, for format details (pcapng sections, pcap precision). */
  get formatParser(): PcapStreamParser | PcapngStreamParser | null {
    return this.inner
  }

  feed(chunk: Uint8Array, packets: RawPacket[]): CaptureFileError | null {
    if (this.inner !== null || this.ownError !== null) return this.inner?.feed(chunk, packets) ?? this.ownError
    const inner = this.detect(chunk)
    return inner === null ? this.ownError : inner.feed(this.takeHead(), packets)
  }

  feedRecords(chunk: Uint8Array, sink: PacketRecordSink): CaptureFileError | null {
    if (this.inner !== null || this.ownError !== null) return this.inner?.feedRecords(chunk, sink) ?? this.ownError
    const inner = this.detect(chunk)
    return inner === null ? this.ownError : inner.feedRecords(this.takeHead(), sink)
  }

  /** Adds the chunk to the first bytes; once four are there, picks the parser (null until then, or when the bytes are no capture). */
  private detect(chunk: Uint8Array): PcapStreamParser | PcapngStreamParser | null {
    const joined = new Uint8Array(this.head.length + chunk.length)
    joined.set(this.head)
    joined.set(chunk, this.head.length)
    this.head = joined
    if (joined.length < 4) return null
    const format = detectCaptureFormat(joined)
    if (format === null) {
      const magic = Array.from(joined.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ')
      this.ownError = new CaptureFileError(`not a pcap or pcapng file (starts with ${magic})`, 0)
      return null
    }
    this.inner = format === 'pcapng' ? new PcapngStreamParser(this.sharedBytes) : new PcapStreamParser(this.sharedBytes)
    return this.inner
  }

  /** The bytes read before the format was known, handed over once. */
  private takeHead(): Uint8Array {
    const head = this.head
    this.head = new Uint8Array(0)
    return head
  }

  finish(): CaptureFileError | null {
    if (this.ownError !== null) return this.ownError
    if (this.inner !== null) return this.inner.finish()
    this.ownError =
      this.head.length === 0 ? new CaptureFileError('empty file: no capture header', 0) : new CaptureFileError(`file too short for a capture header (${this.head.length} bytes)`, 0)
    return this.ownError
  }
}
