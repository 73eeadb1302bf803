/**
 * The live table's row order, kept up to date by each tick instead of sorted again.
 *
 * A tick of a busy machine adds or changes a few rows among 30k; sorting everything again for
 * them took longer than a frame. The order here takes the rows a tick touched out and puts them
 * back where a binary search says they go, and keeps the ids in id order too, so that a new sort
 * (a click on a column) starts from rows already in id order, the order ties keep.
 */
import type { SocketEntry } from '../../shared/model/socket'
import { socketComparator, sortedBySocketFieldInIdOrder, type SocketFieldKey } from '../../shared/socket-field-table'

/** Past this share of the rows touched at once, one full sort is cheaper than placing each. */
const FULL_SORT_SHARE = 1 / 8

/** The rows the order is kept for: a socket per id. */
export interface SocketsById {
  get(id: string): { readonly socket: SocketEntry } | undefined
  keys(): IterableIterator<string>
  readonly size: number
}

/** Ids of the table in the chosen order, updated from what each tick touched. */
export class SocketOrder {
  /** Every id of the table, ascending: the order ties keep, which a new sort starts from. */
  private idOrder: string[] = []
  private sorted: string[] = []
  private sortKey: SocketFieldKey | null = null
  private descending = false
  /** Ids that came or went since the order was last brought up to date. */
  private readonly comeOrGone = new Set<string>()
  /** Ids whose sort value may have changed since then. */
  private readonly moved = new Set<string>()
  private rebuild = true

  /** Forget everything: the next `ids` sorts the whole table (a new snapshot). */
  reset(): void {
    this.rebuild = true
    this.comeOrGone.clear()
    this.moved.clear()
  }

  /** A row was added to the table or deleted from it. */
  comeOrWent(id: string): void {
    if (!this.rebuild) this.comeOrGone.add(id)
  }

  /** A row's socket changed, so its place may have. */
  changed(id: string): void {
    if (!this.rebuild) this.moved.add(id)
  }

  /** The ids of `rows` in the order of `key`, ties (and blanks, last) as `socketComparator` orders them. */
  ids(rows: SocketsById, key: SocketFieldKey, descending: boolean): readonly string[] {
    const limit = rows.size * FULL_SORT_SHARE
    if (this.rebuild || this.comeOrGone.size > limit) {
      this.idOrder = [...rows.keys()].sort()
      this.rebuild = true
    } else if (this.comeOrGone.size > 0) {
      this.idOrder = withPlaced(this.idOrder, this.comeOrGone, rows, compareIds)
    }
    for (const id of this.comeOrGone) this.moved.add(id)
    const sameSort = key === this.sortKey && descending === this.descending
    if (this.rebuild || !sameSort || this.moved.size > limit) this.sortAll(rows, key, descending)
    else if (this.moved.size > 0) this.sorted = withPlaced(this.sorted, this.moved, rows, placeComparator(rows, key, descending))
    this.rebuild = false
    this.comeOrGone.clear()
    this.moved.clear()
    return this.sorted
  }

  private sortAll(rows: SocketsById, key: SocketFieldKey, descending: boolean): void {
    const socketOf = (id: string) => (rows.get(id) as { readonly socket: SocketEntry }).socket
    this.sorted = sortedBySocketFieldInIdOrder(this.idOrder, socketOf, key, descending)
    this.sortKey = key
    this.descending = descending
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `order` without the ids of `touched`, and with those of them still in `rows` put in place. */
function withPlaced(order: readonly string[], touched: ReadonlySet<string>, rows: SocketsById, compare: (a: string, b: string) => number): string[] {
  const present = [...touched].filter((id) => rows.get(id) !== undefined).sort(compare)
  return insertSorted(
    order.filter((id) => !touched.has(id)),
    present,
    compare
  )
}

/**
 * The order of `socketComparator` over ids. The full sort ranks every value as text once one is;
 * no field mixes text and numbers, so the two agree.
 */
function placeComparator(rows: SocketsById, key: SocketFieldKey, descending: boolean): (a: string, b: string) => number {
  const compare = socketComparator(key, descending)
  const socketOf = (id: string) => (rows.get(id) as { readonly socket: SocketEntry }).socket
  return (a, b) => compare(socketOf(a), socketOf(b))
}

/** `sorted` with `additions` (themselves in order) put in place, each after any equal item. */
export function insertSorted<T>(sorted: readonly T[], additions: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (additions.length === 0) return [...sorted]
  const merged: T[] = []
  let from = 0
  for (const addition of additions) {
    let low = from
    let high = sorted.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compare(sorted[middle] as T, addition) <= 0) low = middle + 1
      else high = middle
    }
    for (let index = from; index < low; index++) merged.push(sorted[index] as T)
    merged.push(addition)
    from = low
  }
  for (let index = from; index < sorted.length; index++) merged.push(sorted[index] as T)
  return merged
}
