/**
 * A finding's evidence numbers as people read them: a label that says what was counted ("CLOSE_WAIT
 * older than 30 s") and a value at a sensible precision ("12.5 %", "3 min 20 s"). The app's
 * findings panel, the CLI's findings and `sockscope run`'s reports all write evidence this way.
 */
import type { Finding, FindingKind } from '../model/finding'

/** One evidence number, ready to show. */
export interface EvidenceLine {
  readonly label: string
  readonly value: string
}

type Numbers = Readonly<Record<string, number>>

/** How one evidence number is shown: its label (which may use the other numbers) and its value. */
interface EvidenceField {
  readonly label: string | ((numbers: Numbers) => string)
  readonly value?: (value: number, numbers: Numbers) => string
}

/** "1.5", "12", "0.03": at most two significant decimals, none on a whole number. */
export function formatEvidenceNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  const magnitude = Math.abs(value)
  const decimals = magnitude >= 100 ? 0 : magnitude >= 1 ? 1 : 2
  return String(Number(value.toFixed(decimals)))
}

/** A share from 0 to 1 as a percentage with at most one decimal. */
function percent(value: number): string {
  return `${formatEvidenceNumber(Math.round(value * 1000) / 10)} %`
}

/** "45 s", "3 min 20 s", "2 h 5 min". */
function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds))
  if (whole < 60) return `${whole} s`
  const minutes = Math.floor(whole / 60)
  if (minutes < 60) return whole % 60 === 0 ? `${minutes} min` : `${minutes} min ${whole % 60} s`
  const hours = Math.floor(minutes / 60)
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
}

const perMinute = (value: number): string => `${formatEvidenceNumber(value)} a minute`
const fdFields: Readonly<Record<string, EvidenceField>> = {
  fdCount: { label: 'open files' },
  fdSoftLimit: { label: 'soft limit on open files' }
}

/** Every number each kind of finding carries; a number not listed here is shown with its name spelled out. */
const FIELDS: Readonly<Record<FindingKind, Readonly<Record<string, EvidenceField>>>> = {
  growth: {
    slopePerMinute: { label: 'growth', value: perMinute },
    rSquared: { label: 'steadiness (R²)', value: (value) => value.toFixed(2) },
    increase: { label: 'sockets gained over the window' },
    first: { label: 'sockets at the start of the window' },
    sockets: { label: 'sockets now' },
    windowSeconds: { label: 'window', value: duration },
    ...fdFields
  },
  'close-wait': {
    closeWaitAged: {
      label: (numbers) => (numbers.minimumAgeSeconds !== undefined ? `CLOSE_WAIT older than ${duration(numbers.minimumAgeSeconds)}` : 'CLOSE_WAIT past the minimum age')
    },
    closeWait: { label: 'CLOSE_WAIT in all' },
    oldestSeconds: { label: 'oldest in CLOSE_WAIT for', value: duration },
    minimumAgeSeconds: { label: 'counted after', value: duration }
  },
  'fd-limit': { ...fdFields, ratio: { label: 'share of the limit in use', value: percent }, sockets: { label: 'sockets held' } },
  'ephemeral-ports': {
    count: { label: 'ephemeral ports in use' },
    rangeSize: { label: 'ports in the range' },
    ratio: { label: 'share of the range in use', value: percent },
    rangeLow: { label: 'range starts at', value: String },
    rangeHigh: { label: 'range ends at', value: String }
  },
  'time-wait': {
    timeWait: { label: 'TIME_WAIT sockets' },
    tcp: { label: 'TCP sockets in all' },
    share: { label: 'share of TCP in TIME_WAIT', value: percent }
  },
  'connection-churn': {
    shortLived: { label: 'connections under a second' },
    closed: { label: 'connections closed' },
    windowSeconds: { label: 'over the last', value: duration },
    perSecond: { label: 'short-lived a second' }
  },
  'slow-clients': {
    slowConnections: { label: 'connections held by quiet peers' },
    peers: { label: 'peer addresses' },
    oldestSeconds: { label: 'oldest held for', value: duration },
    longestQuietSeconds: { label: 'longest quiet spell', value: duration },
    mostBytesReceived: { label: 'most bytes a peer sent' },
    minimumAgeSeconds: { label: 'counted after', value: duration }
  }
}

/** `closeWaitAged` → "close wait aged", for a number no table names. */
function spelledOut(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim()
}

/** The finding's evidence numbers as labelled lines, in the order the rule gave them. */
export function evidenceLines(finding: Pick<Finding, 'kind' | 'evidence'>): EvidenceLine[] {
  const numbers = finding.evidence.numbers
  const fields = FIELDS[finding.kind] ?? {}
  return Object.entries(numbers).map(([name, value]) => {
    const field = fields[name]
    const label = field === undefined ? spelledOut(name) : typeof field.label === 'function' ? field.label(numbers) : field.label
    const text = field?.value ? field.value(value, numbers) : formatEvidenceNumber(value)
    return { label, value: text }
  })
}
