/**
 * Closed connections: the backend's ring of recent closed TCP connections, kept up to date from
 * `events/closed` batches, filtered with the socket filter language. Holds at most as many as the
 * backend keeps, so memory stays bounded however long the page stays open.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ClosedConnection, ClosedConnectionsUpdate, CloseEventsStatus } from '../../../shared/model/closed-connection'
import type { QueryError } from '../../../shared/query/query-error'
import { compileClosedConnectionFilter } from '../../../shared/query/closed-connection-filter'
import { errorMessage } from '../../../shared/error-message'
import { backendClient } from '../transport'

/** Closed connections and how they are heard. */
export const useEventsStore = defineStore('events', () => {
  /** Oldest first, at most `status.capacity`. */
  const connections = shallowRef<readonly ClosedConnection[]>([])
  const status = ref<CloseEventsStatus | null>(null)
  const error = ref<string | null>(null)
  const filterText = ref('')
  let started = false
  /**
   * The newest connection held. A push can repeat connections that the answer to `events/recent`
   * already had (it raced the answer), and a list with a connection twice has two rows with one key.
   */
  let newestSequence = 0

  const filterResult = computed(() => compileClosedConnectionFilter(filterText.value))
  const filterError = computed<QueryError | null>(() => (filterResult.value.ok ? null : filterResult.value.error))
  /** The connections the filter matches, newest first; a query that does not compile filters nothing. */
  const shown = computed<readonly ClosedConnection[]>(() => {
    const result = filterResult.value
    const newestFirst = [...connections.value].reverse()
    return result.ok && !result.query.matchesEverything ? newestFirst.filter(result.query.matches) : newestFirst
  })

  function apply(update: ClosedConnectionsUpdate): void {
    status.value = update.status
    const capacity = Math.max(1, update.status.capacity)
    const fresh = update.connections.filter((connection) => connection.sequence > newestSequence)
    newestSequence = fresh.at(-1)?.sequence ?? newestSequence
    const joined = connections.value.concat(fresh)
    connections.value = joined.length > capacity ? joined.slice(joined.length - capacity) : joined
  }

  async function reload(): Promise<void> {
    try {
      const recent = await backendClient().request('events/recent', {})
      // A new backend (after a reconnect) numbers its connections from 1 again.
      newestSequence = 0
      connections.value = []
      apply(recent)
      error.value = null
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  /** Follows closed connections; safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('events/closed', apply)
    client.subscribe('events/status', (next) => (status.value = next))
    client.onConnectionChange((connected) => {
      if (connected) void reload()
    })
    await reload()
  }

  function setFilter(text: string): void {
    filterText.value = text
  }

  /** Forgets what is shown (the backend keeps its own ring). */
  function clear(): void {
    connections.value = []
  }

  return { connections, shown, status, error, filterText, filterError, start, setFilter, clear }
})
