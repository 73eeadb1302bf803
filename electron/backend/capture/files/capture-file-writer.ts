/**
 * Writes an encoder's output to a file with back-pressure, so a fast capture cannot pile up
 * unwritten bytes in memory.
 *
 *     const writer = await CaptureFileWriter.create(path, new PcapngEncoder({ interfaces }))
 *     for (const packet of packets) await writer.writePacket(packet)
 *     await writer.close()
 */

import type { WriteStream } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { once } from 'node:events'
import { release, type } from 'node:os'
import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import type { CaptureEncoder } from './capture-encoder'
import { PcapEncoder } from './pcap-writer'
import { PcapngEncoder } from './pcapng-writer'
import type { PcapPrecision } from './pcap-reader'
import { openForWriting } from '../../storage/safe-open'

/** Opens the file a writer writes to. */
export type CaptureFileOpener = (path: string) => Promise<FileHandle>

/** A file the user named: never written through a link, created 0600, an existing one emptied. */
const openOutputFile: CaptureFileOpener = (path) => openForWriting(path)

/** A capture file being written. */
export class CaptureFileWriter {
  /** Packets written so far. */
  packetCount = 0
  /** The stream's first error; every later write and the close report it. */
  private failure: Error | null = null
  /** Waits under way for 'drain', each rejected when the stream fails. */
  private readonly waiting = new Set<(error: Error) => void>()

  private constructor(
    private readonly stream: WriteStream,
    readonly encoder: CaptureEncoder
  ) {
    // One 'error' listener for the writer's whole life rather than one per wait: a busy spill file
    // waits for 'drain' thousands of times, and an error while nobody waits (a full disk after a
    // write the stream had accepted) must reach the next write instead of crashing the process.
    stream.on('error', (error) => {
      this.failure ??= error
      for (const fail of this.waiting) fail(error)
      this.waiting.clear()
    })
  }

  /**
   * Opens the file with `openFile` (by default: created 0600 or emptied, a link at `path`
   * refused) and writes the encoder's header.
   */
  static async create(path: string, encoder: CaptureEncoder, openFile: CaptureFileOpener = openOutputFile): Promise<CaptureFileWriter> {
    const writer = new CaptureFileWriter((await openFile(path)).createWriteStream(), encoder)
    await writer.write(encoder.start())
    return writer
  }

  /** Declares another interface (see CaptureEncoder.addInterface) and returns its index. */
  async addInterface(captureInterface: CaptureInterface): Promise<number> {
    const bytes = this.encoder.addInterface(captureInterface)
    if (bytes.length > 0) await this.write(bytes)
    return this.encoder.interfaces.length - 1
  }

  /** Appends a packet; waits when the disk is behind. */
  async writePacket(packet: RawPacket): Promise<void> {
    await this.write(this.encoder.encodePacket(packet))
    this.packetCount += 1
  }

  /** Flushes and closes the file; rejects when any of it could not be written. */
  async close(): Promise<void> {
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close')
      this.stream.end()
      await closed
    }
    if (this.failure) throw this.failure
  }

  private async write(bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure
    if (!this.stream.write(bytes)) await this.waitFor('drain')
  }

  /** Waits for `event`, or rejects on the stream's error; the event listener goes either way. */
  private waitFor(event: 'drain'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        this.waiting.delete(onFailure)
        resolve()
      }
      const onFailure = (error: Error) => {
        this.stream.off(event, onEvent)
        reject(error)
      }
      this.waiting.add(onFailure)
      this.stream.once(event, onEvent)
    })
  }
}

/** Options of {@link createCaptureEncoder}. */
export interface CaptureEncoderChoice {
  readonly format: 'pcap' | 'pcapng'
  readonly interfaces: readonly CaptureInterface[]
  /** pcap only. */
  readonly precision?: PcapPrecision
}

/**
 * The encoder for a format, with this machine's OS in the pcapng section header.
 * Throws CaptureWriteError when pcap is asked for interfaces of several link types.
 */
export function createCaptureEncoder(choice: CaptureEncoderChoice): CaptureEncoder {
  if (choice.format === 'pcap') return new PcapEncoder({ interfaces: choice.interfaces, precision: choice.precision })
  return new PcapngEncoder({ interfaces: choice.interfaces, operatingSystem: `${type()} ${release()}` })
}

/** Writes a whole capture to a file in one call. */
export async function writeCaptureFile(path: string, encoder: CaptureEncoder, packets: Iterable<RawPacket> | AsyncIterable<RawPacket>): Promise<number> {
  const writer = await CaptureFileWriter.create(path, encoder)
  try {
    for await (const packet of packets) await writer.writePacket(packet)
  } finally {
    await writer.close()
  }
  return writer.packetCount
}
