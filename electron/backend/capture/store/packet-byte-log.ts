/**
 * The shown capture's packet bytes: one append-only temporary file, so a million packets cost
 * disk rather than memory. The per-packet numbers live in PacketStore's columns.
 */
import { rm, type FileHandle } from 'node:fs/promises'
import { asError } from '../../../../shared/error-message'
import { createNewFile } from '../../storage/safe-open'

/**
 * Append-only bytes in a temporary file, written in large blocks. Appends are synchronous (they
 * copy into the block being filled); a packet always lies inside one block, so a read is either
 * one block still in memory or one read from the file.
 */
export class PacketByteLog {
  private length = 0
  private block: Uint8Array
  private blockBase = 0
  private blockUsed = 0
  /** Blocks handed to the file but not yet written, oldest first. */
  private readonly pending: Array<{ readonly base: number; readonly bytes: Uint8Array }> = []
  private writeChain: Promise<void> = Promise.resolve()
  private failure: Error | null = null
  private closed = false

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly blockSize: number
  ) {
    this.block = new Uint8Array(blockSize)
  }

  /** Creates the file at `path`, which must not exist yet, with mode 0600 (its bytes are captured payloads). */
  static async create(path: string, blockSize = 4 * 1024 * 1024): Promise<PacketByteLog> {
    return new PacketByteLog(await createNewFile(path, { read: true }), path, blockSize)
  }

  /** Bytes appended so far. */
  get size(): number {
    return this.length
  }

  /** Copies `length` bytes of `buffer` from `start` in, as {@link append} does. */
  appendRange(buffer: Uint8Array, start: number, length: number): number {
    return this.append(buffer.subarray(start, start + length))
  }

  /** Copies `bytes` in and returns their offset. */
  append(bytes: Uint8Array): number {
    if (this.failure) throw this.failure
    if (this.blockUsed + bytes.length > this.block.length) {
      this.flushBlock()
      if (bytes.length > this.block.length) {
        // A packet bigger than a block gets a block of its own.
        const offset = this.length
        this.queueWrite(offset, bytes.slice())
        this.length += bytes.length
        this.blockBase = this.length
        return offset
      }
    }
    const offset = this.length
    this.block.set(bytes, this.blockUsed)
    this.blockUsed += bytes.length
    this.length += bytes.length
    return offset
  }

  /** The `length` bytes at `offset`, from memory when they are not written yet. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0)
    if (offset >= this.blockBase) return this.block.slice(offset - this.blockBase, offset - this.blockBase + length)
    for (const entry of this.pending) {
      if (offset >= entry.base && offset + length <= entry.base + entry.bytes.length) {
        return entry.bytes.slice(offset - entry.base, offset - entry.base + length)
      }
    }
    const target = new Uint8Array(length)
    const { bytesRead } = await this.handle.read(target, 0, length, offset)
    if (bytesRead !== length) throw new Error(`packet store: short read at ${offset}`)
    return target
  }

  /** Reads a range that may span many packets, for sequential scans. */
  async readRange(offset: number, length: number): Promise<Uint8Array> {
    const target = new Uint8Array(length)
    let filled = 0
    // The file holds everything below the first pending block.
    const fileEnd = this.pending[0]?.base ?? this.blockBase
    if (offset < fileEnd) {
      const fromFile = Math.min(length, fileEnd - offset)
      const { bytesRead } = await this.handle.read(target, 0, fromFile, offset)
      if (bytesRead !== fromFile) throw new Error(`packet store: short read at ${offset}`)
      filled = fromFile
    }
    while (filled < length) {
      const position = offset + filled
      const source =
        position >= this.blockBase
          ? { base: this.blockBase, bytes: this.block.subarray(0, this.blockUsed) }
          : this.pending.find((entry) => position >= entry.base && position < entry.base + entry.bytes.length)
      if (!source) {
        // Written meanwhile: read the rest from the file.
        const { bytesRead } = await this.handle.read(target, filled, length - filled, position)
        filled += bytesRead
        if (bytesRead === 0) throw new Error(`packet store: short read at ${position}`)
        continue
      }
      const start = position - source.base
      const count = Math.min(length - filled, source.bytes.length - start)
      target.set(source.bytes.subarray(start, start + count), filled)
      filled += count
    }
    return target
  }

  private flushBlock(): void {
    if (this.blockUsed === 0) return
    this.queueWrite(this.blockBase, this.block.subarray(0, this.blockUsed))
    this.block = new Uint8Array(this.blockSize)
    this.blockBase = this.length
    this.blockUsed = 0
  }

  private queueWrite(base: number, bytes: Uint8Array): void {
    const entry = { base, bytes }
    this.pending.push(entry)
    this.writeChain = this.writeChain.then(async () => {
      if (this.closed) return
      try {
        let written = 0
        while (written < bytes.length) {
          const result = await this.handle.write(bytes, written, bytes.length - written, base + written)
          written += result.bytesWritten
        }
      } catch (error) {
        this.failure = asError(error)
        return
      }
      this.pending.splice(this.pending.indexOf(entry), 1)
    })
  }

  /** Closes and deletes the file. */
  async dispose(): Promise<void> {
    this.closed = true
    await this.writeChain
    await this.handle.close().catch(() => undefined)
    await rm(this.path, { force: true })
  }
}
