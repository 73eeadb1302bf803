/**
 * Importing a pcap or pcapng file the renderer sends in chunks: each chunk is parsed as it
 * comes, and each packet is decoded once and stored in a new shown capture. A damaged file keeps
 * the packets before the damage and says at which byte offset it stopped.
 *
 * The client says how big the file is before sending it: a size over MAX_IMPORT_BYTES is refused
 * before anything is stored, and a client that sends more than it said is stopped there.
 */
import { randomUUID } from 'node:crypto'
import { MAX_IMPORT_BYTES } from '../../../../shared/contract/capture'
import type { ImportProgress } from '../../../../shared/model/capture-transfer'
import { RequestError } from '../../../../shared/contract/envelope'
import { errorMessage } from '../../../../shared/error-message'
import { formatBytes } from '../../../../shared/format/number-text'
import { readRecordHeaders } from '../decode/packet-decoder'
import { PacketHeaders } from '../decode/header-scan'
import { DetectingStreamParser } from '../files/capture-stream-parser'
import type { PacketRecordSink } from '../files/chunk-parser'
import { ShownCapture } from '../store/shown-capture'

/**
 * Stores a packet of the import where the shown capture keeps it: its headers read (see
 * readRecordHeaders), its bytes still in the chunk's `buffer` from `start`, good only during the call.
 */
export type ImportedPacketSink = (buffer: Uint8Array, start: number, headers: PacketHeaders) => void

/** A chunk that takes the import past the size its client declared: the import is over. */
export class ImportOverrunError extends RequestError {
  constructor(message: string) {
    super('invalid-arguments', message)
    this.name = 'ImportOverrunError'
  }
}

/** One import under way. Start one with {@link CaptureImport.begin}. */
export class CaptureImport {
  readonly id = randomUUID()
  private received = 0
  private packetCount = 0
  /** The record each packet's headers are read into. */
  private readonly headers = new PacketHeaders()

  private constructor(
    readonly capture: ShownCapture,
    private readonly parser: DetectingStreamParser,
    /** The file size the client declared: no more bytes than this are taken. */
    readonly declaredSize: number
  ) {}

  /**
   * Opens an empty shown capture named after the file, its bytes in a file in `directory` (asked
   * for only once the size is accepted): a declared size over the maximum is refused first.
   */
  static async begin(fileName: string, declaredSize: number, directory: () => Promise<string>): Promise<CaptureImport> {
    if (declaredSize > MAX_IMPORT_BYTES) {
      throw new RequestError(
        'invalid-arguments',
        `${fileName} is ${formatBytes(declaredSize)} (${declaredSize} bytes); files of at most ${formatBytes(MAX_IMPORT_BYTES)} (${MAX_IMPORT_BYTES} bytes) can be opened`
      )
    }
    const parser = new DetectingStreamParser()
    // The parser learns the interfaces as it reads, so the capture asks it every time.
    const capture = await ShownCapture.create('file', fileName, await directory(), () => parser.interfaces)
    return new CaptureImport(capture, parser, declaredSize)
  }

  /** Where the import stands. */
  progress(): ImportProgress {
    return { importId: this.id, packets: this.packetCount, bytesRead: this.received, error: this.capture.error }
  }

  /**
   * Parses the next chunk (base64), which must start where the previous one ended. A chunk that
   * goes past the declared size throws an ImportOverrunError before any of it is read.
   */
  chunk(offset: number, data: string, store: ImportedPacketSink): ImportProgress {
    if (offset !== this.received) throw new RequestError('invalid-arguments', `expected the bytes at offset ${this.received}, got ${offset}`)
    const bytes = Buffer.from(data, 'base64')
    if (this.received + bytes.length > this.declaredSize) {
      throw new ImportOverrunError(
        `the file sent more than the ${this.declaredSize} bytes it declared (${this.received + bytes.length} so far); the import was stopped and nothing of it was kept`
      )
    }
    if (this.capture.error === null) {
      let error: string | null
      try {
        error = this.parser.feedRecords(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), this.recordSink(store))?.message ?? null
      } catch (thrown) {
        error = this.capture.error ?? `unreadable capture data (${errorMessage(thrown)}) at byte offset ${this.parser.offset}`
      }
      if (error !== null) this.capture.error = error
    }
    this.received += bytes.length
    return this.progress()
  }

  /** Checks that the file did not end in the middle of a record, and marks the capture as read. */
  end(): ImportProgress {
    if (this.capture.error === null) {
      const error = this.parser.finish()
      if (error !== null) this.capture.error = error.message
    }
    this.capture.state = 'imported'
    return this.progress()
  }

  /** Reads each packet's headers where it sits in the chunk and stores it; a packet that cannot be stored ends the import. */
  private recordSink(store: ImportedPacketSink): PacketRecordSink {
    const headers = this.headers
    const capture = this.capture
    return {
      record: (buffer, start, capturedLength, originalLength, interfaceIndex, seconds, nanos, comment) => {
        headers.begin(interfaceIndex, seconds, nanos, originalLength, capturedLength, comment ?? null)
        readRecordHeaders(headers, buffer, start, capturedLength, capture.interfaces[interfaceIndex]?.linkType ?? -1)
        try {
          store(buffer, start, headers)
        } catch (error) {
          capture.error = `packets after ${this.packetCount} could not be stored: ${errorMessage(error)}`
          throw error
        }
        this.packetCount++
      }
    }
  }
}
