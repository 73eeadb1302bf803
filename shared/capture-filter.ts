/**
 * "Capture this": pcap-filter(7) expressions built from a socket row or from a process's ports,
 * so the UI can show the filter before the capture starts and the user can edit it.
 *
 * Browser-safe and pure.
 */
import { formatIpAddress, parseIpAddress, unmapIpv4 } from './net/ip-address'
import type { SocketEntry } from './model/socket'
import { elementAt } from './element-at'

/** A transport port to capture. */
export interface CaptureFilterPort {
  readonly protocol: 'tcp' | 'udp'
  readonly port: number
}

/** Runs of at least this many consecutive ports become one `portrange`. */
const PORT_RANGE_MINIMUM = 3

function isValidPort(port: number | null): port is number {
  return port !== null && Number.isInteger(port) && port > 0 && port <= 65535
}

/**
 * The address as the wire carries it, for a `host` primitive: IPv4-mapped addresses become
 * IPv4, zones are dropped. Null for wildcards (0.0.0.0, ::, *) and non-addresses.
 */
function hostOnWire(text: string): string | null {
  const parsed = parseIpAddress(text)
  if (!parsed) return null
  const address = unmapIpv4({ ...parsed, zone: null })
  if (address.words.every((word) => word === 0)) return null
  return formatIpAddress(address)
}

function portTerms(protocol: 'tcp' | 'udp', ports: readonly number[]): string[] {
  return runTerms(protocol, portRuns(ports))
}

/**
 * `tcp port 8080 or udp port 53` for a set of ports; runs of consecutive ports become a
 * `portrange`. Invalid ports are ignored; returns null when none is left.
 */
export function captureFilterForPorts(ports: readonly CaptureFilterPort[]): string | null {
  const valid = ports.filter((entry) => isValidPort(entry.port))
  const terms = [
    ...portTerms(
      'tcp',
      valid.filter((entry) => entry.protocol === 'tcp').map((entry) => entry.port)
    ),
    ...portTerms(
      'udp',
      valid.filter((entry) => entry.protocol === 'udp').map((entry) => entry.port)
    )
  ]
  return terms.length === 0 ? null : terms.join(' or ')
}

/**
 * The traffic of one socket. A connected socket gets both endpoints
 * (`tcp and host 10.0.0.5 and port 51234 and host 93.184.216.34 and port 443`); a listening or
 * unconnected one gets its local endpoint, with the host only when it is bound to one address.
 * Null for UNIX and raw sockets and sockets without a port.
 */
export function captureFilterForSocket(socket: SocketEntry): string | null {
  if ((socket.protocol !== 'tcp' && socket.protocol !== 'udp') || !isValidPort(socket.localPort)) return null
  const terms: string[] = [socket.protocol]
  const localHost = hostOnWire(socket.localAddress)
  const remoteHost = hostOnWire(socket.remoteAddress)
  const connected = remoteHost !== null && isValidPort(socket.remotePort)
  if (localHost) terms.push(`host ${localHost}`)
  terms.push(`port ${socket.localPort}`)
  if (connected) {
    if (remoteHost !== localHost) terms.push(`host ${remoteHost}`)
    if (socket.remotePort !== socket.localPort) terms.push(`port ${socket.remotePort}`)
  }
  return terms.join(' and ')
}

/**
 * Most `port` and `portrange` terms a process's filter gets. A busy process holds thousands of
 * ports; libpcap compiles each term into about a dozen instructions for IPv4 and IPv6, and a
 * filter of thousands of terms is refused (or too slow to run on every packet).
 */
export const MAX_PROCESS_FILTER_TERMS = 24

/** The capture filter for one process, and whether it had to let more through than the process's ports. */
export interface ProcessCaptureFilter {
  readonly filter: string
  /**
   * True when runs of ports were joined across gaps to stay within MAX_PROCESS_FILTER_TERMS: other
   * processes' packets on those ports pass too, and the display filter `pid:N` shows only this one's.
   */
  readonly widened: boolean
}

interface PortRun {
  first: number
  last: number
}

/**
 * The traffic of one process, compact: each local port once, so a listener's port stands for
 * every connection it accepted and only the process's own client ends add more. Consecutive ports
 * become a `portrange`; past MAX_PROCESS_FILTER_TERMS, the runs with the narrowest gaps between
 * them are joined until the filter fits. Null when the process holds no TCP or UDP port.
 */
export function captureFilterForProcess(sockets: readonly SocketEntry[], pid: number): ProcessCaptureFilter | null {
  const ports = { tcp: new Set<number>(), udp: new Set<number>() }
  for (const socket of sockets) {
    if (socket.protocol !== 'tcp' && socket.protocol !== 'udp') continue
    if (socket.pid !== pid && !socket.owners.some((owner) => owner.pid === pid)) continue
    // A connection a listener accepted has the listener's port, so the listener's term covers it.
    if (isValidPort(socket.localPort)) ports[socket.protocol].add(socket.localPort)
  }
  const tcp = portRuns([...ports.tcp])
  const udp = portRuns([...ports.udp])
  if (tcp.length + udp.length === 0) return null
  // TCP may use what UDP leaves of the cap, but no less than half of it; UDP then gets the rest.
  const tcpWidened = joinRunsToFit(tcp, MAX_PROCESS_FILTER_TERMS - Math.min(termCount(udp), MAX_PROCESS_FILTER_TERMS / 2))
  const udpWidened = joinRunsToFit(udp, MAX_PROCESS_FILTER_TERMS - termCount(tcp))
  return { filter: [...runTerms('tcp', tcp), ...runTerms('udp', udp)].join(' or '), widened: tcpWidened || udpWidened }
}

/** Ports in ascending runs of consecutive numbers. */
function portRuns(ports: readonly number[]): PortRun[] {
  const runs: PortRun[] = []
  for (const port of [...new Set(ports)].sort((first, second) => first - second)) {
    const run = runs.at(-1)
    if (run && port === run.last + 1) run.last = port
    else runs.push({ first: port, last: port })
  }
  return runs
}

/** How many terms a run becomes: one `portrange` from PORT_RANGE_MINIMUM ports on, else a `port` each. */
function runSize(run: PortRun): number {
  const length = run.last - run.first + 1
  return length >= PORT_RANGE_MINIMUM ? 1 : length
}

function termCount(runs: readonly PortRun[]): number {
  return runs.reduce((sum, run) => sum + runSize(run), 0)
}

/**
 * Joins neighbouring runs, narrowest gap first, until they make at most `budget` terms (at least
 * one is always left). Runs are maximal, so two joined runs always span three ports or more and
 * become one `portrange`. True when it joined any.
 */
function joinRunsToFit(runs: PortRun[], budget: number): boolean {
  let terms = termCount(runs)
  const limit = Math.max(budget, Math.min(terms, 1))
  if (terms <= limit) return false
  // Each run starts as a group of its own; a group of two runs or more is one portrange.
  const groupOf = runs.map((_, index) => index)
  const groupRuns = runs.map(() => 1)
  const root = (index: number): number => {
    while (elementAt(groupOf, index) !== index) index = groupOf[index] = elementAt(groupOf, elementAt(groupOf, index))
    return index
  }
  const groupTerms = (group: number): number => (elementAt(groupRuns, group) > 1 ? 1 : runSize(elementAt(runs, group)))
  const gaps = runs.slice(1).map((run, index) => ({ after: index, width: run.first - elementAt(runs, index).last }))
  gaps.sort((first, second) => first.width - second.width || first.after - second.after)
  const joined = new Set<number>()
  for (const gap of gaps) {
    if (terms <= limit) break
    const left = root(gap.after)
    const right = root(gap.after + 1)
    terms -= groupTerms(left) + groupTerms(right) - 1
    groupOf[right] = left
    groupRuns[left] = elementAt(groupRuns, left) + elementAt(groupRuns, right)
    joined.add(gap.after)
  }
  const merged: PortRun[] = []
  runs.forEach((run, index) => {
    const previous = merged.at(-1)
    if (previous && joined.has(index - 1)) previous.last = run.last
    else merged.push({ ...run })
  })
  runs.splice(0, runs.length, ...merged)
  return true
}

function runTerms(protocol: 'tcp' | 'udp', runs: readonly PortRun[]): string[] {
  return runs.flatMap((run) =>
    runSize(run) === 1 && run.last > run.first
      ? [`${protocol} portrange ${run.first}-${run.last}`]
      : Array.from({ length: run.last - run.first + 1 }, (_, offset) => `${protocol} port ${run.first + offset}`)
  )
}
