/**
 * The display filter, run in the backend over every stored packet: the indexes that pass, found
 * by decoding the stored packets in slices that leave the event loop free, then kept up to date
 * as new packets arrive.
 */
import type { PacketSummary } from '../../../../shared/model/decoded-packet'
import type { CompiledQuery } from '../../../../shared/query/query-compiler'
import { summarizePacket } from '../decode/packet-decoder'
import { grown } from '../typed-array-growth'
import { PACKETS_PER_SLICE } from './packet-store'
import type { ShownCapture } from './shown-capture'
import { elementAt } from '../../../../shared/element-at'

/** Which stored packets pass the display filter. */
export class DisplayFilter {
  private matched = new Uint32Array(1024)
  matchedCount = 0
  /** Packets tested so far, from the first. */
  private scanned = 0
  scanning = false
  private cancelled = false

  constructor(
    readonly text: string,
    private readonly query: CompiledQuery<PacketSummary>
  ) {}

  /** False for a filter that lets everything through, which needs no scan. */
  get active(): boolean {
    return !this.query.matchesEverything
  }

  /** The indexes of the matching packets, in capture order. */
  matchedIndexes(): Uint32Array {
    return this.matched.subarray(0, this.matchedCount)
  }

  /** The list position of the packet at `index`, or -1 when the filter leaves it out. */
  positionOf(index: number): number {
    const matched = this.matchedIndexes()
    let low = 0
    let high = matched.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (elementAt(matched, middle) === index) return middle
      if (elementAt(matched, middle) < index) low = middle + 1
      else high = middle - 1
    }
    return -1
  }

  /** Tests a packet that just arrived (already as ShownCapture.filterRecord gives it), unless a scan is still on its way to it. */
  offer(index: number, record: PacketSummary): void {
    if (this.scanning || index !== this.scanned) return
    this.test(index, record)
    this.scanned = index + 1
  }

  private test(index: number, record: PacketSummary): void {
    if (!this.query.matches(record)) return
    if (this.matchedCount === this.matched.length) this.matched = grown(this.matched, this.matchedCount + 1)
    this.matched[this.matchedCount++] = index
  }

  /** Tests every stored packet not tested yet, yielding to the event loop between slices. */
  async scan(capture: ShownCapture, onProgress: () => void): Promise<void> {
    this.scanning = true
    try {
      while (!this.cancelled && this.scanned < capture.store.count) {
        const end = Math.min(capture.store.count, this.scanned + PACKETS_PER_SLICE)
        const packets = await capture.store.packetRange(this.scanned, end)
        if (this.cancelled) return
        for (let offset = 0; offset < packets.length; offset++) {
          const packet = elementAt(packets, offset)
          const index = this.scanned + offset
          this.test(index, capture.filterRecord(index, summarizePacket(packet, capture.linkTypeOf(packet))))
        }
        this.scanned = end
        onProgress()
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    } finally {
      this.scanning = false
    }
  }

  /** Stops a scan under way; the filter is being replaced. */
  cancel(): void {
    this.cancelled = true
  }
}
