/**
 * Values a kept-alive view reads from its stores, frozen while the view is hidden behind another
 * tab. KeepAlive keeps a hidden view's effects running, so without this a hidden socket table
 * would still place, filter and render 30k rows on every tick.
 */
import { computed, onActivated, onDeactivated, ref, type ComputedRef } from 'vue'

/** Whether the calling view is on screen; call once in its setup. */
export function useShown() {
  const shown = ref(true)
  onActivated(() => (shown.value = true))
  onDeactivated(() => (shown.value = false))
  /** `read()` while the view is shown; while hidden, what it gave last, without reading anything (so nothing re-runs). */
  function whileShown<T>(read: () => T): ComputedRef<T> {
    let last: T
    let readOnce = false
    return computed(() => {
      if (shown.value || !readOnce) {
        last = read()
        readOnce = true
      }
      return last
    })
  }
  return { shown, whileShown }
}
