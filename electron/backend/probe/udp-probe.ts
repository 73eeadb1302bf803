/**
 * The UDP probe: send one datagram and collect replies until a time limit.
 *
 * The socket is connected (connect(2) on a datagram socket) so the kernel reports an ICMP
 * port-unreachable for that peer as ECONNREFUSED on the next receive, the one way a UDP
 * "closed port" becomes visible. Linux does this; other systems may just stay silent.
 */
import { createSocket, type Socket as DatagramSocket } from 'node:dgram'
import { randomInt } from 'node:crypto'
import type { ProbeError, UdpProbeRequest, UdpProbeResult, UdpReply } from '../../../shared/model/probe'
import { checkUdpProbe } from '../../../shared/probe-request'
import { formatHostPort } from '../../../shared/format/socket-text'
import { formatMilliseconds } from '../../../shared/format/probe-text'
import { decodeDnsReply, encodeDnsQuery } from '../../../shared/dns/dns-query'
import { cancelledError, classifySocketError, errorCode, timeoutError } from './probe-errors'
import { millisecondsSince, monotonicNow } from './probe-clock'
import { BoundedCollector } from './received-data'
import { authorizeTarget } from '../action-policy'
import { beginResult, finishResult, type ProbeRunOptions, type ResultDraft } from './probe-result'
import { resolveHost } from './resolve-host'

/** Run a UDP probe. Never rejects: every failure is in the result's `error`. */
export async function runUdpProbe(request: UdpProbeRequest, options: ProbeRunOptions = {}): Promise<UdpProbeResult> {
  const { signal } = options
  const { base, start } = beginResult(request)
  const result: ResultDraft<UdpProbeResult> = {
    ...base,
    kind: 'udp',
    ok: false,
    address: null,
    localAddress: null,
    localPort: null,
    sentBytes: 0,
    timeoutMs: request.timeoutMs ?? 0,
    replies: [],
    refusedMs: null,
    dnsQuery: request.dnsQuery ?? null,
    error: null
  }
  const done = (error: ProbeError | null): UdpProbeResult => finishResult(result, start, error)
  const checked = checkUdpProbe(request)
  if (!checked.ok) return done(checked.error)
  const probe = checked.value
  Object.assign(result, { host: probe.host, timeoutMs: probe.timeoutMs, dnsQuery: probe.dnsQuery })
  const resolution = await resolveHost(probe.host, probe.timeoutMs, signal)
  if (!resolution.ok) return done(resolution.error)
  result.dns = resolution.dns
  const target = resolution.first
  result.address = target.address
  const refusal = await authorizeTarget(options.authorize, { action: 'udp-probe', host: probe.host, addresses: [target.address], port: probe.port })
  if (refusal !== null) return done(refusal)
  const payload = probe.payload ?? (probe.dnsQuery !== null ? encodeDnsQuery(probe.dnsQuery, randomInt(0, 0x10000)) : new Uint8Array())
  const where = formatHostPort(target.address, probe.port)
  const socket = createSocket(target.family === 6 ? 'udp6' : 'udp4')
  const error = await new Promise<ProbeError | null>((resolve) => {
    let settled = false
    let sentAt = monotonicNow()
    const finish = (outcome: ProbeError | null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(outcome)
    }
    const onError = (failure: Error): void => {
      if (result.replies.length > 0) return finish(null)
      if (errorCode(failure) === 'ECONNREFUSED') {
        result.refusedMs = millisecondsSince(sentAt)
        return finish({
          kind: 'refused',
          phase: 'receive',
          detail: null,
          code: 'ECONNREFUSED',
          message: `${where} answered with ICMP port unreachable after ${formatMilliseconds(result.refusedMs)}: nothing listens on that UDP port.`
        })
      }
      finish(classifySocketError(failure, 'send', where))
    }
    const onAbort = (): void => finish(cancelledError('receive'))
    const timer = setTimeout(() => finish(result.replies.length > 0 ? null : timeoutError('receive', where, probe.timeoutMs)), probe.timeoutMs)
    socket.on('error', onError)
    socket.on('message', (message, remote) => {
      if (settled) return
      const collector = new BoundedCollector(probe.readLimitBytes)
      collector.add(message)
      const reply: UdpReply = {
        receivedMs: millisecondsSince(sentAt),
        fromAddress: remote.address,
        fromPort: remote.port,
        data: collector.describe(),
        dns: probe.dnsQuery !== null ? decodeDnsReply(message) : null
      }
      result.replies = [...result.replies, reply]
      if (result.replies.length >= probe.maxReplies) finish(null)
    })
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted === true) return onAbort()
    socket.connect(probe.port, target.address, () => {
      const local = socket.address()
      result.localAddress = local.address
      result.localPort = local.port
      result.sentBytes = payload.length
      sentAt = monotonicNow()
      socket.send(payload, (sendError) => {
        if (sendError === null || sendError === undefined) return
        result.sentBytes = 0
        onError(sendError)
      })
    })
  })
  closeQuietly(socket)
  return done(error)
}

function closeQuietly(socket: DatagramSocket): void {
  try {
    socket.close()
  } catch {
    // Already closed: nothing to release.
  }
}
