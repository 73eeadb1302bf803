/**
 * Test-connection channels: one-shot TCP, TLS and UDP probes, repeated TCP probing with batched
 * samples, local test listeners and the connection holder.
 *
 * The schemas refuse unknown keys and bound every number and string; the backend then applies the
 * finer checks of shared/probe-request.ts (host syntax, payload bytes) before anything is sent.
 */
import * as v from 'valibot'
import {
  DNS_RECORD_TYPES,
  PROBE_LIMITS,
  type HeldConnectionGroup,
  type HolderStatus,
  type NumericLimit,
  type ProbePolicy,
  type ProbeSample,
  type ProbeStatistics,
  type RepeatedProbeEnd,
  type RepeatedProbeSummary,
  type TcpProbeResult,
  type TestListenerInfo,
  type TlsProbeResult,
  type UdpProbeResult
} from '../model/probe'
import { event, integerBetween, noArguments, request, textOfLength } from './define'

/** New samples of one repeated probe since the last push, with the figures over all of them. */
export interface RepeatedProbeSampleBatch {
  readonly runId: string
  readonly samples: readonly ProbeSample[]
  readonly statistics: ProbeStatistics
  /** Set on the run's last batch. */
  readonly endedBy: RepeatedProbeEnd | null
  readonly finishedAt: number | null
}

/** Longest host text accepted: a 253-character name plus brackets and a zone. */
const MAXIMUM_HOST_LENGTH = 300
/** Longest payload text: hex of the largest TCP payload, with separators. */
const MAXIMUM_PAYLOAD_TEXT = PROBE_LIMITS.tcpPayloadBytes * 3
/** Longest CA bundle accepted (a full system bundle is about 220 kB). */
const MAXIMUM_CA_TEXT = 2 * 1024 * 1024

const host = textOfLength(0, MAXIMUM_HOST_LENGTH)
const port = integerBetween(1, 65535)
const identifier = textOfLength(1, 100)
/** The HOST:PORT every probe and the holder aim at. */
const target = { host, port }

function bounded(limit: NumericLimit) {
  return v.optional(integerBetween(limit.min, limit.max))
}

const payload = v.strictObject({
  encoding: v.picklist(['text', 'hex']),
  value: textOfLength(0, MAXIMUM_PAYLOAD_TEXT),
  escapes: v.optional(v.boolean())
})

/** Requests and events of the probe, listener and holder domains. */
export const probeContract = {
  requests: {
    /** What this backend lets clients aim at machines other than this one, so forms can say so up front. */
    'probe/policy': request(noArguments).returns<ProbePolicy>(),
    'probe/tcp': request(
      v.strictObject({
        ...target,
        addressChoice: v.optional(v.picklist(['first', 'all'])),
        timeoutMs: bounded(PROBE_LIMITS.timeoutMs),
        payload: v.optional(v.nullable(payload)),
        readLimitBytes: bounded(PROBE_LIMITS.readLimitBytes),
        readTimeoutMs: bounded(PROBE_LIMITS.readTimeoutMs)
      })
    ).returns<TcpProbeResult>(),
    'probe/tls': request(
      v.strictObject({
        ...target,
        servername: v.optional(v.nullable(host)),
        alpnProtocols: v.optional(
          v.pipe(v.array(textOfLength(0, 255)), v.maxLength(PROBE_LIMITS.alpnProtocols))
        ),
        caPem: v.optional(v.nullable(textOfLength(0, MAXIMUM_CA_TEXT))),
        caSource: v.optional(v.nullable(textOfLength(0, 1000))),
        insecure: v.optional(v.boolean()),
        timeoutMs: bounded(PROBE_LIMITS.timeoutMs)
      })
    ).returns<TlsProbeResult>(),
    'probe/udp': request(
      v.strictObject({
        ...target,
        payload: v.optional(v.nullable(payload)),
        dnsQuery: v.optional(
          v.nullable(v.strictObject({ name: host, type: v.picklist(DNS_RECORD_TYPES) }))
        ),
        timeoutMs: bounded(PROBE_LIMITS.udpTimeoutMs),
        maxReplies: bounded(PROBE_LIMITS.udpMaxReplies),
        readLimitBytes: bounded(PROBE_LIMITS.readLimitBytes)
      })
    ).returns<UdpProbeResult>(),
    /** Starts a repeated probe; samples then arrive as `probe/samples` batches. */
    'probe/repeat-start': request(
      v.strictObject({
        ...target,
        intervalMs: bounded(PROBE_LIMITS.intervalMs),
        count: v.optional(v.nullable(integerBetween(PROBE_LIMITS.repeatCount.min, PROBE_LIMITS.repeatCount.max))),
        timeoutMs: bounded(PROBE_LIMITS.timeoutMs)
      })
    ).returns<RepeatedProbeSummary>(),
    'probe/repeat-stop': request(v.strictObject({ runId: identifier })).returns<RepeatedProbeSummary>(),
    /** Running repeated probes and the ones that ended recently, for a client that (re)connects. */
    'probe/repeat-list': request(noArguments).returns<readonly RepeatedProbeSummary[]>(),
    'listener/start': request(
      v.strictObject({
        protocol: v.picklist(['tcp', 'udp']),
        address: v.optional(host),
        port: integerBetween(0, 65535),
        mode: v.picklist(['echo', 'discard', 'reply']),
        reply: v.optional(v.nullable(payload))
      })
    ).returns<TestListenerInfo>(),
    'listener/stop': request(v.strictObject({ id: identifier })).returns<TestListenerInfo>(),
    'listener/list': request(noArguments).returns<readonly TestListenerInfo[]>(),
    /**
     * Opens and holds connections. A target beyond this machine fails with `permission-denied`
     * unless the backend's policy allows it; even then, `allowNonLoopback` must confirm it.
     */
    'holder/open': request(
      v.strictObject({
        ...target,
        count: integerBetween(PROBE_LIMITS.holderCount.min, PROBE_LIMITS.holderCount.max),
        allowNonLoopback: v.optional(v.boolean()),
        timeoutMs: bounded(PROBE_LIMITS.timeoutMs)
      })
    ).returns<HeldConnectionGroup>(),
    /** Releases one group, or every group when no id is given. */
    'holder/release': request(v.strictObject({ id: v.optional(identifier) })).returns<HolderStatus>(),
    'holder/status': request(noArguments).returns<HolderStatus>()
  },
  events: {
    /** New samples of a repeated probe, batched (a few pushes a second at most). */
    'probe/samples': event<RepeatedProbeSampleBatch>(),
    /** A listener's peers and counters changed, or it stopped. */
    'listener/update': event<TestListenerInfo>(),
    'holder/update': event<HolderStatus>()
  }
} as const
