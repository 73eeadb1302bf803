/**
 * The exposure audit: every listening TCP socket and bound UDP socket, who holds it, how far it
 * can be reached from, which well-known service it looks like, whether it speaks TLS, and what
 * deserves a look. The backend builds it, `sockscope audit` prints it and the Exposure view shows it.
 */

/**
 * How far a listener can be reached from, within its own network namespace:
 * - `loopback`: only from this machine (127.0.0.0/8, ::1);
 * - `interface`: from the networks of one interface address;
 * - `all`: from every interface (`0.0.0.0`, `::`).
 */
export type ListenerReach = 'loopback' | 'interface' | 'all'

/** What the TLS probe of one listener found, in the shape `sockscope audit --json` prints. */
export interface ListenerTls {
  /** True when the listener finished a TLS handshake. */
  readonly speaksTls: boolean
  /** The negotiated version (`TLSv1.3`), or null when it does not speak TLS. */
  readonly version: string | null
  /** The leaf certificate's subject, or null. */
  readonly subject: string | null
  /** Whole days until the leaf certificate expires (negative once it has), or null. */
  readonly daysLeft: number | null
}

/**
 * What the probe concluded, in one word: `tls`; `cleartext` (it answered the ClientHello with
 * bytes that are not TLS, such as an HTTP error or a banner); `not-tls` (it closed, reset or
 * stayed silent); `not-probed` (the probe could not reach it from here: another network
 * namespace, or no local address to aim at; `tls` stays null then).
 */
export type TlsVerdict = 'tls' | 'cleartext' | 'not-tls' | 'not-probed'

/** One listener as the audit reports it. The first fields are exactly what `audit --json` prints. */
export interface AuditListener {
  readonly protocol: 'tcp' | 'udp'
  readonly localAddress: string
  readonly localPort: number
  readonly reach: ListenerReach
  readonly pid: number | null
  readonly process: string | null
  readonly user: string | null
  /** The network namespace (inode), or null where not known. */
  readonly netns: number | null
  /** The well-known service this port or process is (`SSH`, `PostgreSQL`, `Node.js inspector`), or null. */
  readonly service: string | null
  /** Null when not probed. */
  readonly tls: ListenerTls | null
  /** Sentences about what deserves a look; empty when nothing does. */
  readonly warnings: readonly string[]

  /** The container that namespace belongs to, or null for the host and unnamed namespaces. */
  readonly container: string | null
  /** True when the namespace is not the one sockscope runs in (a container or `ip netns`). */
  readonly otherNamespace: boolean
  /** True when the service is one that should rarely face a network (databases, debuggers, remote shells). */
  readonly sensitive: boolean
  /** The reason the user gave for this listener to be reachable, or null. */
  readonly reason: string | null
  /** What the TLS probe concluded, or null when not probed; `tlsNote` says it in a sentence. */
  readonly tlsVerdict: TlsVerdict | null
  readonly tlsNote: string | null
  /** Host listeners seen forwarding to this container listener (`docker-proxy`), as `address:port`. */
  readonly publishedAs: readonly string[]
}

/** A reason the user gave for a listener to be reachable beyond loopback. */
export interface ExposureReason {
  readonly protocol: 'tcp' | 'udp'
  readonly port: number
  /** The process name it applies to; null for whichever process listens on the port. */
  readonly process: string | null
  readonly reason: string
}

/** The audit of one moment. */
export interface AuditReport {
  /** Epoch milliseconds of the socket read. */
  readonly takenAt: number
  /** Whether listeners were probed for TLS. */
  readonly probedTls: boolean
  readonly listeners: readonly AuditListener[]
  /** True when some owners could not be seen (not root). */
  readonly partialOwnership: boolean
}

/**
 * The rules `--fail-on` can name:
 * - `exposed-sensitive`: a sensitive service reachable beyond loopback with no reason given;
 * - `exposed-unexplained`: any listener reachable beyond loopback with no reason given;
 * - `exposed-cleartext`: a TCP listener reachable beyond loopback that the TLS probe found not to speak TLS;
 * - `expiring-certificate`: a probed certificate with fewer than 14 days left.
 */
export const AUDIT_FAIL_RULES = ['exposed-sensitive', 'exposed-unexplained', 'exposed-cleartext', 'expiring-certificate'] as const

/** A rule `--fail-on` can name. */
export type AuditFailRule = (typeof AUDIT_FAIL_RULES)[number]

/** Days left under which a certificate counts as expiring. */
export const EXPIRING_CERTIFICATE_DAYS = 14

/** True when the listener can be reached from beyond this machine (or beyond its container). */
export function isExposed(listener: Pick<AuditListener, 'reach'>): boolean {
  return listener.reach !== 'loopback'
}

/** Whether one listener breaks one rule. */
export function breaksRule(listener: AuditListener, rule: AuditFailRule): boolean {
  switch (rule) {
    case 'exposed-sensitive':
      return isExposed(listener) && listener.sensitive && listener.reason === null
    case 'exposed-unexplained':
      return isExposed(listener) && listener.reason === null
    case 'exposed-cleartext':
      return isExposed(listener) && listener.protocol === 'tcp' && listener.tls !== null && !listener.tls.speaksTls
    case 'expiring-certificate':
      return listener.tls !== null && listener.tls.daysLeft !== null && listener.tls.daysLeft < EXPIRING_CERTIFICATE_DAYS
  }
}

/** A stable key for a listener: protocol, namespace, address and port. */
export function listenerKey(listener: Pick<AuditListener, 'protocol' | 'netns' | 'localAddress' | 'localPort'>): string {
  return `${listener.protocol}|${listener.netns ?? ''}|${listener.localAddress}|${listener.localPort}`
}
