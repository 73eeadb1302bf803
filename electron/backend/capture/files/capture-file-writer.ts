/**
 * Writes an encoder's output to a file with back-pressure, so a fast capture cannot pile up
 * unwritten bytes in memory.
 *
 *     const writer = await CaptureFileWriter.create(path, new PcapngEncoder({ interfaces }))
 *     for (const packet of packets) await writer.writePacket(packet)
 *     await writer.close()
 */

import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { release, type } from 'node:os'
import type { CaptureInterface, RawPacket } from '../../../../shared/model/packet'
import type { CaptureEncoder } from './capture-encoder'
import { PcapEncoder } from './pcap-writer'
import { PcapngEncoder } from './pcapng-writer'
import type { PcapPrecision } from './pcap-reader'

/** A capture file being written. */
export class CaptureFileWriter {
  /** Packets written so far. */
  packetCount = 0

  private constructor(
    private readonly stream: WriteStream,
    readonly encoder: CaptureEncoder
  ) {}

  /** Creates (or truncates) the file and writes the encoder's header. */
  static async create(path: string, encoder: CaptureEncoder): Promise<CaptureFileWriter> {
    const stream = createWriteStream(path)
    await eventOrFail(stream, 'open')
    const writer = new CaptureFileWriter(stream, encoder)
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

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.stream.closed) return
    this.stream.end()
    await once(this.stream, 'close')
  }

  private async write(bytes: Uint8Array): Promise<void> {
    if (this.stream.errored) throw this.stream.errored
    if (!this.stream.write(bytes)) await eventOrFail(this.stream, 'drain')
  }
}

/** Waits for `event`, or rejects on the stream's error; either way no listener is left behind. */
function eventOrFail(stream: WriteStream, event: 'open' | 'drain'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      stream.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      stream.off(event, onEvent)
      reject(error)
    }
    stream.once(event, onEvent)
    stream.once('error', onError)
  })
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
