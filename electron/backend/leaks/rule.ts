/** What every leak rule receives and returns, and small helpers they share. */
import { elementAt } from '../../../shared/element-at'
import type { SocketEntry } from '../../../shared/model/socket'
import type { HistorySample } from '../../../shared/model/history'
import type { EvidenceGroup, FindingEvidence, FindingKind, FindingProcess, FindingSeverity } from '../../../shared/model/finding'
import type { LeakSettings } from '../../../shared/leak-settings'
import { formatEndpoint } from '../../../shared/format/socket-text'
import type { HistoryView } from '../../../shared/model/history-view'
import type { ConnectionChurn } from '../../../shared/model/closed-connection'
import { evenIndices } from './robust-trend'

/** A possible finding as one rule sees it at one tick. */
export interface Candidate {
  readonly id: string
  readonly kind: FindingKind
  readonly process: FindingProcess | null
  /** The condition holds strongly enough to raise the finding. */
  readonly raises: boolean
  /** The condition still holds loosely enough to keep a raised finding (true whenever `raises`). */
  readonly keeps: boolean
  readonly severity: FindingSeverity
  /** When the trouble began, if the rule can tell better than "when it was first seen". */
  readonly since?: number
  readonly title: string
  readonly explanation: string
  readonly advice: string
  readonly evidence: FindingEvidence
}

/** Who listens on a port, keyed by `listeningKey(protocol, port)`. */
export type ListeningOwners = ReadonlyMap<number, FindingProcess | null>

/** A number per (protocol, port), so lookups on every socket build no strings. */
export function listeningKey(protocol: SocketEntry['protocol'], port: number): number {
  return (protocol === 'udp' ? 65_536 : protocol === 'raw' ? 131_072 : 0) + port
}

/** The sockets the rules look at, gathered in one pass over the table. */
export interface SocketScan {
  readonly listening: ListeningOwners
  readonly closeWait: readonly SocketEntry[]
  readonly timeWait: readonly SocketEntry[]
}

/** Everything a rule may read at one tick. */
export interface RuleInput {
  readonly now: number
  readonly settings: LeakSettings
  readonly history: HistoryView
  readonly sample: HistorySample
  readonly sockets: readonly SocketEntry[]
  /** Closed connections of the last minute by destination, or null where close events are not followed. */
  readonly churn: ConnectionChurn | null
  readonly scan: SocketScan
  /** When each CLOSE_WAIT socket (by id) was first seen in that state. */
  readonly closeWaitSince: ReadonlyMap<string, number>
  /** Ids of the findings raised before this tick. */
  readonly activeIds: ReadonlySet<string>
  /** Accepted connections held by a quiet peer this tick (see slow-client-rule.ts). */
  readonly slowCandidates: readonly SocketEntry[]
  /** When each of those (by id) was first seen so. */
  readonly slowSince: ReadonlyMap<string, number>
  /** pid → parent pid, read only while there are slow candidates; null when not read. */
  readonly processParents: ReadonlyMap<number, number> | null
}

/** A rule: the candidates worth tracking at this tick (ones that neither raise nor keep may be left out). */
export type LeakRule = (input: RuleInput) => Candidate[]

/** One pass over the table for the rules. */
export function scanSockets(sockets: readonly SocketEntry[]): SocketScan {
  const listening = new Map<number, FindingProcess | null>()
  const closeWait: SocketEntry[] = []
  const timeWait: SocketEntry[] = []
  for (const socket of sockets) {
    if (socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.state === 'UNCONN')) {
      if (socket.localPort !== null && socket.protocol !== 'unix') {
        const key = listeningKey(socket.protocol, socket.localPort)
        if (!listening.get(key)) listening.set(key, socket.pid !== null ? { pid: socket.pid, name: socket.process ?? '' } : null)
      }
    } else if (socket.state === 'CLOSE_WAIT') closeWait.push(socket)
    else if (socket.state === 'TIME_WAIT') timeWait.push(socket)
  }
  return { listening, closeWait, timeWait }
}

/**
 * The remote side a socket talks to, in words. An accepted connection is named after its own
 * listening port and the client address, since each client uses a different port.
 */
export function endpointGroup(socket: SocketEntry, listening: ListeningOwners): string {
  if (socket.localPort !== null && listening.has(listeningKey(socket.protocol, socket.localPort))) {
    return `clients of :${socket.localPort} from ${socket.remoteAddress}`
  }
  return formatEndpoint(socket.remoteAddress, socket.remotePort, socket.family)
}

/** A remote endpoint with how many sockets go to it, and one of them. */
export interface EndpointCount extends EvidenceGroup {
  readonly example: SocketEntry
}

/**
 * Groups sockets by remote endpoint, as `endpointGroup` names them, largest first. Counts on
 * nested maps of address and port and names only the groups it returns, so it stays cheap on
 * tens of thousands of TIME_WAIT sockets.
 */
export function groupByEndpoint(sockets: Iterable<SocketEntry>, listening: ListeningOwners, limit = 5): EndpointCount[] {
  const byAddress = new Map<string, Map<number, { count: number; example: SocketEntry }>>()
  for (const socket of sockets) {
    const server = socket.localPort !== null && listening.has(listeningKey(socket.protocol, socket.localPort))
    // Accepted connections group by their own port; outgoing ones by the peer's.
    const port = server ? 65_536 + (socket.localPort ?? 0) : (socket.remotePort ?? 0)
    let ports = byAddress.get(socket.remoteAddress)
    if (!ports) {
      ports = new Map()
      byAddress.set(socket.remoteAddress, ports)
    }
    const entry = ports.get(port)
    if (entry) entry.count++
    else ports.set(port, { count: 1, example: socket })
  }
  const counted: Array<{ count: number; example: SocketEntry }> = []
  for (const ports of byAddress.values()) counted.push(...ports.values())
  return counted
    .sort((a, b) => b.count - a.count)
    .slice(0, limit)
    .map((entry) => ({ label: endpointGroup(entry.example, listening), count: entry.count, example: entry.example }))
}

/** Counts by label, largest first, at most `limit`. */
export function topGroups(labels: Iterable<string>, limit = 5): EvidenceGroup[] {
  const counts = new Map<string, number>()
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1)
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    .slice(0, limit)
}

/** "3 min 20 s", "45 s", "2 h 5 min". */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`
  const hours = Math.floor(minutes / 60)
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
}

/** A number for a sentence: integers as they are, others with at most one decimal. */
export function formatAmount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 10 ? 0 : 1)
}

/** "node (pid 1234)". */
export function describeProcess(process: FindingProcess): string {
  return `${process.name || 'process'} (pid ${process.pid})`
}

/** Keeps at most `limit` points of a series for the evidence, evenly spread. */
export function evidenceSeries(label: string, times: readonly number[], values: readonly number[], limit = 120): FindingEvidence['series'] {
  if (times.length === 0) return null
  const indices = evenIndices(times.length, limit)
  return { label, times: indices.map((index) => elementAt(times, index)), values: indices.map((index) => elementAt(values, index)) }
}
