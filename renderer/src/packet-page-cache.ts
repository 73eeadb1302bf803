/**
 * The packet list's small cache of pages around what is on screen. The backend keeps every
 * packet; the renderer holds at most `maxPages` pages of rows, and drops the ones farthest from
 * where the user is reading first. Plain data, outside Vue's reactivity: a store counts its
 * changes for the list to look again.
 */
import type { PacketListRow } from '../../shared/model/capture-view'

/** Pages of packet-list rows by page number, with the pages on their way. */
export class PacketPageCache {
  private readonly pages = new Map<number, readonly PacketListRow[]>()
  private readonly inFlight = new Set<number>()

  constructor(
    readonly pageSize: number,
    readonly maxPages: number
  ) {}

  /** The row at a list position, or null while its page is not here. */
  rowAt(position: number): PacketListRow | null {
    return this.pages.get(Math.floor(position / this.pageSize))?.[position % this.pageSize] ?? null
  }

  /** The page that holds a list position. */
  pageOf(position: number): number {
    return Math.floor(position / this.pageSize)
  }

  /** Pages covering positions `first` to `last` (exclusive) of a list of `total` that are neither here nor asked for. */
  missing(first: number, last: number, total: number): number[] {
    if (total === 0 || last <= first) return []
    const wanted: number[] = []
    const lastPage = this.pageOf(Math.min(last, total) - 1)
    for (let page = this.pageOf(first); page <= lastPage; page++) if (!this.pages.has(page) && !this.inFlight.has(page)) wanted.push(page)
    return wanted
  }

  /** Marks a page as asked for, so a second range does not ask again. */
  request(page: number): void {
    this.inFlight.add(page)
  }

  /** The answer for a page came (or failed). */
  settle(page: number): void {
    this.inFlight.delete(page)
  }

  /** Keeps a page's rows; past `maxPages` the pages farthest from this one go. */
  store(page: number, rows: readonly PacketListRow[]): void {
    this.pages.set(page, rows)
    if (this.pages.size <= this.maxPages) return
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page))
    for (const far of byDistance.slice(0, this.pages.size - this.maxPages)) this.pages.delete(far)
  }

  /**
   * Drops pages that were read while the list was shorter and now have more rows to show; true
   * when any went.
   */
  dropPartial(total: number): boolean {
    let dropped = false
    for (const [page, rows] of this.pages) {
      if (rows.length < this.pageSize && page * this.pageSize + rows.length < total) {
        this.pages.delete(page)
        dropped = true
      }
    }
    return dropped
  }

  /** Forgets every page, and every answer still on its way. */
  clear(): void {
    this.pages.clear()
    this.inFlight.clear()
  }

  /** Rows held, for checks that the cache never holds a whole capture. */
  get rowCount(): number {
    let count = 0
    for (const rows of this.pages.values()) count += rows.length
    return count
  }

  /** The page numbers held, in no order. */
  get pageNumbers(): number[] {
    return [...this.pages.keys()]
  }
}
