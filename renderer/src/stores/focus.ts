/**
 * The process focus view: which process is focused and what `focus/process` last said about it,
 * asked again every second while the view shows. Opened from a socket row ("Focus on this
 * process"), a Processes tab row or a finding. Once the process exits, the backend answers with
 * the last sockets it saw, so the view keeps them and says the process is gone.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ProcessFocus } from '../../../shared/model/focus'
import { errorMessage } from '../../../shared/error-message'
import { registerSocketRowActions } from '../row-actions'
import { backendClient } from '../transport'
import { useLayoutStore } from './layout'

/** How often the focused process is asked about while the view shows. */
const REFRESH_MS = 1000

/** The focused process and its latest answer. */
export const useFocusStore = defineStore('focus', () => {
  const pid = ref<number | null>(null)
  const focus = shallowRef<ProcessFocus | null>(null)
  const error = ref<string | null>(null)
  /** The history the charts and the forecast cover. */
  const windowMs = ref(15 * 60_000)
  let timer: ReturnType<typeof setInterval> | null = null
  let asking = false
  let started = false

  async function refresh(): Promise<void> {
    const asked = pid.value
    if (asked === null || asking) return
    asking = true
    try {
      const answer = await backendClient().request('focus/process', { pid: asked, windowMs: windowMs.value })
      // The user may have focused another process meanwhile.
      if (pid.value === asked) {
        focus.value = answer
        error.value = null
      }
    } catch (failure) {
      if (pid.value === asked) error.value = errorMessage(failure)
    } finally {
      asking = false
    }
  }

  /** Asks every second while the view shows; the view calls `pause` when it hides. */
  function resume(): void {
    if (!started) {
      started = true
      backendClient().onConnectionChange((connected) => {
        if (connected) void refresh()
      })
    }
    if (timer === null) timer = setInterval(() => void refresh(), REFRESH_MS)
    void refresh()
  }

  function pause(): void {
    if (timer !== null) clearInterval(timer)
    timer = null
  }

  /** Focuses `nextPid` and shows the focus view. */
  function open(nextPid: number): void {
    if (pid.value !== nextPid) {
      pid.value = nextPid
      focus.value = null
      error.value = null
    }
    useLayoutStore().show('focus')
    void refresh()
  }

  function setWindow(milliseconds: number): void {
    windowMs.value = milliseconds
    void refresh()
  }

  return { pid, focus, error, windowMs, open, resume, pause, refresh, setWindow }
})

// "Focus on this process" on socket rows, registered at start-up.
registerSocketRowActions([
  {
    id: 'focus-process',
    label: 'Focus on this process',
    appliesTo: (socket) => socket.pid !== null,
    run: (socket) => {
      if (socket.pid !== null) useFocusStore().open(socket.pid)
    }
  }
])
