/**
 * What sockscope exports to Prometheus, as metric families. Pure: one tick's counts in, families
 * out, in a fixed order so the text is the same for the same tick.
 *
 * Labels that name processes and destinations are bounded: only the busiest `top` processes and
 * destinations get series of their own, and the rest are summed into one `other` series, so a
 * host with thousands of short-lived processes cannot flood the server that scrapes it.
 */
import { HISTORY_PROTOCOLS, portRangeSize, type EphemeralUse, type PortRange, type ProcessSample } from '../../../shared/model/history'
import type { Finding } from '../../../shared/model/finding'
import { TCP_STATES, type SocketEntry } from '../../../shared/model/socket'
import { formatHostPort } from '../../../shared/format/socket-text'
import type { MetricFamily, MetricSample } from './exposition-text'

/** The label value of the series that sums every process or destination beyond the busiest. */
export const OTHER_LABEL = 'other'

/** Processes and destinations with series of their own, unless told otherwise. */
export const DEFAULT_METRICS_TOP = 20
/** Most processes and destinations with series of their own: the history measures fds of the busiest 128 processes. */
export const MAXIMUM_METRICS_TOP = 100

/** The sockets of one process, by state. */
export interface ProcessSockets {
  readonly pid: number
  readonly name: string
  readonly sockets: number
  readonly states: Readonly<Record<string, number>>
}

/** One tick, as the metrics read it. */
export interface MetricsInput {
  /** sockscope's version, for `sockscope_build_info`. */
  readonly version: string
  /** Every socket of the table (after any filter). */
  readonly sockets: readonly SocketEntry[]
  /** Every process holding a socket; a socket shared by several counts for each. */
  readonly processes: Iterable<ProcessSockets>
  /** Open fds and limits of the processes the history measured, by pid. */
  readonly fileDescriptors: readonly Pick<ProcessSample, 'pid' | 'fdCount' | 'fdSoftLimit'>[]
  /** Ephemeral ports in use per destination, every destination. */
  readonly ephemeral: readonly EphemeralUse[]
  readonly portRange: PortRange | null
  /** The leak detector's findings that hold now. */
  readonly findings: readonly Finding[]
  /** How long the read of the socket tables took, milliseconds. */
  readonly refreshMs: number
  /** When the read was taken, epoch milliseconds. */
  readonly takenAt: number
}

/** How many processes and destinations get series of their own. */
export interface MetricsBounds {
  readonly topProcesses: number
  readonly topDestinations: number
}

/** The families for one tick, in the order they are written. */
export function buildMetricFamilies(input: MetricsInput, bounds: MetricsBounds): MetricFamily[] {
  const { shown, rest } = busiestProcesses(input.processes, bounds.topProcesses)
  const limits = new Map(input.fileDescriptors.map((process) => [process.pid, process]))
  const measured = shown.map((process) => ({ process, fds: limits.get(process.pid) }))
  return [
    buildInfoFamily(input.version),
    { name: 'sockscope_sockets', help: 'Sockets in the table by protocol and state; every TCP state is listed.', samples: socketsByProtocolAndState(input.sockets) },
    {
      name: 'sockscope_process_sockets',
      help: `Sockets held by each of the busiest processes, by state; the rest summed as process ${OTHER_LABEL}.`,
      samples: processSockets(shown, rest)
    },
    {
      name: 'sockscope_process_open_fds',
      help: 'Open file descriptors of each of the busiest processes (sockets and everything else).',
      samples: measured.flatMap(({ process, fds }) => (fds?.fdCount == null ? [] : [{ labels: processLabels(process), value: fds.fdCount }]))
    },
    {
      name: 'sockscope_process_fd_soft_limit',
      help: 'Soft limit on open files (RLIMIT_NOFILE) of each of the busiest processes; absent when unlimited or unknown.',
      samples: measured.flatMap(({ process, fds }) => (fds?.fdSoftLimit == null ? [] : [{ labels: processLabels(process), value: fds.fdSoftLimit }]))
    },
    {
      name: 'sockscope_ephemeral_ports',
      help: `Local ports from the ephemeral range in use per destination, the busiest ones; the rest summed as destination ${OTHER_LABEL}.`,
      samples: ephemeralPorts(input.ephemeral, bounds.topDestinations)
    },
    {
      name: 'sockscope_ephemeral_port_range_size',
      help: 'Ports in the range the kernel picks ephemeral ports from (ip_local_port_range).',
      samples: input.portRange === null ? [] : [{ labels: [], value: portRangeSize(input.portRange) }]
    },
    { name: 'sockscope_finding', help: 'Findings of the leak detector that hold now, by kind and process name.', samples: findingCounts(input.findings) },
    {
      name: 'sockscope_refresh_duration_seconds',
      help: 'How long the last read of the socket tables took.',
      unit: 'seconds',
      // Microseconds are plenty, and spare the text digits like 0.0076100000000000004.
      samples: [{ labels: [], value: Math.round(input.refreshMs * 1000) / 1_000_000 }]
    },
    {
      name: 'sockscope_last_refresh_timestamp_seconds',
      help: 'When the socket tables were last read, seconds since the epoch.',
      unit: 'seconds',
      samples: [{ labels: [], value: input.takenAt / 1000 }]
    }
  ]
}

/** `sockscope_build_info{version}`: the one family known before the first read. */
export function buildInfoFamily(version: string): MetricFamily {
  return { name: 'sockscope_build_info', help: 'The version of sockscope serving these metrics; always 1.', samples: [{ labels: [['version', version]], value: 1 }] }
}

/** The `top` processes with most sockets (ties: lower pid first), and the others. */
function busiestProcesses(processes: Iterable<ProcessSockets>, top: number): { shown: ProcessSockets[]; rest: ProcessSockets[] } {
  const sorted = [...processes].sort((a, b) => b.sockets - a.sockets || a.pid - b.pid)
  return { shown: sorted.slice(0, top), rest: sorted.slice(top) }
}

function processLabels(process: ProcessSockets): MetricSample['labels'] {
  return [
    ['process', process.name],
    ['pid', String(process.pid)]
  ]
}

/** Every TCP state (zero included, so an alert on one has a series to read), then what other protocols have. */
function socketsByProtocolAndState(sockets: readonly SocketEntry[]): MetricSample[] {
  const counts = new Map<string, Map<string, number>>(HISTORY_PROTOCOLS.map((protocol) => [protocol, new Map<string, number>()]))
  const statesOf = (protocol: string): Map<string, number> => {
    const states = counts.get(protocol) ?? new Map<string, number>()
    counts.set(protocol, states)
    return states
  }
  for (const state of TCP_STATES) statesOf('tcp').set(state, 0)
  for (const socket of sockets) {
    const states = statesOf(socket.protocol)
    states.set(socket.state, (states.get(socket.state) ?? 0) + 1)
  }
  return [...counts].flatMap(([protocol, states]) =>
    [...states]
      .sort(([a], [b]) => compareText(a, b))
      .map(([state, count]) => ({
        labels: [
          ['protocol', protocol],
          ['state', state]
        ] as const,
        value: count
      }))
  )
}

function processSockets(shown: readonly ProcessSockets[], rest: readonly ProcessSockets[]): MetricSample[] {
  const byState = (labels: MetricSample['labels'], states: Readonly<Record<string, number>>): MetricSample[] =>
    Object.entries(states)
      .sort(([a], [b]) => compareText(a, b))
      .map(([state, value]) => ({ labels: [...labels, ['state', state]], value }))
  const samples = shown.flatMap((process) => byState(processLabels(process), process.states))
  if (rest.length > 0) samples.push(...byState([['process', OTHER_LABEL]], sumStates(rest.map((process) => process.states))))
  return samples
}

function ephemeralPorts(uses: readonly EphemeralUse[], top: number): MetricSample[] {
  const sorted = [...uses].sort((a, b) => b.count - a.count || compareText(destinationOf(a), destinationOf(b)))
  const samples: MetricSample[] = sorted.slice(0, top).map((use) => ({
    labels: [
      ['protocol', use.protocol],
      ['local_address', use.localAddress],
      ['destination', destinationOf(use)]
    ],
    value: use.count
  }))
  const rest = sorted.slice(top)
  if (rest.length > 0) samples.push({ labels: [['destination', OTHER_LABEL]], value: rest.reduce((sum, use) => sum + use.count, 0) })
  return samples
}

function destinationOf(use: EphemeralUse): string {
  return formatHostPort(use.remoteAddress, use.remotePort)
}

/** Findings per (kind, process name): two processes of one name make one series of 2, never two series of one name. */
function findingCounts(findings: readonly Finding[]): MetricSample[] {
  const counts = new Map<string, { kind: string; process: string; count: number }>()
  for (const finding of findings) {
    const process = finding.process?.name ?? ''
    const key = `${finding.kind}\u0000${process}`
    const entry = counts.get(key)
    if (entry) entry.count++
    else counts.set(key, { kind: finding.kind, process, count: 1 })
  }
  return [...counts.values()]
    .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.process, b.process))
    .map(({ kind, process, count }) => ({
      labels: [
        ['kind', kind],
        ['process', process]
      ] as const,
      value: count
    }))
}

function sumStates(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {}
  for (const states of all) for (const [state, count] of Object.entries(states)) sum[state] = (sum[state] ?? 0) + count
  return sum
}

/** Code-point order, the same on every machine (unlike localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
