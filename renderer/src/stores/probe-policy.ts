/**
 * What the backend lets this client aim at other machines (`probe/policy`). The probe, listener
 * and holder forms all read it, so it is a store of its own that each of them imports, rather than
 * part of the probe store that would import the holder store back.
 */
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { ProbePolicy } from '../../../shared/model/probe'
import { backendClient } from '../transport'

/** The backend's policy for targets beyond this machine; null until it has been read. */
export const useProbePolicyStore = defineStore('probe-policy', () => {
  const policy = shallowRef<ProbePolicy | null>(null)

  /** Read the policy again. */
  async function load(): Promise<ProbePolicy> {
    const current = await backendClient().request('probe/policy', {})
    policy.value = current
    return current
  }

  /** The policy as last read, reading it first when it has not been. */
  async function current(): Promise<ProbePolicy> {
    return policy.value ?? (await load())
  }

  return { policy, load, current }
})
