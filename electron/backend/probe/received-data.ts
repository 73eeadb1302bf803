/**
 * Describes bytes a probe received, kept within its read limit, as hex and as text.
 */
import type { ReceivedData } from '../../../shared/model/probe'
import { hexText } from '../../../shared/bytes'

/**
 * Collects chunks up to a byte limit while still counting everything that arrived,
 * so a report can say "truncated" honestly.
 */
export class BoundedCollector {
  private readonly chunks: Buffer[] = []
  private kept = 0
  private seen = 0

  constructor(private readonly limitBytes: number) {}

  /** Add a chunk; keeps only what fits under the limit. */
  add(chunk: Buffer): void {
    this.seen += chunk.length
    const room = this.limitBytes - this.kept
    if (room <= 0) return
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk
    this.chunks.push(part)
    this.kept += part.length
  }

  /** True once the limit is reached. */
  get full(): boolean {
    return this.kept >= this.limitBytes
  }

  /** Bytes seen so far, kept or not. */
  get totalBytes(): number {
    return this.seen
  }

  /** The kept bytes, described. */
  describe(): ReceivedData {
    return describeBytes(Buffer.concat(this.chunks, this.kept), this.seen > this.kept)
  }
}

/** Describe bytes as hex and as UTF-8 text. */
function describeBytes(bytes: Uint8Array, truncated: boolean): ReceivedData {
  return {
    byteLength: bytes.length,
    hex: hexText(bytes),
    text: new TextDecoder('utf-8', { fatal: false }).decode(bytes),
    truncated
  }
}
