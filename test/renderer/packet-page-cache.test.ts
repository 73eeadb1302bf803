/**
 * The packet list's page cache: which pages a range still needs, eviction of the pages farthest
 * from the one just read, and pages read while the list was shorter being read again.
 */
import { describe, expect, it } from 'vitest'
import type { PacketListRow } from '../../shared/model/capture-view'
import { PacketPageCache } from '../../renderer/src/packet-page-cache'

/** Rows `first` to `first + count - 1`, each carrying its index. */
function rows(first: number, count: number): PacketListRow[] {
  return Array.from({ length: count }, (_, offset) => ({ index: first + offset }) as PacketListRow)
}

/** A cache of 10-row pages holding at most 4 of them, with `pages` stored full. */
function cacheWith(...pages: number[]): PacketPageCache {
  const cache = new PacketPageCache(10, 4)
  for (const page of pages) cache.store(page, rows(page * 10, 10))
  return cache
}

describe('PacketPageCache', () => {
  it('finds a row by its list position, and nothing where no page is held', () => {
    const cache = cacheWith(0, 2)
    expect(cache.rowAt(0)?.index).toBe(0)
    expect(cache.rowAt(9)?.index).toBe(9)
    expect(cache.rowAt(25)?.index).toBe(25)
    expect(cache.rowAt(10)).toBeNull()
    expect(cache.rowAt(30)).toBeNull()
  })

  it('asks for the pages a range covers that are neither held nor on their way, up to the end of the list', () => {
    const cache = cacheWith(1)
    cache.request(3)
    expect(cache.missing(0, 50, 1000)).toEqual([0, 2, 4])
    expect(cache.missing(5, 10, 1000)).toEqual([0])
    expect(cache.missing(5, 11, 1000)).toEqual([0])
    expect(cache.missing(0, 50, 21)).toEqual([0, 2])
    expect(cache.missing(0, 50, 20)).toEqual([0])
    expect(cache.missing(10, 10, 1000)).toEqual([])
    expect(cache.missing(0, 50, 0)).toEqual([])
    cache.settle(3)
    expect(cache.missing(30, 40, 1000)).toEqual([3])
  })

  it('keeps at most its limit of pages, dropping the ones farthest from the page just read', () => {
    const cache = cacheWith(0, 1, 2, 3)
    expect(cache.pageNumbers.sort((a, b) => a - b)).toEqual([0, 1, 2, 3])
    cache.store(4, rows(40, 10))
    expect(cache.pageNumbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4])
    cache.store(0, rows(0, 10))
    expect(cache.pageNumbers.sort((a, b) => a - b)).toEqual([0, 1, 2, 3])
    cache.store(9, rows(90, 10))
    expect(cache.pageNumbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 9])
    expect(cache.rowCount).toBe(40)
  })

  it('drops a short last page once the list has grown past it, and keeps it while it has not', () => {
    const cache = cacheWith(0)
    cache.store(1, rows(10, 4))
    expect(cache.dropPartial(14)).toBe(false)
    expect(cache.rowAt(13)?.index).toBe(13)
    expect(cache.dropPartial(15)).toBe(true)
    expect(cache.rowAt(13)).toBeNull()
    expect(cache.rowAt(9)?.index).toBe(9)
    expect(cache.missing(0, 20, 15)).toEqual([1])
  })

  it('forgets every page and every request on clear', () => {
    const cache = cacheWith(0, 1)
    cache.request(2)
    cache.clear()
    expect(cache.rowCount).toBe(0)
    expect(cache.missing(0, 30, 1000)).toEqual([0, 1, 2])
  })
})
