/**
 * The TLS probe: connect, handshake, and report the negotiated parameters and the
 * certificate chain. Verification never aborts the handshake, so an untrusted chain is
 * still shown; `insecure` only decides whether that counts as success.
 */
import { connect as connectTls, type TLSSocket } from 'node:tls'
import type { Socket } from 'node:net'
import type { ProbeError, TlsProbeRequest, TlsProbeResult } from '../../../shared/model/probe'
import { checkTlsProbe, invalidInput } from '../../../shared/probe-request'
import { formatHostPort } from '../../../shared/format/socket-text'
import { leafMatchesName, peerCertificateChain } from './certificate-details'
import { closeSocketGracefully } from './close-socket'
import { cancelledError, classifySocketError, timeoutError } from './probe-errors'
import { millisecondsSince, monotonicNow } from './probe-clock'
import { authorizeTarget } from '../action-policy'
import { beginResult, finishResult, type ProbeRunOptions, type ResultDraft } from './probe-result'
import { resolveHost } from './resolve-host'
import { connectTcp } from './tcp-connect'
import { explainVerificationFailure } from './tls-verification'
import { customTrustStore, systemTrustStore, type LoadedTrustStore } from './trust-store'
import { errorMessage } from '../../../shared/error-message'

/** Run a TLS probe. Never rejects: every failure is in the result's `error`. */
export async function runTlsProbe(request: TlsProbeRequest, options: ProbeRunOptions = {}): Promise<TlsProbeResult> {
  const { signal } = options
  const { base, start } = beginResult(request)
  const result: ResultDraft<TlsProbeResult> = {
    ...base,
    kind: 'tls',
    ok: false,
    connect: null,
    handshakeMs: null,
    protocol: null,
    cipher: null,
    cipherStandardName: null,
    alpn: null,
    alpnOffered: [...(request.alpnProtocols ?? [])],
    servername: null,
    insecure: request.insecure === true,
    trustStore: null,
    authorized: false,
    authorizationError: null,
    authorizationReason: null,
    authorizationMessage: null,
    hostnameMatches: null,
    certificates: [],
    error: null
  }
  const done = (error: ProbeError | null): TlsProbeResult => finishResult(result, start, error)
  const checked = checkTlsProbe(request)
  if (!checked.ok) return done(checked.error)
  const probe = checked.value
  Object.assign(result, { host: probe.host, servername: probe.servername, alpnOffered: probe.alpnProtocols })
  let trust: LoadedTrustStore
  try {
    trust = probe.caPem === null ? await systemTrustStore() : customTrustStore(probe.caPem, probe.caSource ?? 'CA file')
  } catch (error) {
    return done(invalidInput(`The CA certificates could not be read: ${errorMessage(error)}`))
  }
  result.trustStore = trust.store
  const resolution = await resolveHost(probe.host, probe.timeoutMs, signal)
  if (!resolution.ok) return done(resolution.error)
  result.dns = resolution.dns
  const target = resolution.first
  const refusal = await authorizeTarget(options.authorize, { action: 'tls-probe', host: probe.host, addresses: [target.address], port: probe.port })
  if (refusal !== null) return done(refusal)
  const tcp = await connectTcp({ ...target, port: probe.port, timeoutMs: probe.timeoutMs, signal })
  result.connect = tcp.attempt
  if (tcp.socket === null) return done(tcp.attempt.error)
  const where = formatHostPort(target.address, probe.port)
  const handshake = await performHandshake(tcp.socket, {
    servername: probe.servername,
    // Node checks the certificate against the SNI name, else against this host.
    identityHost: probe.host,
    alpnProtocols: probe.alpnProtocols,
    trust,
    timeoutMs: probe.timeoutMs,
    where,
    signal
  })
  if (handshake.socket === null) {
    tcp.socket.destroy()
    return done(handshake.error)
  }
  const socket = handshake.socket
  result.handshakeMs = handshake.handshakeMs
  const checkedName = probe.servername ?? probe.host
  try {
    const cipher = socket.getCipher()
    result.protocol = socket.getProtocol()
    result.cipher = cipher.name
    result.cipherStandardName = cipher.standardName
    result.alpn = typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null
    result.certificates = peerCertificateChain(socket, Date.now())
    result.hostnameMatches = leafMatchesName(socket, checkedName)
    result.authorized = socket.authorized
    if (!socket.authorized) {
      const code = String(socket.authorizationError ?? 'UNKNOWN')
      const verdict = explainVerificationFailure(code, result.certificates, checkedName)
      result.authorizationError = code
      result.authorizationReason = verdict.reason
      result.authorizationMessage = verdict.message
    }
  } finally {
    closeSocketGracefully(socket)
  }
  if (!result.authorized && !result.insecure) {
    return done({
      kind: 'tls',
      phase: 'tls-verify',
      detail: result.authorizationReason,
      code: result.authorizationError,
      message: result.authorizationMessage ?? 'The certificate chain was not trusted.'
    })
  }
  return done(null)
}

/** The server took the connection and never answered the client hello: it does not speak TLS on that port. */
function silentToTlsError(where: string, limitMs: number): ProbeError {
  return {
    kind: 'tls',
    phase: 'tls-handshake',
    detail: null,
    code: null,
    message: `${where} accepted the connection but sent nothing back to the TLS hello within ${limitMs} ms: the service on this port does not speak TLS (a plain TCP service waiting for its own protocol stays silent like this).`
  }
}

interface HandshakeOptions {
  readonly servername: string | null
  readonly identityHost: string
  readonly alpnProtocols: readonly string[]
  readonly trust: LoadedTrustStore
  readonly timeoutMs: number
  readonly where: string
  readonly signal?: AbortSignal
}

type HandshakeOutcome =
  { readonly socket: TLSSocket; readonly handshakeMs: number; readonly error: null } | { readonly socket: null; readonly handshakeMs: null; readonly error: ProbeError }

function performHandshake(tcpSocket: Socket, options: HandshakeOptions): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    const start = monotonicNow()
    const socket = connectTls({
      socket: tcpSocket,
      host: options.identityHost,
      servername: options.servername ?? undefined,
      ALPNProtocols: options.alpnProtocols.length > 0 ? [...options.alpnProtocols] : undefined,
      secureContext: options.trust.secureContext,
      rejectUnauthorized: false
    })
    let settled = false
    const fail = (error: ProbeError): void => {
      if (settled) return
      settled = true
      cleanUp()
      socket.destroy()
      resolve({ socket: null, handshakeMs: null, error })
    }
    const onSecure = (): void => {
      if (settled) return
      settled = true
      cleanUp()
      resolve({ socket, handshakeMs: millisecondsSince(start), error: null })
    }
    const onError = (error: Error): void => fail(classifySocketError(error, 'tls-handshake', options.where))
    const onClose = (): void =>
      fail({
        kind: 'closed',
        phase: 'tls-handshake',
        detail: null,
        code: null,
        message: `${options.where} closed the connection during the TLS handshake.`
      })
    const onAbort = (): void => fail(cancelledError('tls-handshake'))
    // Silence to the client hello is what a plain TCP service waiting for its own protocol does;
    // a TLS server that is merely slow has sent something by then.
    const timer = setTimeout(
      () => fail(tcpSocket.bytesRead === 0 ? silentToTlsError(options.where, options.timeoutMs) : timeoutError('tls-handshake', options.where, options.timeoutMs)),
      options.timeoutMs
    )
    const cleanUp = (): void => {
      clearTimeout(timer)
      socket.off('secureConnect', onSecure)
      socket.off('close', onClose)
      options.signal?.removeEventListener('abort', onAbort)
    }
    socket.once('secureConnect', onSecure)
    // Stays attached: a late error on a finished probe must not crash the process.
    socket.on('error', onError)
    socket.once('close', onClose)
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
