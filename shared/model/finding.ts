/**
 * The leak detector's findings: what it saw, about which process, since when, the numbers
 * behind it and what to do about it.
 */

/** What kind of trouble a finding reports. */
export type FindingKind = 'growth' | 'close-wait' | 'fd-limit' | 'ephemeral-ports' | 'time-wait' | 'connection-churn' | 'slow-clients'

/** How urgent a finding is. */
export type FindingSeverity = 'info' | 'warning' | 'critical'

/** The process a finding is about. */
export interface FindingProcess {
  readonly pid: number
  readonly name: string
}

/** A slice of the series the finding was judged on. */
export interface EvidenceSeries {
  readonly label: string
  /** Epoch milliseconds. */
  readonly times: readonly number[]
  readonly values: readonly number[]
}

/** A count per remote endpoint (or destination) behind a finding. */
export interface EvidenceGroup {
  /** e.g. `127.0.0.1:8080`, or `clients of :8080 from 10.0.0.7`. */
  readonly label: string
  readonly count: number
}

/** The numbers and series behind a finding. */
export interface FindingEvidence {
  /** Named measurements, e.g. slopePerMinute, rSquared, closeWait, fdCount, fdSoftLimit. */
  readonly numbers: Readonly<Record<string, number>>
  readonly series: EvidenceSeries | null
  /** Largest first; empty when the kind has no grouping. */
  readonly groups: readonly EvidenceGroup[]
}

/** One finding, live or cleared. */
export interface Finding {
  /** Stable while the finding lasts, e.g. `close-wait:1234`. */
  readonly id: string
  readonly kind: FindingKind
  /** Null when no single process is to blame (TIME_WAIT sockets have no owner). */
  readonly process: FindingProcess | null
  readonly severity: FindingSeverity
  /** Epoch milliseconds since which the condition holds. */
  readonly since: number
  /** Epoch milliseconds of the last evaluation that refreshed it. */
  readonly updatedAt: number
  /** Epoch milliseconds it cleared at, or null while it lasts. */
  readonly clearedAt: number | null
  /** One line, e.g. "node (pid 1234) keeps opening sockets". */
  readonly title: string
  /** What the numbers mean, in plain words. */
  readonly explanation: string
  /** What to do about it. */
  readonly advice: string
  readonly evidence: FindingEvidence
}

/** What changed in the findings at one tick. */
export interface FindingsUpdate {
  /** Epoch milliseconds of the tick. */
  readonly takenAt: number
  readonly appeared: readonly Finding[]
  readonly cleared: readonly Finding[]
  /** Every finding that holds after this tick. */
  readonly active: readonly Finding[]
}

/** The findings that hold now and the ones that cleared recently (newest first). */
export interface FindingsState {
  readonly active: readonly Finding[]
  readonly recentlyCleared: readonly Finding[]
}
