/**
 * "Capture this": pcap-filter(7) expressions built from a socket row or from a process's ports,
 * so the UI can show the filter before the capture starts and the user can edit it.
 *
 * Browser-safe and pure.
 */
import { formatIpAddress, parseIpAddress, unmapIpv4 } from './net/ip-address'
import type { SocketEntry } from './model/socket'

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
  const sorted = [...new Set(ports)].sort((first, second) => first - second)
  const runs: { first: number; last: number }[] = []
  for (const port of sorted) {
    const run = runs.at(-1)
    if (run && port === run.last + 1) run.last = port
    else runs.push({ first: port, last: port })
  }
  const terms: string[] = []
  for (const { first, last } of runs) {
    if (last - first + 1 >= PORT_RANGE_MINIMUM) {
      terms.push(`${protocol} portrange ${first}-${last}`)
    } else {
      for (let port = first; port <= last; port++) terms.push(`${protocol} port ${port}`)
    }
  }
  return terms
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
 * The traffic of one process: every TCP and UDP port its sockets are bound to (listeners and the
 * local ends of its connections). Null when the process holds no such socket.
 */
export function captureFilterForProcess(sockets: readonly SocketEntry[], pid: number): string | null {
  const ports: CaptureFilterPort[] = []
  for (const socket of sockets) {
    if (socket.protocol !== 'tcp' && socket.protocol !== 'udp') continue
    if (socket.pid !== pid && !socket.owners.some((owner) => owner.pid === pid)) continue
    if (isValidPort(socket.localPort)) ports.push({ protocol: socket.protocol, port: socket.localPort })
  }
  return captureFilterForPorts(ports)
}
