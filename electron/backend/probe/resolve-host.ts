/**
 * Turns a probe's host into addresses, timing the lookup. Uses the system resolver
 * (getaddrinfo), so /etc/hosts and the OS's DNS settings apply exactly as for other programs.
 */
import { lookup } from 'node:dns/promises'
import type { DnsTiming, ProbeError, ResolvedAddress } from '../../../shared/model/probe'
import { ipVersion } from '../../../shared/probe-target'
import { cancelledError, dnsError, errorCode } from './probe-errors'
import { millisecondsSince, monotonicNow } from './probe-clock'

/** The addresses of a host (`first` is the one a single-connection probe uses), or why there are none. */
export type Resolution = { readonly ok: true; readonly dns: DnsTiming; readonly first: ResolvedAddress } | { readonly ok: false; readonly dns: null; readonly error: ProbeError }

/**
 * Resolve every A and AAAA address of `host` within `timeoutMs`. An IP address resolves to
 * itself without a lookup. getaddrinfo cannot be cancelled, so a slow lookup is abandoned
 * (it finishes in the background and its answer is ignored).
 */
export async function resolveHost(host: string, timeoutMs: number, signal?: AbortSignal): Promise<Resolution> {
  const literal = ipVersion(host)
  if (literal !== null) {
    const first: ResolvedAddress = { address: host, family: literal }
    return { ok: true, dns: { host, literal: true, durationMs: 0, addresses: [first] }, first }
  }
  if (signal?.aborted === true) return { ok: false, dns: null, error: cancelledError('dns') }
  const start = monotonicNow()
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const deadline = new Promise<'timeout' | 'cancelled'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
    onAbort = () => resolve('cancelled')
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const outcome = await Promise.race([lookup(host, { all: true, order: 'verbatim' }), deadline])
    if (outcome === 'timeout') return { ok: false, dns: null, error: dnsError(host, null, timeoutMs) }
    if (outcome === 'cancelled') return { ok: false, dns: null, error: cancelledError('dns') }
    const addresses: ResolvedAddress[] = outcome.map((entry) => ({
      address: entry.address,
      family: entry.family === 6 ? 6 : 4
    }))
    const [first] = addresses
    if (first === undefined) return { ok: false, dns: null, error: dnsError(host, 'ENODATA') }
    return { ok: true, dns: { host, literal: false, durationMs: millisecondsSince(start), addresses }, first }
  } catch (error) {
    return { ok: false, dns: null, error: dnsError(host, errorCode(error), null, error) }
  } finally {
    clearTimeout(timer)
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
  }
}
