/** Reverse-DNS names for remote addresses, learned in the background by the backend. */
import { defineStore } from 'pinia'
import { ref, shallowRef, triggerRef } from 'vue'
import { backendClient } from '../transport'

/** Names by address, and whether the table shows them. */
export const useDnsStore = defineStore('dns', () => {
  const names = shallowRef(new Map<string, string>())
  const showNames = ref(true)
  let started = false

  function merge(learned: Readonly<Record<string, string>>): void {
    for (const [address, name] of Object.entries(learned)) names.value.set(address, name)
    triggerRef(names)
  }

  /** Loads known names and follows new ones. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('dns/resolved', ({ names: learned }) => merge(learned))
    client.onConnectionChange((connected) => {
      if (connected) void client.request('dns/names', {}).then(({ names: known }) => merge(known))
    })
    merge((await client.request('dns/names', {})).names)
  }

  /** The name for an address, when names are shown and one is known. */
  function nameFor(address: string): string | null {
    return showNames.value ? (names.value.get(address) ?? null) : null
  }

  async function setShowNames(show: boolean): Promise<void> {
    showNames.value = show
    await backendClient().request('dns/set-enabled', { enabled: show })
  }

  return { names, showNames, start, nameFor, setShowNames }
})
