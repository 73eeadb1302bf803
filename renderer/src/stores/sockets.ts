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
import { DEFAULT_TABLE_COLUMNS, SOCKET_FIELDS, socketField, withCounters, type SocketFieldKey } from '../../../shared/socket-field-table'
import { SocketOrder } from '../socket-order'
import { readSetting, writeSetting } from '../persisted-setting'
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

/** Rows touched while nothing read the filtered rows; past this many the next read filters everything again. */
const MAX_FILTER_TOUCHED = 100_000

/** Ticks kept while a re-read is under way; past this many it is behind anyway and re-reads again. */
const MAX_TICKS_DURING_RELOAD = 64

/** Where the table's chosen columns and their widths are kept between visits. */
export const COLUMN_SETTINGS = { columns: 'sockscope.socket-table.columns', widths: 'sockscope.socket-table.widths' } as const
/** Narrowest and widest a column may be dragged, in pixels. */
export const COLUMN_WIDTH_LIMITS = { min: 40, max: 1200 } as const

const FIELD_KEYS: ReadonlySet<string> = new Set(SOCKET_FIELDS.map((field) => field.key))

/** Saved columns as the field table knows them: unknown or repeated keys are dropped, an empty list is no choice. */
function savedColumns(value: unknown): readonly SocketFieldKey[] | null {
  if (!Array.isArray(value)) return null
  const keys = SOCKET_FIELDS.map((field) => field.key).filter((key) => value.includes(key))
  return keys.length > 0 ? keys : null
}

/** Saved widths of known columns, each within the limits. */
function savedWidths(value: unknown): Partial<Record<SocketFieldKey, number>> {
  if (typeof value !== 'object' || value === null) return {}
  const widths: Partial<Record<SocketFieldKey, number>> = {}
  for (const [key, width] of Object.entries(value)) {
    if (FIELD_KEYS.has(key) && typeof width === 'number' && Number.isFinite(width)) widths[key as SocketFieldKey] = clampWidth(width)
  }
  return widths
}

function clampWidth(width: number): number {
  return Math.round(Math.min(COLUMN_WIDTH_LIMITS.max, Math.max(COLUMN_WIDTH_LIMITS.min, width)))
}

function openSockets(rows: ReadonlyMap<string, SocketRow>): SocketEntry[] {
  const open: SocketEntry[] = []
  for (const row of rows.values()) if (row.mark !== 'closed') open.push(row.socket)
  return open
}

/** The live socket table. */
export const useSocketsStore = defineStore('sockets', () => {
  const rowsById = shallowRef(new Map<string, SocketRow>())
  /** The same map, read where a computed must not re-run on every tick (the sort order). */
  let untrackedRows = rowsById.value
  const status = ref<MonitorStatus | null>(null)
  const lastTick = ref(0)
  const lastUpdate = ref<number | null>(null)
  const refreshMs = ref<number | null>(null)
  const issues = shallowRef<readonly TableIssue[]>([])
  const partialOwnership = ref(false)
  const connected = ref(true)
  /** When the link to the backend dropped (ms since epoch, this page's clock), or null while it is up. */
  const disconnectedAt = ref<number | null>(null)
  /** When this page last received the table (its own clock): how old the data on screen is. */
  const receivedAt = ref<number | null>(null)
  /** Why the server will not serve this page (web mode), or null while it does. */
  const accessRefusal = ref<AccessRefusal | null>(null)
  const loadError = ref<string | null>(null)

  const filterText = ref('')
  const sortKey = ref<SocketFieldKey>('localPort')
  const sortDescending = ref(false)
  /** The table's columns, in the field table's order; the user's choice is kept between visits. */
  const columns = ref<readonly SocketFieldKey[]>(savedColumns(readSetting(COLUMN_SETTINGS.columns)) ?? DEFAULT_TABLE_COLUMNS)
  /** Widths the user dragged columns to, in pixels; other columns take the field table's. */
  const columnWidths = ref<Partial<Record<SocketFieldKey, number>>>(savedWidths(readSetting(COLUMN_SETTINGS.widths)))
  const selectedId = ref<string | null>(null)

  let started = false
  /** The full re-read under way, if any; one at a time, however many ticks were missed. */
  let reloading: Promise<void> | null = null
  /** Ticks that arrived during a re-read, applied after it in order (those the table already has are skipped). */
  let ticksDuringReload: SocketDiff[] = []

  const filterResult = computed(() => compileSocketFilter(filterText.value))
  const filterError = computed<QueryError | null>(() => (filterResult.value.ok ? null : filterResult.value.error))
  /** The last query that compiled, so a half-typed query does not empty the table. */
  let lastGoodQuery: CompiledQuery<SocketEntry> | null = null
  const activeQuery = computed(() => {
    if (filterResult.value.ok) lastGoodQuery = filterResult.value.query
    return lastGoodQuery
  })

  /** Every row in the chosen order. Sorting is the costly step, so a filter keystroke only filters this. */
  /**
   * Bumped when the order can change: rows come or go, a row's tracked fields change, the table
   * is re-read, or (when sorting on a per-tick field) counters move. A tick that only updates
   * counters of 30k rows then re-sorts nothing.
   */
  const orderStamp = shallowRef(0)
  /** Told which rows each tick touched, it places those instead of sorting 30k rows again. */
  const order = new SocketOrder()
  /** Ids in the chosen order. Reads the rows without tracking them: `orderStamp` says when to. */
  const sortedIds = computed(() => {
    void orderStamp.value
    return order.ids(untrackedRows, sortKey.value, sortDescending.value)
  })
  const sortedRows = computed(() => {
    const rows = rowsById.value
    const sorted: SocketRow[] = []
    for (const id of sortedIds.value) {
      const row = rows.get(id)
      if (row) sorted.push(row)
    }
    return sorted
  })
  /**
   * Rows added or changed since the filter last ran. On a tick only these are tested again: the
   * filter reads no per-tick field, so a row whose counters alone moved keeps its answer.
   */
  const filterTouched = new Set<string>()
  /** The last filter's query and the ids it showed (made at the first tick after a new query). */
  let lastFilter: { readonly query: CompiledQuery<SocketEntry>; readonly shown: readonly SocketRow[]; shownIds: Set<string> | null } | null = null
  const visibleRows = computed(() => {
    const query = activeQuery.value
    const rows = sortedRows.value
    const touched = [...filterTouched]
    filterTouched.clear()
    if (!query || query.matchesEverything) {
      lastFilter = null
      return rows
    }
    let shown: SocketRow[]
    if (lastFilter?.query === query) {
      const shownIds = (lastFilter.shownIds ??= new Set(lastFilter.shown.map((row) => row.socket.id)))
      for (const id of touched) {
        const row = untrackedRows.get(id)
        if (row && query.matches(row.socket)) shownIds.add(id)
        else shownIds.delete(id)
      }
      shown = rows.filter((row) => shownIds.has(row.socket.id))
      lastFilter = { query, shown, shownIds }
    } else {
      shown = rows.filter((row) => query.matches(row.socket))
      lastFilter = { query, shown, shownIds: null }
    }
    return shown
  })
  /** While the typed query does not compile, the rows shown are those of the last one that did. */
  const filterStale = computed(() => filterError.value !== null)
  /** Shown rows that are closed and only linger in red; the status bar does not count them. */
  const visibleClosingCount = computed(() => {
    let closing = 0
    for (const row of visibleRows.value) if (row.mark === 'closed') closing++
    return closing
  })
  /** Sockets of the table that are still open, for views that group or chart them. */
  const liveSockets = computed(() => openSockets(rowsById.value))
  /** Bumped when a socket comes, goes or changes a slow field; not when only counters move. */
  const shapeStamp = shallowRef(0)
  /**
   * The same sockets, made again only when `shapeStamp` moves: for views that read no per-tick
   * value (ports, states, owners), whose sockets may then carry counters a few ticks old.
   */
  const liveSocketsIgnoringCounters = computed(() => {
    void shapeStamp.value
    return openSockets(untrackedRows)
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
    untrackedRows = next
    order.reset()
    lastFilter = null
    shapeStamp.value++
    orderStamp.value++
    lastTick.value = snapshot.tick
    noteRead(snapshot.takenAt, snapshot.refreshMs, snapshot.issues, snapshot.partialOwnership)
  }

  function noteRead(takenAt: number, refresh: number, tableIssues: readonly TableIssue[], partial: boolean): void {
    lastUpdate.value = takenAt
    receivedAt.value = Date.now()
    refreshMs.value = refresh
    issues.value = tableIssues
    partialOwnership.value = partial
  }

  /** Applies one tick. A gap in tick numbers means ticks were missed, so the table is re-read. */
  function applyTick(diff: SocketDiff, now = Date.now()): void {
    if (reloading) {
      // Dropping them would leave a gap after the new table, and a gap means another re-read:
      // with a table that takes longer to arrive than a tick, that would never end.
      if (ticksDuringReload.length < MAX_TICKS_DURING_RELOAD) ticksDuringReload.push(diff)
      return
    }
    // Already part of the table (a tick sent while the table was on its way).
    if (lastTick.value !== 0 && diff.tick <= lastTick.value) return
    if (lastTick.value !== 0 && diff.previousTick !== lastTick.value) {
      void reload()
      return
    }
    const rows = rowsById.value
    expireMarks(rows, now)
    for (const socket of diff.added) {
      order.comeOrWent(socket.id)
      filterTouched.add(socket.id)
      rows.set(socket.id, { socket: markRaw(socket), mark: lastTick.value === 0 ? null : 'new', markedAt: now })
    }
    const sortsOnCounters = socketField(sortKey.value).changes === 'every-tick'
    for (const socket of diff.changed) {
      order.changed(socket.id)
      filterTouched.add(socket.id)
      const previous = rows.get(socket.id)
      const mark = previous?.mark === 'new' ? 'new' : 'changed'
      rows.set(socket.id, { socket: markRaw(socket), mark, markedAt: previous?.mark === 'new' ? previous.markedAt : now })
    }
    // Per-tick values (timers, tcp_info counters) replace the old ones quietly: no mark, no flash.
    for (const update of diff.counters) {
      const previous = rows.get(update.id)
      if (!previous) continue
      if (sortsOnCounters) order.changed(update.id)
      rows.set(update.id, { socket: markRaw(withCounters(previous.socket, update)), mark: previous.mark, markedAt: previous.markedAt })
    }
    for (const id of diff.removed) {
      const previous = rows.get(id)
      if (previous) rows.set(id, { socket: previous.socket, mark: 'closed', markedAt: now })
    }
    if (filterTouched.size > MAX_FILTER_TOUCHED) {
      filterTouched.clear()
      lastFilter = null
    }
    lastTick.value = diff.tick
    noteRead(diff.takenAt, diff.refreshMs, diff.issues, diff.partialOwnership)
    if (diff.added.length > 0 || diff.changed.length > 0 || (sortsOnCounters && diff.counters.length > 0)) orderStamp.value++
    if (diff.added.length > 0 || diff.changed.length > 0 || diff.removed.length > 0) shapeStamp.value++
    triggerRef(rowsById)
  }

  /** Drops closed rows whose linger time is over and clears old new/changed marks; true when any did. */
  function expireMarks(rows: Map<string, SocketRow>, now: number): boolean {
    let expired = false
    for (const [id, row] of rows) {
      if (row.mark === null || now - row.markedAt < MARK_DURATIONS[row.mark]) continue
      expired = true
      if (row.mark === 'closed') {
        rows.delete(id)
        order.comeOrWent(id)
        orderStamp.value++
        if (selectedId.value === id) selectedId.value = null
      } else rows.set(id, { socket: row.socket, mark: null, markedAt: 0 })
    }
    return expired
  }

  /** Re-reads the whole table. Ticks that arrive meanwhile are dropped: the snapshot supersedes them. */
  function reload(): Promise<void> {
    reloading ??= (async () => {
      ticksDuringReload = []
      try {
        const snapshot = await backendClient().request('sockets/snapshot', {})
        loadSnapshot(snapshot)
        loadError.value = null
      } catch (error) {
        loadError.value = errorMessage(error)
      } finally {
        reloading = null
      }
      const waiting = ticksDuringReload
      ticksDuringReload = []
      for (const diff of waiting) {
        if (diff.tick <= lastTick.value) continue
        // One that does not follow is left to the next live tick, which re-reads if still behind:
        // a burst of them during one re-read never starts a row of re-reads.
        if (diff.previousTick !== lastTick.value) break
        applyTick(diff)
      }
      try {
        status.value = await backendClient().request('sockets/status', {})
      } catch (error) {
        loadError.value = errorMessage(error)
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
      disconnectedAt.value = isConnected ? null : Date.now()
      if (isConnected) void reload()
    })
    client.onAccessRefused((refusal) => (accessRefusal.value = refusal))
    await reload()
    // Expire closed rows even while paused, so red rows never stay forever.
    setInterval(() => {
      if (expireMarks(rowsById.value, Date.now())) triggerRef(rowsById)
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

  /** Shows a hidden column or hides a shown one; the last column stays. The choice is kept. */
  function toggleColumn(key: SocketFieldKey): void {
    if (!columns.value.includes(key)) {
      columns.value = SOCKET_FIELDS.map((field) => field.key).filter((candidate) => candidate === key || columns.value.includes(candidate))
    } else if (columns.value.length > 1) {
      columns.value = columns.value.filter((candidate) => candidate !== key)
    }
    writeSetting(COLUMN_SETTINGS.columns, columns.value)
  }

  /** Back to the field table's columns and widths. */
  function resetColumns(): void {
    columns.value = DEFAULT_TABLE_COLUMNS
    columnWidths.value = {}
    writeSetting(COLUMN_SETTINGS.columns, null)
    writeSetting(COLUMN_SETTINGS.widths, null)
  }

  /** Sets a column's width (kept within the limits, and between visits). */
  function setColumnWidth(key: SocketFieldKey, width: number): void {
    columnWidths.value = { ...columnWidths.value, [key]: clampWidth(width) }
    writeSetting(COLUMN_SETTINGS.widths, columnWidths.value)
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
    disconnectedAt,
    receivedAt,
    accessRefusal,
    loadError,
    filterText,
    filterError,
    sortKey,
    sortDescending,
    columns,
    columnWidths,
    selectedId,
    visibleRows,
    filterStale,
    visibleClosingCount,
    liveSockets,
    liveSocketsIgnoringCounters,
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
    resetColumns,
    setColumnWidth,
    select
  }
})
