/**
 * Test listeners: the Listener tab's form and the listeners running in the backend. It owns every
 * `listener/*` call and subscription; components only bind to its form and call its actions.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import type { TestListenerInfo } from '../../../shared/model/probe'
import { backendClient } from '../transport'
import { defaultForms, listenerRequest, submitForm } from '../probe-forms'
import { errorMessage } from '../../../shared/error-message'

/** The listener domain's state and actions. */
export const useListenerStore = defineStore('listener', () => {
  const form = reactive(defaultForms().listener)
  /** The message under the form: invalid input, or a request the backend refused. */
  const formError = ref<string | null>(null)
  const busy = ref(false)
  /** Running listeners, oldest first. */
  const listeners = shallowRef<readonly TestListenerInfo[]>([])
  let started = false

  function apply(info: TestListenerInfo): void {
    const others = listeners.value.filter((listener) => listener.id !== info.id)
    listeners.value = info.stoppedAt === null ? [...others, info].sort((first, second) => first.startedAt - second.startedAt) : others
  }

  /** Start a test listener from the form. */
  async function startListener(): Promise<void> {
    if (busy.value) return
    busy.value = true
    try {
      const info = await submitForm(
        listenerRequest(form),
        (request) => backendClient().request('listener/start', request),
        (message) => (formError.value = message)
      )
      if (info !== null) apply(info)
    } finally {
      busy.value = false
    }
  }

  /** Stop one test listener. */
  async function stopListener(id: string): Promise<void> {
    try {
      apply(await backendClient().request('listener/stop', { id }))
    } catch (error) {
      formError.value = errorMessage(error)
    }
  }

  /** Re-read the running listeners (first start, and after a reconnect). */
  async function reload(): Promise<void> {
    listeners.value = await backendClient().request('listener/list', {})
  }

  /** Subscribe to listener updates and read the running listeners. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('listener/update', apply)
    client.onConnectionChange((connected) => {
      if (connected) void reload().catch(() => {})
    })
    await reload().catch(() => {})
  }

  return { form, formError, busy, listeners, start, reload, startListener, stopListener }
})
