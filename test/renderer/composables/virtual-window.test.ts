/**
 * The virtual window's math: which rows are rendered for a scroll offset (overscan included),
 * where each row sits, the scroll offset that brings a row into view, the proportional mapping
 * past the browser's scroll height, and the rows navigation keys move to.
 */
import { describe, expect, it } from 'vitest'
import { navigationTarget, rowOffset, scrollTopToShow, windowRange, type WindowGeometry } from '../../../renderer/src/composables/virtual-window'

/** 20 px rows in a 200 px view: ten rows in view, two more rendered either side. */
function geometry(count: number, scrollTop = 0, overrides: Partial<WindowGeometry> = {}): WindowGeometry {
  return { count, rowHeight: 20, viewportHeight: 200, scrollTop, overscan: 2, maxScrollHeight: 1_000_000, ...overrides }
}

describe('windowRange', () => {
  it('renders nothing for an empty list', () => {
    expect(windowRange(geometry(0))).toEqual({ first: 0, last: 0, exactFirst: 0, spacerHeight: 0 })
    expect(windowRange(geometry(0, 500))).toEqual({ first: 0, last: 0, exactFirst: 0, spacerHeight: 0 })
  })

  it('renders a short list whole, however it is scrolled', () => {
    expect(windowRange(geometry(7))).toMatchObject({ first: 0, last: 7, spacerHeight: 140 })
    expect(windowRange(geometry(7, 60))).toMatchObject({ first: 0, last: 7, exactFirst: 0 })
  })

  it('renders the rows in view plus the overscan at the top of a long list', () => {
    expect(windowRange(geometry(1000))).toEqual({ first: 0, last: 12, exactFirst: 0, spacerHeight: 20_000 })
  })

  it('keeps the overscan either side in the middle, and one more row while a row is cut at the edge', () => {
    expect(windowRange(geometry(1000, 2000))).toMatchObject({ first: 98, last: 112, exactFirst: 100 })
    expect(windowRange(geometry(1000, 2010))).toMatchObject({ first: 98, last: 113, exactFirst: 100.5 })
  })

  it('ends at the last row when scrolled to the end, or past it', () => {
    const end = 1000 * 20 - 200
    expect(windowRange(geometry(1000, end))).toMatchObject({ first: 988, last: 1000, exactFirst: 990 })
    // A list that just got shorter can leave the scroll offset beyond its end for a moment.
    expect(windowRange(geometry(1000, end + 5000))).toMatchObject({ first: 988, last: 1000, exactFirst: 990 })
  })

  it('maps the scroll bar proportionally once the list is taller than the cap', () => {
    const tall = geometry(1_000_000, 0, { maxScrollHeight: 100_000 })
    expect(windowRange(tall)).toMatchObject({ first: 0, last: 12, spacerHeight: 100_000 })
    const middle = windowRange({ ...tall, scrollTop: (100_000 - 200) / 2 })
    expect(middle.exactFirst).toBeCloseTo((1_000_000 - 10) / 2, 6)
    expect(middle.last - middle.first).toBeLessThanOrEqual(15)
    expect(windowRange({ ...tall, scrollTop: 100_000 - 200 })).toMatchObject({ first: 999_988, last: 1_000_000, exactFirst: 999_990 })
  })

  it('caps the spacer at the limit, and maps a list one row over it proportionally', () => {
    const atCap = geometry(5000, 20_000, { maxScrollHeight: 100_000 })
    expect(windowRange(atCap)).toMatchObject({ spacerHeight: 100_000, exactFirst: 1000 })
    expect(windowRange({ ...atCap, count: 5001 }).spacerHeight).toBe(100_000)
    expect(windowRange({ ...atCap, count: 5001 }).exactFirst).not.toBe(1000)
  })
})

describe('rowOffset', () => {
  it('puts row n at n row heights below the top while the list fits the cap', () => {
    expect(rowOffset(geometry(1000, 2010), 0)).toBe(0)
    expect(rowOffset(geometry(1000, 2010), 101)).toBe(2020)
  })

  it('lines the rows in view up with the viewport when mapped proportionally', () => {
    const tall = geometry(1_000_000, 0, { maxScrollHeight: 100_000 })
    const scrollTop = 50_000
    const range = windowRange({ ...tall, scrollTop })
    // The row at the top edge sits at the scroll offset; the next one a row height lower.
    expect(rowOffset({ ...tall, scrollTop }, range.exactFirst)).toBeCloseTo(scrollTop, 6)
    expect(rowOffset({ ...tall, scrollTop }, range.exactFirst + 1)).toBeCloseTo(scrollTop + 20, 6)
    expect(rowOffset({ ...tall, scrollTop: 100_000 - 200 }, 999_999)).toBeCloseTo(100_000 - 20, 6)
  })
})

describe('scrollTopToShow', () => {
  it('leaves a row that is fully in view where it is', () => {
    expect(scrollTopToShow(geometry(1000, 2000), 100)).toBeNull()
    expect(scrollTopToShow(geometry(1000, 2000), 109)).toBeNull()
  })

  it('scrolls up to a row above, and down just enough for a row below', () => {
    expect(scrollTopToShow(geometry(1000, 2000), 99)).toBe(1980)
    expect(scrollTopToShow(geometry(1000, 2000), 110)).toBe(2020)
    expect(scrollTopToShow(geometry(1000, 2000), 0)).toBe(0)
  })

  it('brings a half-cut row at the bottom fully into view', () => {
    expect(scrollTopToShow(geometry(1000, 2010), 110)).toBe(2020)
    expect(scrollTopToShow(geometry(1000, 2010), 100)).toBe(2000)
  })

  it('scrolls to the end for the last row, and never beyond it', () => {
    expect(scrollTopToShow(geometry(1000), 999)).toBe(1000 * 20 - 200)
    expect(scrollTopToShow(geometry(1000), 5000)).toBe(1000 * 20 - 200)
  })

  it('does nothing for an empty list or one that fits', () => {
    expect(scrollTopToShow(geometry(0), 0)).toBeNull()
    expect(scrollTopToShow(geometry(10), 9)).toBeNull()
  })

  it('scrolls proportionally past the cap, landing with the row in view', () => {
    const tall = geometry(1_000_000, 0, { maxScrollHeight: 100_000 })
    const top = scrollTopToShow(tall, 500_000)!
    expect(top).toBeGreaterThan(0)
    expect(top).toBeLessThan(100_000 - 200)
    const range = windowRange({ ...tall, scrollTop: top })
    expect(500_000).toBeGreaterThanOrEqual(range.exactFirst - 1e-6)
    expect(500_000 + 1).toBeLessThanOrEqual(range.exactFirst + 10 + 1e-6)
    expect(scrollTopToShow(tall, 999_999)).toBe(100_000 - 200)
  })
})

describe('navigationTarget', () => {
  it('moves by one, by a page, and to either end, clamped to the list', () => {
    expect(navigationTarget('ArrowDown', 5, 100, 9)).toBe(6)
    expect(navigationTarget('ArrowUp', 5, 100, 9)).toBe(4)
    expect(navigationTarget('PageDown', 5, 100, 9)).toBe(14)
    expect(navigationTarget('PageUp', 5, 100, 9)).toBe(0)
    expect(navigationTarget('PageDown', 95, 100, 9)).toBe(99)
    expect(navigationTarget('ArrowDown', 99, 100, 9)).toBe(99)
    expect(navigationTarget('ArrowUp', 0, 100, 9)).toBe(0)
    expect(navigationTarget('Home', 50, 100, 9)).toBe(0)
    expect(navigationTarget('End', 50, 100, 9)).toBe(99)
  })

  it('starts from outside the end it moves away from when nothing is selected', () => {
    expect(navigationTarget('ArrowDown', null, 100, 9)).toBe(0)
    expect(navigationTarget('ArrowUp', null, 100, 9)).toBe(99)
    expect(navigationTarget('PageDown', null, 100, 9)).toBe(8)
    expect(navigationTarget('PageUp', null, 100, 9)).toBe(91)
  })

  it('starts from a given row when nothing is selected and one is given', () => {
    expect(navigationTarget('ArrowDown', null, 100, 9, 40)).toBe(41)
    expect(navigationTarget('ArrowUp', null, 100, 9, 40)).toBe(39)
    expect(navigationTarget('ArrowDown', 10, 100, 9, 40)).toBe(11)
  })

  it('ignores other keys and an empty list', () => {
    expect(navigationTarget('Enter', 5, 100, 9)).toBeNull()
    expect(navigationTarget('a', 5, 100, 9)).toBeNull()
    expect(navigationTarget('ArrowDown', null, 0, 9)).toBeNull()
    expect(navigationTarget('End', null, 0, 9)).toBeNull()
  })
})
