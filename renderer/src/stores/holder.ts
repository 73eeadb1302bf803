/**
 * Held connections: the Holder tab's form and the groups of connections the backend holds open.
 * It owns every `holder/*` call and subscription; components only bind to its form and call its actions.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import type { HolderStatus } from '../../../shared/model/probe'
import { backendClient, BackendRequestError } from '../transport'
import { defaultForms, holderRequest, submitForm } from '../probe-forms'
import { useProbePolicyStore } from './probe-policy'
import { errorMessage } from '../../../shared/error-message'

/** The holder domain's state and actions. */
export const useHolderStore = defineStore('holder', () => {
  const form = reactive(defaultForms().holder)
  /** The message under the form: invalid input, or a request the backend refused. */
  const formError = ref<string | null>(null)
  const busy = ref(false)
  const status = shallowRef<HolderStatus | null>(null)
  /** Set when the holder refused a non-loopback target: the form then asks for confirmation. */
  const needsConfirmation = ref(false)
  let started = false

  /** Open the form's connections. */
  async function openHolder(): Promise<void> {
    if (busy.value) return
    busy.value = true
    needsConfirmation.value = false
    try {
      const group = await submitForm(
        holderRequest(form),
        async (request) => {
          try {
            return await backendClient().request('holder/open', request)
          } catch (error) {
            // Where the policy allows other machines, a refusal asks for the form's own confirmation;
            // elsewhere no tick in the form can change the answer, so none is offered.
            const policy = await useProbePolicyStore()
              .current()
              .catch(() => null)
            const allowed = policy?.remoteTargets === 'allow'
            if (allowed && error instanceof BackendRequestError && error.failure.code === 'permission-denied') needsConfirmation.value = true
            throw error
          }
        },
        (message) => (formError.value = message)
      )
      if (group !== null) status.value = await backendClient().request('holder/status', {})
    } finally {
      busy.value = false
    }
  }

  /** Release one group of held connections, or all of them without an id. */
  async function releaseHolder(id?: string): Promise<void> {
    try {
      status.value = await backendClient().request('holder/release', id === undefined ? {} : { id })
    } catch (error) {
      formError.value = errorMessage(error)
    }
  }

  /** Re-read what is held (first start, and after a reconnect). */
  async function reload(): Promise<void> {
    status.value = await backendClient().request('holder/status', {})
  }

  /** Subscribe to holder updates and read what is held. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('holder/update', (next) => (status.value = next))
    client.onConnectionChange((connected) => {
      if (connected) void reload().catch(() => {})
    })
    await reload().catch(() => {})
  }

  return { form, formError, busy, status, needsConfirmation, start, reload, openHolder, releaseHolder }
})
