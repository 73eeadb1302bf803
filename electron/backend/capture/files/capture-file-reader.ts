/**
 * Reads pcap and pcapng files from disk in chunks and hands out packets in batches, so a
 * gigabyte capture never sits in memory at once.
 *
 * A damaged file is not an exception: iteration ends normally, every packet before the damage
 * has been handed out, and {@link CaptureFileReader.error} says what went wrong and at which
 * byte offset.
 *
 *     const reader = new CaptureFileReader(path)
 *     for await (const batch of reader) show(batch.packets, batch.progress)
 *     if (reader.error) report(reader.error.message)
 */

import { open, type FileHandle } from 'node:fs/promises'
import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import { CaptureFileError } from './capture-file-error'
import type { CaptureFileFormat } from './capture-format'
import { DetectingStreamParser } from './capture-stream-parser'
import type { PacketRecordSink } from './chunk-parser'
import type { PcapngSectionInfo } from './pcapng-reader'
import { PcapStreamParser } from './pcap-reader'
import { errorMessage } from '../../../../shared/error-message'

/** How far a read has come. */
export interface CaptureReadProgress {
  readonly bytesRead: number
  readonly totalBytes: number
}

/** A run of packets from the file, in file order. */
export interface CapturePacketBatch {
  readonly packets: readonly RawPacket[]
  /** 0-based number of `packets[0]` in the file. */
  readonly firstPacketNumber: number
  /** The interfaces known so far; packets' interfaceIndex points into it. */
  readonly interfaces: readonly CaptureInterface[]
  readonly progress: CaptureReadProgress
}

/** Options of a file read. */
export interface CaptureReadOptions {
  /** Packets per batch (default 10,000). A batch may be smaller, never larger. */
  readonly batchSize?: number
  /** Bytes per file read (default 1 MiB). */
  readonly chunkSize?: number
  /** Stops the read between chunks; iteration then ends with no error. */
  readonly signal?: AbortSignal
  /**
   * Packets' data are views into the chunk read, not copies: for a reader done with each batch
   * before it asks for the next (a summary), which saves a copy per packet.
   */
  readonly sharedBytes?: boolean
}

/** The whole of a small file, for tools and tests: {@link readCaptureFile}. */
export interface CaptureFileContents {
  readonly format: CaptureFileFormat | null
  readonly interfaces: readonly CaptureInterface[]
  readonly packets: readonly RawPacket[]
  readonly error: CaptureFileError | null
  readonly progress: CaptureReadProgress
}

/** One read of the file: its bytes (empty at the end), or why it failed. */
type ChunkRead = { readonly chunk: Uint8Array; readonly failure: null } | { readonly chunk: null; readonly failure: unknown }

const DEFAULT_BATCH_SIZE = 10_000
const DEFAULT_CHUNK_SIZE = 1024 * 1024

/** An incremental read of one capture file; iterate it once with `for await`. */
export class CaptureFileReader implements AsyncIterable<CapturePacketBatch> {
  /** Set when the read stopped early; the packets before it were all handed out. */
  error: CaptureFileError | null = null
  bytesRead = 0
  totalBytes = 0
  packetCount = 0

  private readonly parser: DetectingStreamParser

  constructor(
    readonly path: string,
    private readonly options: CaptureReadOptions = {}
  ) {
    this.parser = new DetectingStreamParser(options.sharedBytes === true)
  }

  /** pcap or pcapng once the first bytes are read. */
  get format(): CaptureFileFormat | null {
    return this.parser.format
  }

  /** Every interface seen so far. */
  get interfaces(): readonly CaptureInterface[] {
    return this.parser.interfaces
  }

  /** The pcapng sections read so far (empty for pcap). */
  get sections(): readonly PcapngSectionInfo[] {
    const inner = this.parser.formatParser
    return inner === null || inner instanceof PcapStreamParser ? [] : inner.sections
  }

  /** Timestamp precision of a classic pcap file; null for pcapng (see each interface instead). */
  get pcapPrecision(): 'microseconds' | 'nanoseconds' | null {
    const inner = this.parser.formatParser
    return inner instanceof PcapStreamParser ? inner.precision : null
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<CapturePacketBatch> {
    const batchSize = Math.max(1, this.options.batchSize ?? DEFAULT_BATCH_SIZE)
    let packets: RawPacket[] = []
    for await (const chunk of this.chunks()) {
      this.settle(() => (chunk === null ? this.parser.finish() : this.parser.feed(chunk, packets)))
      if (packets.length >= batchSize) {
        let start = 0
        for (; packets.length - start >= batchSize; start += batchSize) yield this.batch(packets.slice(start, start + batchSize))
        packets = packets.slice(start)
      }
    }
    for (let start = 0; start < packets.length; start += batchSize) yield this.batch(packets.slice(start, start + batchSize))
  }

  /**
   * Reads the whole file, handing each packet to `sink` where it sits in the read buffer: no
   * object per packet (see PacketRecordSink). Never rejects: a failure ends the read with
   * {@link error} set, as iteration does.
   */
  async readRecords(sink: PacketRecordSink): Promise<void> {
    for await (const chunk of this.chunks()) {
      this.settle(() => (chunk === null ? this.parser.finish() : this.parser.feedRecords(chunk, sink)))
    }
  }

  /**
   * The file's chunks in order, then null at its end; stops early on an error, an abort or a
   * failed read. The next chunk is read while the caller parses this one.
   */
  private async *chunks(): AsyncGenerator<Uint8Array | null> {
    const chunkSize = Math.max(4096, this.options.chunkSize ?? DEFAULT_CHUNK_SIZE)
    let handle: FileHandle | undefined
    try {
      handle = await open(this.path, 'r')
      this.totalBytes = (await handle.stat()).size
    } catch (error) {
      this.error = new CaptureFileError(`cannot open ${this.path}: ${errorMessage(error)}`, 0)
      await handle?.close()
      return
    }
    const file = handle
    // A new buffer each time: packets handed out as views keep pointing at their own bytes.
    const readAt = (position: number): Promise<ChunkRead> => {
      const chunk = new Uint8Array(chunkSize)
      return file.read(chunk, 0, chunkSize, position).then(
        ({ bytesRead }) => ({ chunk: chunk.subarray(0, bytesRead), failure: null }),
        (failure: unknown) => ({ chunk: null, failure })
      )
    }
    let next = readAt(0)
    try {
      for (;;) {
        const { chunk, failure } = await next
        if (chunk === null) {
          this.error = new CaptureFileError(`cannot read ${this.path}: ${errorMessage(failure)}`, this.bytesRead)
          return
        }
        if (this.options.signal?.aborted) return
        if (chunk.length === 0) {
          yield null
          return
        }
        this.bytesRead += chunk.length
        next = readAt(this.bytesRead)
        yield chunk
        if (this.error !== null) return
      }
    } finally {
      // A read still under way settles before the file closes; it never rejects (see readAt).
      await next
      await file.close()
    }
  }

  /** Runs a parser step, turning any failure into {@link error} so iteration never throws. */
  private settle(step: () => CaptureFileError | null): void {
    try {
      const error = step()
      if (error !== null) this.error = error
    } catch (error) {
      this.error = new CaptureFileError(`unreadable capture data (${errorMessage(error)})`, this.parser.offset)
    }
  }

  private batch(packets: RawPacket[]): CapturePacketBatch {
    const batch = {
      packets,
      firstPacketNumber: this.packetCount,
      interfaces: [...this.interfaces],
      progress: { bytesRead: this.bytesRead, totalBytes: this.totalBytes }
    }
    this.packetCount += packets.length
    return batch
  }
}

/**
 * Reads a whole file into memory: for small files, tools and tests. Never rejects for a bad or
 * missing file; the error comes back alongside the packets read before it.
 */
export async function readCaptureFile(path: string, options: CaptureReadOptions = {}): Promise<CaptureFileContents> {
  const reader = new CaptureFileReader(path, options)
  const packets: RawPacket[] = []
  for await (const batch of reader) {
    for (const packet of batch.packets) packets.push(packet)
  }
  return {
    format: reader.format,
    interfaces: reader.interfaces,
    packets,
    error: reader.error,
    progress: { bytesRead: reader.bytesRead, totalBytes: reader.totalBytes }
  }
}
