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
import type { ColumnPacketRecord } from './packet-filter-columns'
import { elementAt } from '../../../../shared/element-at'

/** What the column pass decided about a packet of the slice. */
const VERDICT = { NO_MATCH: 0, MATCH: 1, UNDECIDED: 2 } as const

/** Which stored packets pass the display filter. */
export class DisplayFilter {
  private matched = new Uint32Array(1024)
  matchedCount = 0
  /** Packets tested so far, from the first. */
  private scanned = 0
  scanning = false
  private cancelled = false
  /** The column record {@link offerStored} reads, and the capture it reads. */
  private columns: ColumnPacketRecord | null = null
  private columnsOf: ShownCapture | null = null

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

  /**
   * Tests a packet just stored from a file, on the capture's filter columns first; `decoded`
   * (the packet as ShownCapture.filterRecord gives it) is asked for only when they cannot tell.
   */
  offerStored(index: number, capture: ShownCapture, decoded: () => PacketSummary): void {
    if (this.scanning || index !== this.scanned) return
    if (this.columns === null || this.columnsOf !== capture) {
      this.columns = capture.filterView()
      this.columnsOf = capture
    }
    const record = this.columns.moveTo(index)
    const matches = this.query.matches(record)
    if (record.needsDecode ? this.query.matches(decoded()) : matches) this.keep(index)
    this.scanned = index + 1
  }

  private test(index: number, record: PacketSummary): void {
    if (this.query.matches(record)) this.keep(index)
  }

  private keep(index: number): void {
    if (this.matchedCount === this.matched.length) this.matched = grown(this.matched, this.matchedCount + 1)
    this.matched[this.matchedCount++] = index
  }

  /**
   * Tests every stored packet not tested yet, yielding to the event loop between slices. Each
   * packet is tested on the capture's filter columns first; only those whose test needed a field
   * the columns lack are read back and decoded.
   */
  async scan(capture: ShownCapture, onProgress: () => void): Promise<void> {
    this.scanning = true
    const record = capture.filterView()
    const verdicts = new Uint8Array(PACKETS_PER_SLICE)
    try {
      while (!this.cancelled && this.scanned < capture.store.count) {
        const start = this.scanned
        const end = Math.min(capture.store.count, start + PACKETS_PER_SLICE)
        const undecided: number[] = []
        for (let index = start; index < end; index++) {
          const matches = this.query.matches(record.moveTo(index))
          if (record.needsDecode) undecided.push(index)
          verdicts[index - start] = record.needsDecode ? VERDICT.UNDECIDED : matches ? VERDICT.MATCH : VERDICT.NO_MATCH
        }
        if (undecided.length > 0) {
          const packets = await capture.store.packetsAt(undecided)
          if (this.cancelled) return
          undecided.forEach((index, position) => {
            const packet = elementAt(packets, position)
            const summary = capture.filterRecord(index, summarizePacket(packet, capture.linkTypeOf(packet)))
            verdicts[index - start] = this.query.matches(summary) ? VERDICT.MATCH : VERDICT.NO_MATCH
          })
        }
        for (let index = start; index < end; index++) if (verdicts[index - start] === VERDICT.MATCH) this.keep(index)
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
