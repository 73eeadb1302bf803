/**
 * Turns probe requests into complete, checked settings: defaults filled in, every number
 * inside its bound, payloads decoded to bytes.
 *
 * Pure and browser-safe. The backend runs these before it sends anything; the renderer's
 * forms run the same checks to show errors as the user types.
 */
import {
  DNS_RECORD_TYPES,
  PROBE_LIMITS,
  type AddressChoice,
  type DnsQuery,
  type DnsRecordType,
  type HolderOpenRequest,
  type ListenerMode,
  type NumericLimit,
  type PayloadSpec,
  type ProbeError,
  type RepeatedProbeRequest,
  type TcpProbeRequest,
  type TestListenerRequest,
  type TlsProbeRequest,
  type UdpProbeRequest
} from './model/probe'
import { DEFAULT_LISTEN_ADDRESS, ipVersion, parsePayload, parsePort, validateHost, validateListenAddress } from './probe-target'
import { validateDnsName } from './dns/dns-query'

/** Either checked settings or an `invalid-input` error saying what to fix. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ProbeError }

/** A TCP probe with every setting decided. */
export interface CheckedTcpProbe {
  readonly host: string
  readonly port: number
  readonly addressChoice: AddressChoice
  readonly timeoutMs: number
  readonly payload: Uint8Array | null
  readonly readLimitBytes: number
  readonly readTimeoutMs: number
}

/** A TLS probe with every setting decided. */
export interface CheckedTlsProbe {
  readonly host: string
  readonly port: number
  /** Null when no SNI is sent. */
  readonly servername: string | null
  readonly alpnProtocols: readonly string[]
  readonly caPem: string | null
  readonly caSource: string | null
  readonly insecure: boolean
  readonly timeoutMs: number
}

/** A UDP probe with every setting decided. */
export interface CheckedUdpProbe {
  readonly host: string
  readonly port: number
  /** The bytes to send, or null when a DNS query is to be built. */
  readonly payload: Uint8Array | null
  readonly dnsQuery: DnsQuery | null
  readonly timeoutMs: number
  readonly maxReplies: number
  readonly readLimitBytes: number
}

/** A repeated probe with every setting decided. */
export interface CheckedRepeatedProbe {
  readonly host: string
  readonly port: number
  readonly intervalMs: number
  readonly count: number | null
  readonly timeoutMs: number
}

/** A test listener with every setting decided. */
export interface CheckedListener {
  readonly protocol: 'tcp' | 'udp'
  readonly address: string
  readonly port: number
  readonly mode: ListenerMode
  readonly reply: Uint8Array | null
}

/** A holder request with every setting decided. */
export interface CheckedHolderOpen {
  readonly host: string
  readonly port: number
  readonly count: number
  readonly allowNonLoopback: boolean
  readonly timeoutMs: number
}

/** Build the `invalid-input` error every check returns. */
export function invalidInput(message: string, detail: string | null = null): ProbeError {
  return { kind: 'invalid-input', phase: 'input', detail, code: null, message }
}

class InputError extends Error {
  constructor(
    message: string,
    readonly detail: string | null = null
  ) {
    super(message)
  }
}

function check<T>(build: () => T): Checked<T> {
  try {
    return { ok: true, value: build() }
  } catch (error) {
    if (error instanceof InputError) return { ok: false, error: invalidInput(error.message, error.detail) }
    throw error
  }
}

/**
 * A setting within its bound: unset takes the default, anything else must be a whole number
 * inside the range (out-of-range values are refused, not silently clamped).
 */
function checkNumber(value: number | null | undefined, limit: NumericLimit, label: string): number {
  if (value === undefined || value === null) return limit.default
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InputError(`The ${label} must be a whole number; got ${String(value)}.`)
  }
  if (value < limit.min || value > limit.max) {
    throw new InputError(`The ${label} must be between ${limit.min} and ${limit.max}; got ${value}.`)
  }
  return value
}

function checkHost(host: unknown): string {
  if (typeof host !== 'string') throw new InputError('The host is missing.')
  const checked = validateHost(host)
  if (!checked.ok) throw new InputError(checked.error)
  return checked.value
}

function checkPort(port: unknown, allowZero = false): number {
  if (typeof port !== 'number' && typeof port !== 'string') throw new InputError('The port is missing.')
  const checked = parsePort(port, { allowZero })
  if (!checked.ok) throw new InputError(checked.error)
  return checked.value
}

function checkPayload(spec: PayloadSpec, maximumBytes: number): Uint8Array {
  const bytes = parsePayload(spec)
  if (!bytes.ok) throw new InputError(bytes.error)
  if (bytes.value.length > maximumBytes) {
    throw new InputError(`The payload is ${bytes.value.length} bytes; the limit is ${maximumBytes}.`)
  }
  return bytes.value
}

/** Check a one-shot TCP probe request. */
export function checkTcpProbe(request: TcpProbeRequest): Checked<CheckedTcpProbe> {
  return check(() => {
    const addressChoice = request.addressChoice ?? 'first'
    if (addressChoice !== 'first' && addressChoice !== 'all') {
      throw new InputError('The address choice must be "first" or "all".')
    }
    return {
      host: checkHost(request.host),
      port: checkPort(request.port),
      addressChoice,
      timeoutMs: checkNumber(request.timeoutMs, PROBE_LIMITS.timeoutMs, 'time limit (ms)'),
      payload: request.payload === undefined || request.payload === null ? null : checkPayload(request.payload, PROBE_LIMITS.tcpPayloadBytes),
      readLimitBytes: checkNumber(request.readLimitBytes, PROBE_LIMITS.readLimitBytes, 'read limit (bytes)'),
      readTimeoutMs: checkNumber(request.readTimeoutMs, PROBE_LIMITS.readTimeoutMs, 'first-byte time limit (ms)')
    }
  })
}

/**
 * Check an ALPN protocol name: 1-255 bytes of printable ASCII (RFC 7301 allows any bytes,
 * but every registered name is printable, and a typo with a space is more likely than a need for one).
 * Gives null when every name is valid, else what is wrong.
 */
function checkAlpnProtocols(protocols: readonly string[]): string | null {
  if (protocols.length > PROBE_LIMITS.alpnProtocols) {
    return `Offer at most ${PROBE_LIMITS.alpnProtocols} ALPN protocols.`
  }
  for (const protocol of protocols) {
    if (protocol === '') return 'An ALPN protocol name is empty (check for a stray comma).'
    if (!/^[\x21-\x7e]{1,255}$/.test(protocol)) {
      return `The ALPN protocol "${protocol}" must be printable ASCII without spaces, at most 255 characters.`
    }
  }
  return null
}

/** Check a TLS probe request. */
export function checkTlsProbe(request: TlsProbeRequest): Checked<CheckedTlsProbe> {
  return check(() => {
    const host = checkHost(request.host)
    let servername: string | null
    if (request.servername === undefined || request.servername === null || request.servername.trim() === '') {
      servername = ipVersion(host) === null ? host.replace(/\.$/, '') : null
    } else {
      const checked = validateHost(request.servername)
      if (!checked.ok) throw new InputError(`Server name: ${checked.error}`)
      if (ipVersion(checked.value) !== null) {
        throw new InputError('The server name (SNI) must be a host name; TLS does not send IP addresses as SNI.')
      }
      servername = checked.value.replace(/\.$/, '')
    }
    const alpnProtocols = [...(request.alpnProtocols ?? [])]
    const alpnProblem = checkAlpnProtocols(alpnProtocols)
    if (alpnProblem !== null) throw new InputError(alpnProblem)
    let caPem: string | null = null
    if (request.caPem !== undefined && request.caPem !== null) {
      if (!request.caPem.includes('-----BEGIN CERTIFICATE-----')) {
        throw new InputError('The CA file holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line).')
      }
      caPem = request.caPem
    }
    return {
      host,
      port: checkPort(request.port),
      servername,
      alpnProtocols,
      caPem,
      caSource: caPem === null ? null : (request.caSource ?? 'the provided CA certificates'),
      insecure: request.insecure === true,
      timeoutMs: checkNumber(request.timeoutMs, PROBE_LIMITS.timeoutMs, 'time limit (ms)')
    }
  })
}

/** Check a UDP probe request. */
export function checkUdpProbe(request: UdpProbeRequest): Checked<CheckedUdpProbe> {
  return check(() => {
    const hasPayload = request.payload !== undefined && request.payload !== null
    const hasQuery = request.dnsQuery !== undefined && request.dnsQuery !== null
    if (hasPayload === hasQuery) {
      throw new InputError(hasPayload ? 'Give either a payload or a DNS query, not both.' : 'A UDP probe needs a payload to send (text, hex, or the DNS query preset).')
    }
    let dnsQuery: DnsQuery | null = null
    if (request.dnsQuery !== undefined && request.dnsQuery !== null) {
      const name = validateDnsName(request.dnsQuery.name)
      if (!name.ok) throw new InputError(name.error)
      if (!DNS_RECORD_TYPES.includes(request.dnsQuery.type as DnsRecordType)) {
        throw new InputError(`Unknown DNS record type "${request.dnsQuery.type}"; use one of ${DNS_RECORD_TYPES.join(', ')}.`)
      }
      dnsQuery = { name: name.value, type: request.dnsQuery.type }
    }
    return {
      host: checkHost(request.host),
      port: checkPort(request.port),
      payload: request.payload === undefined || request.payload === null ? null : checkPayload(request.payload, PROBE_LIMITS.udpPayloadBytes),
      dnsQuery,
      timeoutMs: checkNumber(request.timeoutMs, PROBE_LIMITS.udpTimeoutMs, 'wait time (ms)'),
      maxReplies: checkNumber(request.maxReplies, PROBE_LIMITS.udpMaxReplies, 'reply count limit'),
      readLimitBytes: checkNumber(request.readLimitBytes, PROBE_LIMITS.readLimitBytes, 'read limit (bytes)')
    }
  })
}

/** Check a repeated probe request. */
export function checkRepeatedProbe(request: RepeatedProbeRequest): Checked<CheckedRepeatedProbe> {
  return check(() => ({
    host: checkHost(request.host),
    port: checkPort(request.port),
    intervalMs: checkNumber(request.intervalMs, PROBE_LIMITS.intervalMs, 'interval (ms)'),
    count: request.count === null ? null : checkNumber(request.count, PROBE_LIMITS.repeatCount, 'count'),
    timeoutMs: checkNumber(request.timeoutMs, PROBE_LIMITS.timeoutMs, 'time limit (ms)')
  }))
}

/** Check a test listener request. */
export function checkListener(request: TestListenerRequest): Checked<CheckedListener> {
  return check(() => {
    if (request.protocol !== 'tcp' && request.protocol !== 'udp') {
      throw new InputError('A listener is either tcp or udp.')
    }
    if (request.mode !== 'echo' && request.mode !== 'discard' && request.mode !== 'reply') {
      throw new InputError('A listener mode is echo, discard or reply.')
    }
    const address = validateListenAddress(request.address ?? DEFAULT_LISTEN_ADDRESS)
    if (!address.ok) throw new InputError(address.error)
    let reply: Uint8Array | null = null
    if (request.mode === 'reply') {
      if (request.reply === undefined || request.reply === null) {
        throw new InputError('A listener in reply mode needs the reply to send.')
      }
      reply = checkPayload(request.reply, request.protocol === 'udp' ? PROBE_LIMITS.udpPayloadBytes : PROBE_LIMITS.tcpPayloadBytes)
    }
    return { protocol: request.protocol, address: address.value, port: checkPort(request.port, true), mode: request.mode, reply }
  })
}

/** Check a holder request (the loopback rule needs the resolved address, so the backend applies it). */
export function checkHolderOpen(request: HolderOpenRequest): Checked<CheckedHolderOpen> {
  return check(() => ({
    host: checkHost(request.host),
    port: checkPort(request.port),
    count: checkNumber(request.count, PROBE_LIMITS.holderCount, 'connection count'),
    allowNonLoopback: request.allowNonLoopback === true,
    timeoutMs: checkNumber(request.timeoutMs, PROBE_LIMITS.timeoutMs, 'time limit (ms)')
  }))
}
