/**
 * The read-only view of the history that the leak rules and `sockscope check` judge. The backend's
 * history store implements it; the leak detector depends on this view, never on the store, so
 * the leaks and history folders do not import each other.
 */
import { TCP_STATES } from './socket'

/** States that get a column of their own; anything else is counted as OTHER. */
const KNOWN_STATES = new Set<string>([...TCP_STATES, 'UNCONN', 'CONNECTING', 'DISCONNECTING'])

/** The column counting sockets in `state` (an unusual state shares the OTHER column). */
function stateColumn(state: string): string {
  return `state:${KNOWN_STATES.has(state) ? state : 'OTHER'}`
}

/** The column names a slice may ask for. Values below zero in a column mean "not known". */
export const HISTORY_COLUMNS = { sockets: 'sockets', fdCount: 'fd', fdLimit: 'fdLimit', count: 'count', stateColumn } as const

/** A followed process as the leak detector sees it. */
export interface TrackedProcess {
  readonly pid: number
  readonly name: string
  /** Epoch milliseconds it was last seen at. */
  readonly lastSeenAt: number
  /** True when the newest point saw it. */
  readonly present: boolean
}

/** Present values of one column, oldest first, without the points where it was unknown. */
export interface ColumnSlice {
  readonly times: number[]
  readonly values: number[]
}

/** Which followed subject a column slice reads. */
export type SliceSubject = { readonly kind: 'overall' } | { readonly kind: 'process'; readonly pid: number } | { readonly kind: 'destination'; readonly key: string }

/** What the leak rules may read of the history. */
export interface HistoryView {
  /** The processes followed right now. */
  trackedProcesses(): TrackedProcess[]
  /** Known values of one column since `sinceMs` (inclusive), oldest first. */
  columnSlice(subject: SliceSubject, column: string, sinceMs?: number): ColumnSlice
}
