/**
 * The packet model shared by the capture helper's framing, the file readers and writers,
 * the decoders and the renderer.
 */

/** An interface a capture or file read packets from, as a pcapng Interface Description Block holds it. */
export interface CaptureInterface {
  readonly name: string
  /** LINKTYPE_* value (1 Ethernet, 113 Linux SLL, 276 Linux SLL2, 0 BSD loopback/null, 101 raw IP, ...). */
  readonly linkType: number
  readonly snaplen: number
  /** Timestamp resolution as a power of ten of seconds (6 = microseconds, 9 = nanoseconds). */
  readonly timestampDecimals: number
}

/** One captured frame with its bytes, exactly as it came off the wire or out of a file. */
export interface RawPacket {
  /** Index into the capture's or file's interface list. */
  readonly interfaceIndex: number
  /** Whole seconds since the epoch. */
  readonly timestampSeconds: number
  /** Nanoseconds within the second (0..999,999,999), so no precision is lost. */
  readonly timestampNanos: number
  /** Length on the wire; may exceed data.length when the snaplen truncated the frame. */
  readonly originalLength: number
  readonly data: Uint8Array
  /** Free-text comment (pcapng opt_comment), e.g. the owning process. */
  readonly comment?: string
}
