/**
 * One exposure audit: the listeners of a socket read, with the TLS check when asked for. The
 * audit domain runs it on the live monitor's tables, `sockscope audit` on one read of its own.
 */
import { networkInterfaces } from 'node:os'
import type { AuditReport, ExposureReason } from '../../../shared/model/audit'
import type { SocketEntry } from '../../../shared/model/socket'
import { auditListeners, isListener } from './listener-audit'
import { checkListenersTls, type TlsCheckLimits } from './listener-tls-check'

/** A socket table read, as the monitor and the provider give one. */
export interface AuditedRead {
  readonly takenAt: number
  readonly sockets: readonly SocketEntry[]
  readonly partialOwnership: boolean
}

/** How to run the audit. */
export interface ExposureAuditOptions {
  /** Send each TCP listener a ClientHello from this machine. */
  readonly probeTls: boolean
  readonly reasons: readonly ExposureReason[]
  /** The namespace sockscope runs in, from the socket reader. */
  readonly homeNetns: number | null
  readonly tlsLimits?: TlsCheckLimits
  readonly signal?: AbortSignal
  /** Audits (and probes) only the listeners this accepts; the other rows still inform the rest (docker-proxy, namespaces). */
  readonly include?: (socket: SocketEntry) => boolean
}

/** Addresses of this machine's interfaces, without zone suffixes. */
export function localInterfaceAddresses(): Set<string> {
  const addresses = new Set<string>()
  for (const entries of Object.values(networkInterfaces())) for (const entry of entries ?? []) addresses.add(entry.address)
  return addresses
}

/** Audits the listeners of one read. */
export async function runExposureAudit(read: AuditedRead, options: ExposureAuditOptions): Promise<AuditReport> {
  const include = options.include
  const sockets = include === undefined ? read.sockets : read.sockets.filter((socket) => !isListener(socket) || include(socket))
  const tls = options.probeTls
    ? await checkListenersTls(sockets, { homeNetns: options.homeNetns, localAddresses: localInterfaceAddresses(), limits: options.tlsLimits, signal: options.signal })
    : undefined
  return {
    takenAt: read.takenAt,
    probedTls: options.probeTls,
    listeners: auditListeners(sockets, { homeNetns: options.homeNetns, reasons: options.reasons, tls }),
    partialOwnership: read.partialOwnership
  }
}
