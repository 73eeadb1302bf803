/**
 * The one-shot TCP probe: resolve, connect to the first or every address, and optionally send
 * a payload and read the first reply.
 */
import type { Socket } from 'node:net'
import type { ConnectAttempt, PayloadExchange, ProbeError, ResolvedAddress, TcpProbeRequest, TcpProbeResult } from '../../../shared/model/probe'
import { checkTcpProbe } from '../../../shared/probe-request'
import { formatHostPort } from '../../../shared/format/socket-text'
import { closeSocketGracefully } from './close-socket'
import { cancelledError, classifySocketError, timeoutError } from './probe-errors'
import { millisecondsSince, monotonicNow } from './probe-clock'
import { BoundedCollector } from './received-data'
import { authorizeTarget } from '../action-policy'
import { beginResult, finishResult, type ProbeRunOptions, type ResultDraft } from './probe-result'
import { resolveHost } from './resolve-host'
import { connectTcp } from './tcp-connect'

/**
 * After the first reply byte, how long to keep gathering bytes that follow closely: a reply
 * written in one go often arrives in several segments.
 */
const REPLY_SETTLE_MS = 50

/** Run a TCP probe. Never rejects: every failure is in the result's `error`. */
export async function runTcpProbe(request: TcpProbeRequest, options: ProbeRunOptions = {}): Promise<TcpProbeResult> {
  const { signal } = options
  const { base, start } = beginResult(request)
  const result: ResultDraft<TcpProbeResult> = {
    ...base,
    kind: 'tcp',
    ok: false,
    addressChoice: request.addressChoice ?? 'first',
    attempts: [],
    exchange: null,
    error: null
  }
  const checked = checkTcpProbe(request)
  if (!checked.ok) return finishResult(result, start, checked.error)
  const probe = checked.value
  Object.assign(result, { host: probe.host, addressChoice: probe.addressChoice })
  const resolution = await resolveHost(probe.host, probe.timeoutMs, signal)
  if (!resolution.ok) return finishResult(result, start, resolution.error)
  result.dns = resolution.dns
  const targets: readonly ResolvedAddress[] = probe.addressChoice === 'all' ? resolution.dns.addresses : resolution.dns.addresses.slice(0, 1)
  const refusal = await authorizeTarget(options.authorize, {
    action: 'tcp-probe',
    host: probe.host,
    addresses: targets.map((target) => target.address),
    port: probe.port
  })
  if (refusal !== null) return finishResult(result, start, refusal)
  const attempts: ConnectAttempt[] = []
  let exchangeError: ProbeError | null = null
  for (const target of targets) {
    const outcome = await connectTcp({ ...target, port: probe.port, timeoutMs: probe.timeoutMs, signal })
    attempts.push(outcome.attempt)
    if (outcome.socket === null) continue
    if (probe.payload !== null && result.exchange === null) {
      const exchanged = await exchangePayload(outcome.socket, probe.payload, {
        where: formatHostPort(target.address, probe.port),
        readLimitBytes: probe.readLimitBytes,
        readTimeoutMs: probe.readTimeoutMs,
        signal
      })
      result.exchange = exchanged.exchange
      exchangeError = exchanged.error
    }
    closeSocketGracefully(outcome.socket)
  }
  result.attempts = attempts
  return finishResult(result, start, attempts.find((attempt) => attempt.error !== null)?.error ?? exchangeError)
}

/** Limits for reading the reply to a payload. */
interface ExchangeLimits {
  readonly where: string
  readonly readLimitBytes: number
  readonly readTimeoutMs: number
  readonly signal?: AbortSignal
}

/**
 * Write the payload and read the first reply: stop at the byte limit, when the peer closes,
 * shortly after the reply stops arriving, or at the first-byte time limit.
 */
function exchangePayload(socket: Socket, payload: Uint8Array, limits: ExchangeLimits): Promise<{ exchange: PayloadExchange; error: ProbeError | null }> {
  return new Promise((resolve) => {
    const collector = new BoundedCollector(limits.readLimitBytes)
    let firstByteMs: number | null = null
    let peerClosed = false
    let settled = false
    let sentAt = monotonicNow()
    let settleTimer: NodeJS.Timeout | undefined
    const finish = (error: ProbeError | null): void => {
      if (settled) return
      settled = true
      clearTimeout(firstByteTimer)
      clearTimeout(settleTimer)
      limits.signal?.removeEventListener('abort', onAbort)
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('error', onError)
      resolve({
        exchange: {
          sentBytes: payload.length,
          firstByteMs,
          reply: collector.totalBytes > 0 ? collector.describe() : null,
          peerClosed,
          readLimitBytes: limits.readLimitBytes,
          readTimeoutMs: limits.readTimeoutMs
        },
        error
      })
    }
    const onData = (chunk: Buffer): void => {
      if (firstByteMs === null) {
        firstByteMs = millisecondsSince(sentAt)
        clearTimeout(firstByteTimer)
      }
      collector.add(chunk)
      clearTimeout(settleTimer)
      if (collector.full) finish(null)
      else settleTimer = setTimeout(() => finish(null), REPLY_SETTLE_MS)
    }
    const onEnd = (): void => {
      peerClosed = true
      finish(
        firstByteMs === null
          ? {
              kind: 'closed',
              phase: 'first-byte',
              detail: null,
              code: null,
              message: `${limits.where} closed the connection without replying.`
            }
          : null
      )
    }
    const onError = (error: Error): void => {
      peerClosed = true
      finish(firstByteMs === null ? classifySocketError(error, 'first-byte', limits.where) : null)
    }
    const onAbort = (): void => finish(cancelledError('first-byte'))
    const firstByteTimer = setTimeout(() => finish(timeoutError('first-byte', limits.where, limits.readTimeoutMs)), limits.readTimeoutMs)
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.on('error', onError)
    limits.signal?.addEventListener('abort', onAbort, { once: true })
    if (limits.signal?.aborted === true) return onAbort()
    sentAt = monotonicNow()
    socket.write(payload)
  })
}
