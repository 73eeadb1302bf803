/**
 * A fixed-row virtual window: of a long list, only the rows in view (plus a few either side) are
 * in the DOM. The math is plain functions, so it can be checked without a browser; the composable
 * wires it to a scrolling element and keeps its size measured.
 *
 * Very long lists would need a scroll height beyond what browsers allow (Chromium tops out near
 * 33 million pixels), so past `maxScrollHeight` the scroll bar maps proportionally onto the rows
 * instead of one pixel per pixel.
 */
import { computed, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** Scroll heights past this are mapped proportionally onto the rows. */
export const MAX_SCROLL_HEIGHT = 8_000_000

/** Where a list stands: its rows, their height and the part of it in view. */
export interface WindowGeometry {
  /** Rows in the list. */
  readonly count: number
  readonly rowHeight: number
  /** Height of the area the rows show in (without a sticky header above them). */
  readonly viewportHeight: number
  readonly scrollTop: number
  /** Rows rendered beyond each edge, so a quick scroll shows no blank strip. */
  readonly overscan: number
  readonly maxScrollHeight: number
}

/** The rows to render and how they are laid out. */
export interface WindowRange {
  /** First row to render. */
  readonly first: number
  /** One past the last row to render. */
  readonly last: number
  /** The (fractional) row at the top edge of the view. */
  readonly exactFirst: number
  /** Height of the element that gives the list its scroll height. */
  readonly spacerHeight: number
}

interface ScrollSpan {
  readonly spacerHeight: number
  /** Whether the spacer was cut to maxScrollHeight, so scrolling maps proportionally. */
  readonly capped: boolean
  readonly maxScroll: number
  /** The highest row that can be at the top edge. */
  readonly maxFirst: number
  readonly rowsInView: number
}

function scrollSpan(geometry: WindowGeometry): ScrollSpan {
  const fullHeight = geometry.count * geometry.rowHeight
  const spacerHeight = Math.min(fullHeight, geometry.maxScrollHeight)
  const rowsInView = Math.max(0, geometry.viewportHeight) / geometry.rowHeight
  return {
    spacerHeight,
    capped: fullHeight > geometry.maxScrollHeight,
    maxScroll: Math.max(0, spacerHeight - geometry.viewportHeight),
    maxFirst: Math.max(0, geometry.count - rowsInView),
    rowsInView
  }
}

/** The row at the top edge for a scroll offset. */
function topRow(geometry: WindowGeometry, span: ScrollSpan): number {
  const scrollTop = Math.max(0, Math.min(geometry.scrollTop, span.maxScroll))
  if (!span.capped) return scrollTop / geometry.rowHeight
  return span.maxScroll > 0 ? (scrollTop / span.maxScroll) * span.maxFirst : 0
}

/** Which rows to render for a scroll position. */
export function windowRange(geometry: WindowGeometry): WindowRange {
  const span = scrollSpan(geometry)
  const exactFirst = topRow(geometry, span)
  return {
    first: Math.min(geometry.count, Math.max(0, Math.floor(exactFirst) - geometry.overscan)),
    last: Math.min(geometry.count, Math.ceil(exactFirst + span.rowsInView) + geometry.overscan),
    exactFirst,
    spacerHeight: span.spacerHeight
  }
}

/** Where row `index` sits inside the spacer, in pixels from its top. */
export function rowOffset(geometry: WindowGeometry, index: number): number {
  const span = scrollSpan(geometry)
  if (!span.capped) return index * geometry.rowHeight
  // Rows are laid out around the scroll offset, so the ones in view line up with the viewport.
  const scrollTop = Math.max(0, Math.min(geometry.scrollTop, span.maxScroll))
  return scrollTop + (index - topRow(geometry, span)) * geometry.rowHeight
}

/** The scroll offset that brings row `index` fully into view, or null when it already is (or nothing scrolls). */
export function scrollTopToShow(geometry: WindowGeometry, index: number): number | null {
  const span = scrollSpan(geometry)
  if (span.maxScroll === 0 || span.maxFirst === 0) return null
  const top = topRow(geometry, span)
  let target: number
  if (index < top) target = index
  else if (index + 1 > top + span.rowsInView) target = index + 1 - span.rowsInView
  else return null
  target = Math.max(0, Math.min(target, span.maxFirst))
  return span.capped ? (target / span.maxFirst) * span.maxScroll : target * geometry.rowHeight
}

/**
 * The row a navigation key moves to: arrows by one, Page keys by `pageRows`, Home and End to the
 * ends; null for any other key or an empty list. With nothing selected the move starts at
 * `startAt` when given, otherwise from just outside the end it moves away from (so the first
 * Down selects the first row and the first Up the last one).
 */
export function navigationTarget(key: string, current: number | null, count: number, pageRows: number, startAt?: number): number | null {
  if (count === 0) return null
  if (key === 'Home') return 0
  if (key === 'End') return count - 1
  const steps: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: pageRows, PageUp: -pageRows }
  const step = steps[key]
  if (step === undefined) return null
  const from = current ?? startAt ?? (step > 0 ? -1 : count)
  return Math.max(0, Math.min(count - 1, from + step))
}

/** How a list is shaped; everything but the row count is fixed for the list's life. */
export interface VirtualWindowOptions {
  /** Rows in the list; read inside a computed, so it may be reactive. */
  readonly count: () => number
  readonly rowHeight: number
  readonly overscan: number
  /** Height assumed until the element is measured, and kept while it has no layout (hidden). */
  readonly initialHeight: number
  /** A sticky header inside the scrolling element, covering the top of the rows' area. */
  readonly headerHeight?: number
  readonly maxScrollHeight?: number
}

/**
 * Windows the rows of the scrolling element `viewport`: call `measure` from its scroll event; its
 * size is measured on mount and on every resize, so a tall window fills with rows.
 */
export function useVirtualWindow(viewport: Ref<HTMLElement | null>, options: VirtualWindowOptions) {
  const headerHeight = options.headerHeight ?? 0
  const scrollTop = ref(0)
  const viewportHeight = ref(options.initialHeight)

  const geometry = computed<WindowGeometry>(() => ({
    count: options.count(),
    rowHeight: options.rowHeight,
    viewportHeight: viewportHeight.value,
    scrollTop: scrollTop.value,
    overscan: options.overscan,
    maxScrollHeight: options.maxScrollHeight ?? MAX_SCROLL_HEIGHT
  }))
  const range = computed(() => windowRange(geometry.value))
  /** Rows a Page key moves: a screenful less one, so the last row stays in sight. */
  const pageRows = computed(() => Math.max(1, Math.floor(viewportHeight.value / options.rowHeight) - 1))

  function measure(): void {
    const element = viewport.value
    if (!element) return
    scrollTop.value = element.scrollTop
    if (element.clientHeight > 0) viewportHeight.value = element.clientHeight - headerHeight
  }

  /** Sets the scroll offset; true when it moved, so the element will fire a scroll event. */
  function scrollTo(top: number): boolean {
    const element = viewport.value
    if (!element) return false
    const before = element.scrollTop
    element.scrollTop = top
    measure()
    return element.scrollTop !== before
  }

  let observer: ResizeObserver | null = null
  onMounted(() => {
    measure()
    if (typeof ResizeObserver !== 'undefined' && viewport.value) {
      observer = new ResizeObserver(() => measure())
      observer.observe(viewport.value)
    }
  })
  onBeforeUnmount(() => observer?.disconnect())

  return {
    first: computed(() => range.value.first),
    last: computed(() => range.value.last),
    exactFirst: computed(() => range.value.exactFirst),
    spacerHeight: computed(() => range.value.spacerHeight),
    pageRows,
    measure,
    /** Pixels from the spacer's top to row `index`. */
    rowOffset: (index: number) => rowOffset(geometry.value, index),
    /** Scrolls just enough to show row `index`; true when the view moved. */
    scrollToIndex: (index: number): boolean => {
      const top = scrollTopToShow(geometry.value, index)
      return top !== null && scrollTo(top)
    },
    /** Scrolls to the last row; true when the view moved. */
    scrollToEnd: (): boolean => scrollTo(viewport.value?.scrollHeight ?? 0),
    /** Whether the view shows the end of the list (within a row). */
    atEnd: (): boolean => {
      const element = viewport.value
      return !element || element.scrollTop >= element.scrollHeight - element.clientHeight - options.rowHeight
    }
  }
}
