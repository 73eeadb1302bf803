/**
 * The sockets domain: the live table, its highlights, filter, sort and selection. It owns the
 * subscription to `sockets/tick`; components only read it and call its actions.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, triggerRef } from 'vue'
import type { MonitorStatus, SocketDiff, SocketEntry, SocketSnapshot, TableIssue } from '../../../shared/model/socket'
import type { CompiledQuery } from '../../../shared/query/query-compiler'
import type { QueryError } from '../../../shared/query/query-error'
import { compileSocketFilter } from '../../../shared/query/socket-fields'
import { backendClient, type AccessRefusal } from '../transport'
import { DEFAULT_TABLE_COLUMNS, SOCKET_FIELDS, socketComparator, withCounters, type SocketFieldKey } from '../../../shared/socket-field-table'
import { errorMessage } from '../../../shared/error-message'

/** Why the web server refuses this page; components read it here, never from the transport. */
export type { AccessRefusal }

/** How a row is highlighted, following TCPView: green when new, red while it lingers after closing. */
export type RowMark = 'new' | 'changed' | 'closed' | null

/** A socket as the table shows it. */
export interface SocketRow {
  readonly socket: SocketEntry
  readonly mark: RowMark
  /** When the mark was set (ms since epoch), to expire it. */
  readonly markedAt: number
}

/** How long marks last, in milliseconds. */
export const MARK_DURATIONS = { new: 3000, changed: 1500, closed: 4000 } as const

/** The live socket table. */
export const useSocketsStore = defineStore('sockets', () => {
  const rowsById = shallowRef(new Map<string, SocketRow>())
  const status = ref<MonitorStatus | null>(null)
  const lastTick = ref(0)
  const lastUpdate = ref<number | null>(null)
  const refreshMs = ref<number | null>(null)
  const issues = shallowRef<readonly TableIssue[]>([])
  const partialOwnership = ref(false)
  const connected = ref(true)
  /** Why the server will not serve this page (web mode), or null while it does. */
  const accessRefusal = ref<AccessRefusal | null>(null)
  const loadError = ref<string | null>(null)

  const filterText = ref('')
  const sortKey = ref<SocketFieldKey>('localPort')
  const sortDescending = ref(false)
  /** The table's columns, in the field table's order. */
  const columns = ref<readonly SocketFieldKey[]>(DEFAULT_TABLE_COLUMNS)
  const selectedId = ref<string | null>(null)

  let started = false
  /** The full re-read under way, if any; one at a time, however many ticks were missed. */
  let reloading: Promise<void> | null = null

  const filterResult = computed(() => compileSocketFilter(filterText.value))
  const filterError = computed<QueryError | null>(() => (filterResult.value.ok ? null : filterResult.value.error))
  /** The last query that compiled, so a half-typed query does not empty the table. */
  let lastGoodQuery: CompiledQuery<SocketEntry> | null = null
  const activeQuery = computed(() => {
    if (filterResult.value.ok) lastGoodQuery = filterResult.value.query
    return lastGoodQuery
  })

  const allRows = computed(() => [...rowsById.value.values()])
  const visibleRows = computed(() => {
    const query = activeQuery.value
    const rows = query && !query.matchesEverything ? allRows.value.filter((row) => query.matches(row.socket)) : allRows.value.slice()
    const compare = socketComparator(sortKey.value, sortDescending.value)
    rows.sort((a, b) => compare(a.socket, b.socket))
    return rows
  })
  const selected = computed(() => (selectedId.value ? (rowsById.value.get(selectedId.value) ?? null) : null))

  /** Live sockets (closing rows excluded) per state, for the status bar. */
  const countsByState = computed(() => {
    const counts = new Map<string, number>()
    for (const row of rowsById.value.values()) {
      if (row.mark === 'closed') continue
      counts.set(row.socket.state, (counts.get(row.socket.state) ?? 0) + 1)
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])
  })
  const liveCount = computed(() => countsByState.value.reduce((sum, [, count]) => sum + count, 0))

  function loadSnapshot(snapshot: SocketSnapshot): void {
    const next = new Map<string, SocketRow>()
    for (const socket of snapshot.sockets) next.set(socket.id, { socket: markRaw(socket), mark: null, markedAt: 0 })
    rowsById.value = next
    lastTick.value = snapshot.tick
    noteRead(snapshot.takenAt, snapshot.refreshMs, snapshot.issues, snapshot.partialOwnership)
  }

  function noteRead(takenAt: number, refresh: number, tableIssues: readonly TableIssue[], partial: boolean): void {
    lastUpdate.value = takenAt
    refreshMs.value = refresh
    issues.value = tableIssues
    partialOwnership.value = partial
  }

  /** Applies one tick. A gap in tick numbers means ticks were missed, so the table is re-read. */
  function applyTick(diff: SocketDiff, now = Date.now()): void {
    if (reloading) return
    if (lastTick.value !== 0 && diff.previousTick !== lastTick.value) {
      void reload()
      return
    }
    const rows = rowsById.value
    expireMarks(rows, now)
    for (const socket of diff.added) rows.set(socket.id, { socket: markRaw(socket), mark: lastTick.value === 0 ? null : 'new', markedAt: now })
    for (const socket of diff.changed) {
      const previous = rows.get(socket.id)
      const mark = previous?.mark === 'new' ? 'new' : 'changed'
      rows.set(socket.id, { socket: markRaw(socket), mark, markedAt: previous?.mark === 'new' ? previous.markedAt : now })
    }
    // Per-tick values (timers, tcp_info counters) replace the old ones quietly: no mark, no flash.
    for (const update of diff.counters) {
      const previous = rows.get(update.id)
      if (previous) rows.set(update.id, { socket: markRaw(withCounters(previous.socket, update)), mark: previous.mark, markedAt: previous.markedAt })
    }
    for (const id of diff.removed) {
      const previous = rows.get(id)
      if (previous) rows.set(id, { socket: previous.socket, mark: 'closed', markedAt: now })
    }
    lastTick.value = diff.tick
    noteRead(diff.takenAt, diff.refreshMs, diff.issues, diff.partialOwnership)
    triggerRef(rowsById)
  }

  /** Drops closed rows whose linger time is over and clears old new/changed marks. */
  function expireMarks(rows: Map<string, SocketRow>, now: number): void {
    for (const [id, row] of rows) {
      if (row.mark === null || now - row.markedAt < MARK_DURATIONS[row.mark]) continue
      if (row.mark === 'closed') {
        rows.delete(id)
        if (selectedId.value === id) selectedId.value = null
      } else rows.set(id, { socket: row.socket, mark: null, markedAt: 0 })
    }
  }

  /** Re-reads the whole table. Ticks that arrive meanwhile are dropped: the snapshot supersedes them. */
  function reload(): Promise<void> {
    reloading ??= (async () => {
      try {
        loadSnapshot(await backendClient().request('sockets/snapshot', {}))
        status.value = await backendClient().request('sockets/status', {})
        loadError.value = null
      } catch (error) {
        loadError.value = errorMessage(error)
      } finally {
        reloading = null
      }
    })()
    return reloading
  }

  /** Subscribes to live ticks and reads the first table. Safe to call more than once. */
  async function start(): Promise<void> {
    if (started) return
    started = true
    const client = backendClient()
    client.subscribe('sockets/tick', (diff) => applyTick(diff))
    client.subscribe('sockets/status', (next) => (status.value = next))
    client.onConnectionChange((isConnected) => {
      connected.value = isConnected
      if (isConnected) void reload()
    })
    client.onAccessRefused((refusal) => (accessRefusal.value = refusal))
    await reload()
    // Expire closed rows even while paused, so red rows never stay forever.
    setInterval(() => {
      const before = rowsById.value.size
      const marked = [...rowsById.value.values()].some((row) => row.mark !== null)
      if (!marked) return
      expireMarks(rowsById.value, Date.now())
      if (rowsById.value.size !== before || marked) triggerRef(rowsById)
    }, 500)
  }

  // The toolbar calls these from click handlers: a failure (the backend went away) shows in the
  // view's error banner instead of escaping as an unhandled rejection.
  async function setPaused(paused: boolean): Promise<void> {
    try {
      status.value = await backendClient().request(paused ? 'sockets/pause' : 'sockets/resume', {})
    } catch (error) {
      loadError.value = errorMessage(error)
    }
  }

  async function setIntervalMs(intervalMs: number): Promise<void> {
    try {
      status.value = await backendClient().request('sockets/set-interval', { intervalMs })
    } catch (error) {
      loadError.value = errorMessage(error)
    }
  }

  function setFilter(text: string): void {
    filterText.value = text
  }

  /** Shows a hidden column or hides a shown one; the last column stays. */
  function toggleColumn(key: SocketFieldKey): void {
    if (!columns.value.includes(key)) {
      columns.value = SOCKET_FIELDS.map((field) => field.key).filter((candidate) => candidate === key || columns.value.includes(candidate))
    } else if (columns.value.length > 1) {
      columns.value = columns.value.filter((candidate) => candidate !== key)
    }
  }

  function sortBy(key: SocketFieldKey): void {
    if (sortKey.value === key) sortDescending.value = !sortDescending.value
    else {
      sortKey.value = key
      sortDescending.value = false
    }
  }

  function select(id: string | null): void {
    selectedId.value = id
  }

  return {
    rowsById,
    status,
    lastTick,
    lastUpdate,
    refreshMs,
    issues,
    partialOwnership,
    connected,
    accessRefusal,
    loadError,
    filterText,
    filterError,
    sortKey,
    sortDescending,
    columns,
    selectedId,
    visibleRows,
    selected,
    countsByState,
    liveCount,
    start,
    reload,
    applyTick,
    loadSnapshot,
    setPaused,
    setIntervalMs,
    setFilter,
    sortBy,
    toggleColumn,
    select
  }
})
