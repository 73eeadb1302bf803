/**
 * The incremental frame for the capture file parsers: bytes arrive in chunks of any size
 * (file reads, a pipe), and a parser consumes whole blocks or records from them.
 *
 * Chunks are only joined once enough bytes for the next unit have arrived, so a block larger
 * than a chunk is copied once rather than once per chunk, and a corrupt length only ever makes
 * the parser wait: it never allocates more than the input that actually came in.
 */

import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import { concatenateBytes } from '../../../../shared/bytes'
import { CaptureFileError } from './capture-file-error'
import type { CaptureFileFormat } from './capture-format'
import { elementAt } from '../../../../shared/element-at'

/** What a parser's parse step did with the bytes it was given. */
export interface ParseStep {
  /** Bytes consumed from the start of the buffer (whole units only). */
  readonly consumed: number
  /** Bytes the next unit needs, counted from the end of the consumed part. */
  readonly needed: number
}

/** Where a parser puts each packet it reads, field by field: no object per packet unless the sink makes one. */
export interface PacketRecordSink {
  /**
   * One packet, in file order. Its captured bytes are `buffer[start, start + capturedLength)`,
   * good only during the call: keep them by copying.
   */
  record(
    buffer: Uint8Array,
    start: number,
    capturedLength: number,
    originalLength: number,
    interfaceIndex: number,
    timestampSeconds: number,
    timestampNanos: number,
    comment: string | undefined
  ): void
}

/** The sink {@link ChunkParser.feed} fills a packet array with. */
class PacketCollector implements PacketRecordSink {
  target: RawPacket[] = []

  constructor(private readonly sharedBytes: boolean) {}

  record(
    buffer: Uint8Array,
    start: number,
    capturedLength: number,
    originalLength: number,
    interfaceIndex: number,
    seconds: number,
    nanos: number,
    comment: string | undefined
  ): void {
    const data = this.sharedBytes ? buffer.subarray(start, start + capturedLength) : copyBytes(buffer, start, start + capturedLength)
    const packet = { interfaceIndex, timestampSeconds: seconds, timestampNanos: nanos, originalLength, data }
    this.target.push(comment === undefined ? packet : { ...packet, comment })
  }
}

/** A push parser for one capture file format. */
export interface CaptureStreamParser {
  readonly format: CaptureFileFormat | null
  /** Every interface seen so far, file-wide (pcapng sections append to one list). */
  readonly interfaces: readonly CaptureInterface[]
  /** The error that stopped the parser, if any. */
  readonly error: CaptureFileError | null
  /** Bytes consumed so far: the file offset the next unit starts at. */
  readonly offset: number
  /** Parses a chunk, appending complete packets to `packets`. Stops for good at the first error. */
  feed(chunk: Uint8Array, packets: RawPacket[]): CaptureFileError | null
  /** The same, handing each packet to `sink` as it is read. */
  feedRecords(chunk: Uint8Array, sink: PacketRecordSink): CaptureFileError | null
  /** Marks the end of input: leftover bytes of an unfinished unit become a truncation error. */
  finish(): CaptureFileError | null
}

/** Accumulates chunks and hands contiguous buffers to {@link parse}. */
export abstract class ChunkParser implements CaptureStreamParser {
  abstract readonly format: CaptureFileFormat | null
  abstract readonly interfaces: readonly CaptureInterface[]
  error: CaptureFileError | null = null

  private pending: Uint8Array[] = []
  private pendingLength = 0
  private needed = 1
  private consumedBefore = 0

  private readonly collector: PacketCollector

  /**
   * `sharedBytes`: each packet {@link feed} hands out has a view into the bytes fed as its data,
   * not a copy. For a reader done with every packet before the next chunk comes, which then
   * skips a copy per packet; a packet kept longer would hold its whole chunk alive.
   */
  constructor(sharedBytes = false) {
    this.collector = new PacketCollector(sharedBytes)
  }

  feed(chunk: Uint8Array, packets: RawPacket[]): CaptureFileError | null {
    this.collector.target = packets
    return this.feedRecords(chunk, this.collector)
  }

  get offset(): number {
    return this.consumedBefore
  }

  feedRecords(chunk: Uint8Array, sink: PacketRecordSink): CaptureFileError | null {
    if (this.error !== null || chunk.length === 0) return this.error
    let rest = chunk
    // A unit begun in earlier chunks: join only the bytes it still needs, not the whole chunk.
    while (this.pendingLength > 0) {
      const wanted = this.needed - this.pendingLength
      // A parser that waits for no more than it has would never move on: hand it everything.
      if (wanted <= 0) break
      const taken = rest.subarray(0, wanted)
      if (taken.length > 0) this.pending.push(taken)
      this.pendingLength += taken.length
      rest = rest.subarray(taken.length)
      if (this.pendingLength < this.needed) return null
      if (!this.parseStep(this.pending.length === 1 ? elementAt(this.pending, 0) : concatenateBytes(this.pending), sink)) return this.error
      if (this.pendingLength > 0 && rest.length === 0) return null
      // What the joined units left over comes before the rest of this chunk: keep joining.
    }
    if (rest.length > 0) {
      this.pending.push(rest)
      this.pendingLength += rest.length
    }
    if (this.pendingLength < this.needed) return null
    return this.parseStep(this.pending.length === 1 ? elementAt(this.pending, 0) : concatenateBytes(this.pending), sink) ? null : this.error
  }

  /** Parses whole units from `buffer`, which starts where the consumed part ends; keeps the rest pending. False once an error stopped the parser. */
  private parseStep(buffer: Uint8Array, sink: PacketRecordSink): boolean {
    let step: ParseStep
    try {
      step = this.parse(buffer, this.consumedBefore, sink)
    } catch (error) {
      if (!(error instanceof CaptureFileError)) throw error
      this.error = error
      this.pending = []
      this.pendingLength = 0
      return false
    }
    this.consumedBefore += step.consumed
    const rest = buffer.subarray(step.consumed)
    this.pending = rest.length > 0 ? [rest] : []
    this.pendingLength = rest.length
    this.needed = Math.max(1, step.needed)
    return true
  }

  finish(): CaptureFileError | null {
    if (this.error !== null) return this.error
    const error = this.endOfInput(this.pendingLength, this.consumedBefore)
    if (error !== null) this.error = error
    return this.error
  }

  /**
   * Parses as many whole units as `buffer` holds, starting at file offset `fileOffset`.
   * Throws a CaptureFileError for bad input (the packets handed to `sink` before it are kept).
   */
  protected abstract parse(buffer: Uint8Array, fileOffset: number, sink: PacketRecordSink): ParseStep

  /** The error for input that ends with `leftover` unparsed bytes at `fileOffset`, or null if that is fine. */
  protected abstract endOfInput(leftover: number, fileOffset: number): CaptureFileError | null
}

/** A copy of part of a buffer, so a packet never keeps a whole read chunk alive. */
export function copyBytes(buffer: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start)
  copy.set(buffer.subarray(start, end))
  return copy
}
