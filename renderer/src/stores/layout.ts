/** Which view is showing. Other stores call `show` to take the user somewhere (click-to-filter). */
import { defineStore } from 'pinia'
import { ref } from 'vue'

/** The app's views; each has a tab. */
export type ViewId = 'sockets' | 'processes' | 'closed' | 'charts' | 'capture' | 'probe' | 'exposure' | 'focus' | 'ports'

/** The active view. */
export const useLayoutStore = defineStore('layout', () => {
  const activeView = ref<ViewId>('sockets')
  function show(view: ViewId): void {
    activeView.value = view
  }
  return { activeView, show }
})
