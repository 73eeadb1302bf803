/**
 * The exposure audit of one socket table, as a pure function: every listening TCP socket and bound
 * UDP socket with its holder, its reach, the service it looks like, the TLS probe's answer when
 * there is one, and sentences about what deserves a look.
 */
import type { AuditListener, ExposureReason, ListenerReach, ListenerTls, TlsVerdict } from '../../../shared/model/audit'
import { EXPIRING_CERTIFICATE_DAYS, listenerKey } from '../../../shared/model/audit'
import type { SocketEntry } from '../../../shared/model/socket'
import { formatHostPort } from '../../../shared/format/socket-text'
import { isLoopbackAddress } from '../../../shared/probe-target'
import { recognizeService } from './well-known-services'

/** What the TLS probe found for one listener. */
export interface TlsCheck {
  /** Null when the listener could not be probed from here. */
  readonly tls: ListenerTls | null
  readonly verdict: TlsVerdict
  /** The finding in a sentence. */
  readonly note: string
}

/** What the audit reads besides the table. */
export interface AuditContext {
  /** The namespace sockscope runs in; listeners of any other are a container's. */
  readonly homeNetns: number | null
  /** Reasons the user gave for listeners to be reachable. */
  readonly reasons: readonly ExposureReason[]
  /** TLS probe findings by `listenerKey`; empty when the run did not probe. */
  readonly tls?: ReadonlyMap<string, TlsCheck>
}

/** Addresses that mean "every interface". */
const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(['0.0.0.0', '::', '*', ''])

/** How far a listener on `address` can be reached from, within its namespace. */
export function reachOf(address: string): ListenerReach {
  if (WILDCARD_ADDRESSES.has(address)) return 'all'
  return isLoopbackAddress(address.replace(/%.*$/, '')) ? 'loopback' : 'interface'
}

/** A listening TCP socket, or a UDP socket bound to a port and not connected. */
export function isListener(socket: SocketEntry): socket is SocketEntry & { protocol: 'tcp' | 'udp'; localPort: number } {
  if (socket.localPort === null || socket.localPort === 0) return false
  return (socket.protocol === 'tcp' && socket.state === 'LISTEN') || (socket.protocol === 'udp' && socket.state === 'UNCONN')
}

/** The reason given for a listener, when one matches its protocol, port and (if named) process. */
export function reasonFor(reasons: readonly ExposureReason[], protocol: 'tcp' | 'udp', port: number, process: string | null): string | null {
  const matching = reasons.filter((entry) => entry.protocol === protocol && entry.port === port && (entry.process === null || entry.process === process))
  // A reason naming the process is more specific than one for the port alone.
  const best = matching.find((entry) => entry.process !== null) ?? matching[0]
  return best?.reason ?? null
}

/** A port a `docker-proxy` on the host forwards to a container address. */
interface PublishedPort {
  readonly protocol: 'tcp' | 'udp'
  readonly host: string
  readonly containerAddress: string
  readonly containerPort: number
}

/** The value after `-name` (or `--name`, `-name=value`) in a command line. */
function commandOption(command: string, name: string): string | null {
  const match = new RegExp(`(?:^|\\s)--?${name}(?:=|\\s+)(\\S+)`).exec(command)
  return match?.[1] ?? null
}

/** The ports `docker-proxy` processes publish, read from their command lines. */
export function publishedPorts(sockets: readonly SocketEntry[]): PublishedPort[] {
  const published: PublishedPort[] = []
  for (const socket of sockets) {
    if (!isListener(socket) || socket.process !== 'docker-proxy' || socket.command === null) continue
    const containerAddress = commandOption(socket.command, 'container-ip')
    const containerPort = Number(commandOption(socket.command, 'container-port'))
    if (containerAddress === null || !Number.isInteger(containerPort)) continue
    published.push({ protocol: socket.protocol, host: formatHostPort(socket.localAddress || '*', socket.localPort), containerAddress, containerPort })
  }
  return published
}

/**
 * The host listeners forwarding to a container listener: same protocol and port, and the
 * container address is this listener's own, or one its namespace uses; when no namespace shows
 * the address, the only container listener on that port takes it.
 */
function publishedFor(
  listener: SocketEntry & { protocol: 'tcp' | 'udp'; localPort: number },
  published: readonly PublishedPort[],
  addressesByNetns: ReadonlyMap<number | null, ReadonlySet<string>>,
  candidatesByPort: ReadonlyMap<string, number>
): string[] {
  const own = addressesByNetns.get(listener.netns) ?? new Set<string>()
  return published
    .filter((entry) => {
      if (entry.protocol !== listener.protocol || entry.containerPort !== listener.localPort) return false
      if (listener.localAddress === entry.containerAddress) return true
      if (reachOf(listener.localAddress) !== 'all') return false
      const seenSomewhere = [...addressesByNetns.values()].some((addresses) => addresses.has(entry.containerAddress))
      return seenSomewhere ? own.has(entry.containerAddress) : candidatesByPort.get(`${entry.protocol}|${entry.containerPort}`) === 1
    })
    .map((entry) => entry.host)
}

/** Audits every listener of the table, the exposed and sensitive first. */
export function auditListeners(sockets: readonly SocketEntry[], context: AuditContext): AuditListener[] {
  const published = publishedPorts(sockets)
  const addressesByNetns = new Map<number | null, Set<string>>()
  const candidatesByPort = new Map<string, number>()
  for (const socket of sockets) {
    if (socket.family === null) continue
    let addresses = addressesByNetns.get(socket.netns)
    if (addresses === undefined) {
      addresses = new Set()
      addressesByNetns.set(socket.netns, addresses)
    }
    addresses.add(socket.localAddress)
    if (isListener(socket) && isOtherNamespace(socket.netns, context.homeNetns)) {
      const key = `${socket.protocol}|${socket.localPort}`
      candidatesByPort.set(key, (candidatesByPort.get(key) ?? 0) + 1)
    }
  }
  const listeners: AuditListener[] = []
  for (const socket of sockets) {
    if (!isListener(socket)) continue
    const otherNamespace = isOtherNamespace(socket.netns, context.homeNetns)
    const [owner] = socket.owners
    const service = recognizeService(socket.protocol, socket.localPort, socket.process, socket.command)
    const base = {
      protocol: socket.protocol,
      localAddress: socket.localAddress,
      localPort: socket.localPort,
      reach: reachOf(socket.localAddress),
      netns: socket.netns
    }
    const check = context.tls?.get(listenerKey(base)) ?? null
    const reason = reasonFor(context.reasons, socket.protocol, socket.localPort, socket.process)
    const listener: AuditListener = {
      ...base,
      pid: socket.pid,
      process: socket.process,
      user: owner?.user ?? socket.user,
      service: service?.name ?? null,
      tls: check?.tls ?? null,
      warnings: [],
      container: socket.container,
      otherNamespace,
      sensitive: service?.sensitive ?? false,
      reason,
      tlsVerdict: check?.verdict ?? null,
      tlsNote: check?.note ?? null,
      publishedAs: otherNamespace ? publishedFor(socket, published, addressesByNetns, candidatesByPort) : []
    }
    listeners.push({ ...listener, warnings: warningsFor(listener, service?.risk ?? null) })
  }
  return listeners.sort(byConcern)
}

function isOtherNamespace(netns: number | null, home: number | null): boolean {
  return netns !== null && home !== null && netns !== home
}

/** Exposed before loopback, sensitive before ordinary, then by port. */
function byConcern(a: AuditListener, b: AuditListener): number {
  const rank = (listener: AuditListener) => (listener.reach === 'loopback' ? 2 : listener.sensitive ? 0 : 1)
  return rank(a) - rank(b) || a.localPort - b.localPort || a.protocol.localeCompare(b.protocol) || a.localAddress.localeCompare(b.localAddress)
}

/** Where a listener can be reached from, as the end of a sentence. */
function reachText(listener: AuditListener): string {
  const where = listener.otherNamespace ? ` of ${listener.container === null ? `network namespace ${listener.netns}` : `container ${listener.container}`}` : ''
  if (listener.reach === 'all') return `every network interface${where}`
  return `the network of ${listener.localAddress}${where}`
}

/** The warnings of one listener, each a sentence that says what to do. */
function warningsFor(listener: AuditListener, risk: string | null): string[] {
  const warnings: string[] = []
  const endpoint = `${listener.protocol} ${formatHostPort(listener.localAddress || '*', listener.localPort)}`
  const holder = listener.process === null ? '' : ` (${listener.process}${listener.pid === null ? '' : ` pid ${listener.pid}`})`
  if (listener.reach !== 'loopback' && listener.reason === null) {
    if (listener.sensitive) {
      warnings.push(
        `${listener.service} on ${endpoint}${holder} is reachable from ${reachText(listener)}; it is ${risk ?? 'a sensitive service'}. ` +
          'Bind it to 127.0.0.1 (or ::1) unless other machines must use it, and give a reason if they must.'
      )
    } else {
      warnings.push(
        `${endpoint}${holder} is reachable from ${reachText(listener)} and no reason is given. ` + 'Bind it to 127.0.0.1 if only this machine uses it, or give a reason.'
      )
    }
  }
  if (listener.otherNamespace && listener.reach !== 'loopback') {
    warnings.push(
      listener.publishedAs.length > 0
        ? `Published to the host as ${listener.publishedAs.join(', ')}, so machines that reach those addresses reach it too.`
        : 'No host port forwards to it as far as sockscope can see (no docker-proxy names it); other containers on its networks can still reach it.'
    )
  }
  if (listener.reach !== 'loopback' && listener.tls !== null && !listener.tls.speaksTls) {
    warnings.push(
      listener.tlsVerdict === 'cleartext'
        ? `It answers in cleartext: whatever crosses the network to it can be read on the way. Put TLS in front of it if it carries anything private.`
        : `It did not speak TLS to the probe; if it carries anything private, whatever crosses the network to it can be read on the way.`
    )
  }
  if (listener.tls?.daysLeft !== null && listener.tls?.daysLeft !== undefined && listener.tls.daysLeft < EXPIRING_CERTIFICATE_DAYS) {
    warnings.push(
      listener.tls.daysLeft < 0
        ? `Its certificate expired ${-listener.tls.daysLeft} day${listener.tls.daysLeft === -1 ? '' : 's'} ago; clients that check certificates refuse it.`
        : `Its certificate expires in ${listener.tls.daysLeft} day${listener.tls.daysLeft === 1 ? '' : 's'}; renew it.`
    )
  }
  return warnings
}
