/**
 * The audit's TLS check: one ClientHello per TCP listener through the TLS probe, aimed only at
 * this machine (loopback, or the listener's own address when that is an address of this
 * machine's interfaces), so nothing leaves it. Runs a few at a time with a short time limit each,
 * and at most a bounded number per run, since it is an action against every listener.
 */
import type { ListenerTls } from '../../../shared/model/audit'
import { listenerKey } from '../../../shared/model/audit'
import type { SocketEntry } from '../../../shared/model/socket'
import type { TlsProbeResult } from '../../../shared/model/probe'
import { formatHostPort } from '../../../shared/format/socket-text'
import { isLoopbackAddress } from '../../../shared/probe-target'
import { runTlsProbe } from '../probe/tls-probe'
import { isListener, reachOf, type TlsCheck } from './listener-audit'

/** How the audit's TLS check is bounded. */
export interface TlsCheckLimits {
  /** Probes in flight at once. */
  readonly concurrency: number
  /** Time limit for each probe's connect and handshake, milliseconds. */
  readonly timeoutMs: number
  /** Listeners probed per run; the rest are reported as not probed. */
  readonly maxListeners: number
}

/** The bounds the audit runs with. */
export const DEFAULT_TLS_CHECK_LIMITS: TlsCheckLimits = { concurrency: 4, timeoutMs: 2_000, maxListeners: 256 }

/** TLS library errors that mean the listener answered with bytes that are not TLS. */
const CLEARTEXT_CODES: ReadonlySet<string> = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_RECORD_LAYER_FAILURE'])

/** Where to aim the probe of a listener of this machine's own namespace; a sentence when it must not be probed. */
export function tlsTargetFor(listener: Pick<SocketEntry, 'localAddress' | 'family'>, localAddresses: ReadonlySet<string>): { readonly host: string } | { readonly skip: string } {
  const address = listener.localAddress
  switch (reachOf(address)) {
    case 'all':
      return { host: listener.family === 6 ? '::1' : '127.0.0.1' }
    case 'loopback':
      return { host: address }
    case 'interface':
      if (!address.includes('%') && localAddresses.has(address)) return { host: address }
      return { skip: `${address} is not an address of this machine's interfaces, so a probe of it might leave the machine; it was not probed.` }
  }
}

/** What one TLS probe result says about the listener. */
export function tlsCheckFrom(result: TlsProbeResult): TlsCheck {
  const where = formatHostPort(result.host, result.port)
  // The check trusts nothing and verifies nothing: an untrusted chain still speaks TLS.
  if (result.protocol !== null && (result.error === null || result.error.phase === 'tls-verify')) {
    const [leaf] = result.certificates
    const tls: ListenerTls = { speaksTls: true, version: result.protocol, subject: leaf?.subject ?? null, daysLeft: leaf?.daysToExpiry ?? null }
    const expiry = leaf === undefined ? '' : `, certificate ${leaf.subjectCommonName ?? leaf.subject} valid for ${leaf.daysToExpiry} more day${leaf.daysToExpiry === 1 ? '' : 's'}`
    return { tls, verdict: 'tls', note: `Speaks ${result.protocol}${expiry}.` }
  }
  const notTls: ListenerTls = { speaksTls: false, version: null, subject: null, daysLeft: null }
  const error = result.error
  if (error !== null && error.code !== null && CLEARTEXT_CODES.has(error.code)) {
    return { tls: notTls, verdict: 'cleartext', note: `Cleartext: ${where} answered the TLS ClientHello with bytes that are not TLS.` }
  }
  if (error?.kind === 'refused' || error?.kind === 'unreachable' || error?.kind === 'cancelled' || error?.kind === 'not-allowed' || error?.kind === 'invalid-input') {
    return { tls: null, verdict: 'not-probed', note: `Not probed: ${error.message}` }
  }
  const why = error === null ? 'it did not finish the handshake' : error.kind === 'timeout' ? 'it started a handshake and did not finish it in time' : error.message
  return { tls: notTls, verdict: 'not-tls', note: `Not TLS: ${why}` }
}

/** Runs `task` over `items`, at most `concurrency` at a time. */
async function eachAtMost<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]
      if (item !== undefined) await task(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker))
}

/** What the check needs besides the table. */
export interface TlsCheckOptions {
  /** The namespace sockscope runs in: only its listeners can be reached from here. */
  readonly homeNetns: number | null
  /** Addresses of this machine's interfaces (from `os.networkInterfaces()`). */
  readonly localAddresses: ReadonlySet<string>
  readonly limits?: TlsCheckLimits
  readonly signal?: AbortSignal
  /** Replaces the probe (tests count calls with it). */
  readonly probe?: typeof runTlsProbe
}

/** Probes every TCP listener of the table it can reach from here; the answer is keyed by `listenerKey`. */
export async function checkListenersTls(sockets: readonly SocketEntry[], options: TlsCheckOptions): Promise<Map<string, TlsCheck>> {
  const limits = options.limits ?? DEFAULT_TLS_CHECK_LIMITS
  const probe = options.probe ?? runTlsProbe
  const checks = new Map<string, TlsCheck>()
  const targets: Array<{ readonly key: string; readonly host: string; readonly port: number }> = []
  for (const socket of sockets) {
    if (!isListener(socket) || socket.protocol !== 'tcp') continue
    const key = listenerKey({ protocol: 'tcp', netns: socket.netns, localAddress: socket.localAddress, localPort: socket.localPort })
    if (checks.has(key) || targets.some((target) => target.key === key)) continue
    if (socket.netns !== null && options.homeNetns !== null && socket.netns !== options.homeNetns) {
      checks.set(key, { tls: null, verdict: 'not-probed', note: 'Not probed: it lives in another network namespace, which a probe from here would not reach.' })
      continue
    }
    const target = tlsTargetFor(socket, options.localAddresses)
    if ('skip' in target) {
      checks.set(key, { tls: null, verdict: 'not-probed', note: `Not probed: ${target.skip}` })
      continue
    }
    if (targets.length >= limits.maxListeners) {
      checks.set(key, { tls: null, verdict: 'not-probed', note: `Not probed: one run probes at most ${limits.maxListeners} listeners.` })
      continue
    }
    // Belt and braces: a target is loopback or one of this machine's own addresses, never anything else.
    if (!isLoopbackAddress(target.host) && !options.localAddresses.has(target.host)) continue
    targets.push({ key, host: target.host, port: socket.localPort })
  }
  await eachAtMost(targets, limits.concurrency, async (target) => {
    if (options.signal?.aborted) return
    const result = await probe({ host: target.host, port: target.port, insecure: true, timeoutMs: limits.timeoutMs }, { signal: options.signal })
    checks.set(target.key, tlsCheckFrom(result))
  })
  return checks
}
