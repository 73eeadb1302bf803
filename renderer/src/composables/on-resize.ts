/** Calls back when an element is mounted and whenever its size changes, so virtual lists fill tall windows. */
import { onBeforeUnmount, onMounted, type Ref } from 'vue'

/** Runs `measure` once on mount and again on every resize of `element`. */
export function onElementResize(element: Ref<HTMLElement | null>, measure: () => void): void {
  let observer: ResizeObserver | null = null
  onMounted(() => {
    measure()
    if (typeof ResizeObserver !== 'undefined' && element.value) {
      observer = new ResizeObserver(() => measure())
      observer.observe(element.value)
    }
  })
  onBeforeUnmount(() => observer?.disconnect())
}
