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

  /**
   * `sharedBytes`: each packet's data is a view into the bytes fed, not a copy. For a reader that
   * is done with every packet before the next chunk comes (a summary, an import that stores the
   * bytes elsewhere), which then skips a copy per packet; a packet kept longer would hold its
   * whole chunk alive.
   */
  constructor(private readonly sharedBytes = false) {}

  /** The bytes of a packet from `start` to `end` of a buffer being parsed: a copy, or a view with `sharedBytes`. */
  protected packetBytes(buffer: Uint8Array, start: number, end: number): Uint8Array {
    return this.sharedBytes ? buffer.subarray(start, end) : copyBytes(buffer, start, end)
  }

  get offset(): number {
    return this.consumedBefore
  }

  feed(chunk: Uint8Array, packets: RawPacket[]): CaptureFileError | null {
    if (this.error !== null || chunk.length === 0) return this.error
    this.pending.push(chunk)
    this.pendingLength += chunk.length
    if (this.pendingLength < this.needed) return null
    const buffer = this.pending.length === 1 ? elementAt(this.pending, 0) : concatenateBytes(this.pending)
    let step: ParseStep
    try {
      step = this.parse(buffer, this.consumedBefore, packets)
    } catch (error) {
      if (!(error instanceof CaptureFileError)) throw error
      this.error = error
      this.pending = []
      this.pendingLength = 0
      return error
    }
    this.consumedBefore += step.consumed
    const rest = buffer.subarray(step.consumed)
    this.pending = rest.length > 0 ? [rest] : []
    this.pendingLength = rest.length
    this.needed = Math.max(1, step.needed)
    return null
  }

  finish(): CaptureFileError | null {
    if (this.error !== null) return this.error
    const error = this.endOfInput(this.pendingLength, this.consumedBefore)
    if (error !== null) this.error = error
    return this.error
  }

  /**
   * Parses as many whole units as `buffer` holds, starting at file offset `fileOffset`.
   * Throws a CaptureFileError for bad input (the packets pushed before it are kept).
   */
  protected abstract parse(buffer: Uint8Array, fileOffset: number, packets: RawPacket[]): ParseStep

  /** The error for input that ends with `leftover` unparsed bytes at `fileOffset`, or null if that is fine. */
  protected abstract endOfInput(leftover: number, fileOffset: number): CaptureFileError | null
}

/** A copy of part of a buffer, so a packet never keeps a whole read chunk alive. */
export function copyBytes(buffer: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start)
  copy.set(buffer.subarray(start, end))
  return copy
}
