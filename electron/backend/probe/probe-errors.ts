/**
 * Classifies what Node and the OS report into the probe error kinds, each with one sentence
 * that names the address involved and says what it means.
 */
import type { DnsFailure, ProbeError, ProbeErrorKind, ProbePhase } from '../../../shared/model/probe'
import { errorMessage } from '../../../shared/error-message'
import { RequestError, type FailureCode } from '../../../shared/contract/envelope'

const KIND_BY_CODE: Readonly<Record<string, ProbeErrorKind>> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ECONNRESET: 'reset',
  ECONNABORTED: 'reset',
  EPIPE: 'reset',
  EADDRINUSE: 'address-in-use',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOTFOUND: 'dns',
  EAI_NONAME: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  ESERVFAIL: 'dns',
  ENODATA: 'dns'
}

/** The `code` of a Node system error, or null. */
export function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code
  }
  return null
}

function describe(kind: ProbeErrorKind, where: string, code: string | null, error: unknown): string {
  switch (kind) {
    case 'refused':
      return `${where} refused the connection: nothing is listening on that port, or a firewall rejected it.`
    case 'timeout':
      return `${where} did not answer in time; a firewall may be dropping packets or the host is down.`
    case 'unreachable':
      return `${where} is unreachable: there is no route to that host or network (${code}).`
    case 'reset':
      return `${where} aborted the connection (${code}).`
    case 'address-in-use':
      return `${where} is already in use by another socket.`
    case 'permission':
      return `The system refused to use ${where} (${code}); ports below 1024 need privileges.`
    default:
      return `${where}: ${errorMessage(error)}`
  }
}

/**
 * Classify an error from a socket operation. `where` names the endpoint, e.g. `127.0.0.1:9`.
 * TLS library errors (ERR_SSL_*, ERR_TLS_*) become kind `tls`.
 */
export function classifySocketError(error: unknown, phase: ProbePhase, where: string): ProbeError {
  const code = errorCode(error)
  if (code !== null && (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
    return { kind: 'tls', phase, detail: null, code, message: describeTlsLibraryError(code, where, error) }
  }
  const kind = (code === null ? undefined : KIND_BY_CODE[code]) ?? 'unknown'
  return { kind, phase, detail: null, code, message: describe(kind, where, code, error) }
}

function describeTlsLibraryError(code: string, where: string, error: unknown): string {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return `${where} did not answer with TLS; the port may serve plain text.`
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') {
    return `${where} supports none of the offered ALPN protocols.`
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL') {
    return `${where} and sockscope share no TLS version.`
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return `${where} ended the handshake: no common cipher or protocol, or the server rejected the SNI name.`
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || code === 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE') {
    return `${where} requires a client certificate.`
  }
  return `The TLS handshake with ${where} failed: ${errorMessage(error)}`
}

/** A time limit ran out during `phase`. */
export function timeoutError(phase: ProbePhase, where: string, limitMs: number): ProbeError {
  const step: Partial<Record<ProbePhase, string>> = {
    connect: `${where} did not accept the connection within ${limitMs} ms; a firewall may be dropping packets or the host is down.`,
    'tls-handshake': `${where} did not finish the TLS handshake within ${limitMs} ms.`,
    'first-byte': `Connected to ${where}, but no reply arrived within ${limitMs} ms.`,
    receive: `No reply from ${where} within ${limitMs} ms. UDP gives no answer when the port is filtered or the service ignores the payload.`
  }
  return {
    kind: 'timeout',
    phase,
    detail: null,
    code: null,
    message: step[phase] ?? `${where} did not answer within ${limitMs} ms.`
  }
}

/** The probe was stopped by the user or by the app shutting down. */
export function cancelledError(phase: ProbePhase): ProbeError {
  return { kind: 'cancelled', phase, detail: null, code: null, message: 'The probe was stopped before it finished.' }
}

/** Which DNS failure a resolver error code means. */
export function dnsFailureOf(code: string | null): DnsFailure {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return 'nxdomain'
    case 'EAI_AGAIN':
    case 'ESERVFAIL':
    case 'EAI_FAIL':
      return 'servfail'
    case 'ENODATA':
      return 'no-data'
    default:
      return 'other'
  }
}

/** A lookup of `host` failed with `code` (or ran out of time, when `timeoutMs` is given). */
export function dnsError(host: string, code: string | null, timeoutMs: number | null = null, cause?: unknown): ProbeError {
  const failure: DnsFailure = timeoutMs !== null ? 'timeout' : dnsFailureOf(code)
  const messages: Record<DnsFailure, string> = {
    nxdomain: `The name "${host}" does not exist (NXDOMAIN).`,
    servfail: `The resolver could not get an answer for "${host}" (SERVFAIL or a temporary failure); try again or check the DNS server.`,
    'no-data': `"${host}" exists but has no A or AAAA address records.`,
    timeout: `The lookup of "${host}" took longer than ${timeoutMs} ms.`,
    other: `The lookup of "${host}" failed: ${cause === undefined ? code : errorMessage(cause)}`
  }
  return { kind: 'dns', phase: 'dns', detail: failure, code, message: messages[failure] }
}

/** The refused request a client sees for a probe error that stops a listener, the holder or a run from starting. */
export function requestErrorFor(error: ProbeError): RequestError {
  return new RequestError(failureCodeFor(error), error.message)
}

function failureCodeFor(error: ProbeError): FailureCode {
  if (error.kind === 'invalid-input') return error.detail === 'needs-confirmation' ? 'permission-denied' : 'invalid-arguments'
  if (error.kind === 'address-in-use') return 'busy'
  if (error.kind === 'permission' || error.kind === 'not-allowed') return 'permission-denied'
  return 'failed'
}
