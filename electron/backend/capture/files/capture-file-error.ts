/**
 * Errors of the capture file readers and writers.
 */

/**
 * A capture file that cannot be read past some point: empty, not a capture file, truncated, or
 * with a block or record whose lengths do not add up. The message names the byte offset; the
 * packets before it were read and are kept by the reader.
 */
export class CaptureFileError extends Error {
  /** Byte offset in the file of the block or record that could not be read. */
  readonly offset: number

  constructor(message: string, offset: number) {
    super(`${message} at byte offset ${offset}`)
    this.name = 'CaptureFileError'
    this.offset = offset
  }
}

/** A writer asked to do something its format cannot hold (e.g. two link types in one pcap file). */
export class CaptureWriteError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CaptureWriteError'
  }
}
