/**
 * Test-connection channels: one-shot TCP, TLS and UDP probes, and repeated TCP probing with
 * batched samples.
 *
 * The schemas refuse unknown keys and bound every number and string; the backend then applies the
 * finer checks of shared/probe-request.ts (host syntax, payload bytes) before anything is sent.
 */
import * as v from 'valibot'
import {
  DNS_RECORD_TYPES,
  PROBE_LIMITS,
  type ProbePolicy,
  type RepeatedProbeSampleBatch,
  type RepeatedProbeSummary,
  type TcpProbeResult,
  type TlsProbeResult,
  type UdpProbeResult
} from '../model/probe'
import { event, integerBetween, noArguments, request, textOfLength } from './define'
import { bounded, host, identifier, payload, target } from './target-arguments'

/** Longest CA bundle accepted (a full system bundle is about 220 kB). */
const MAXIMUM_CA_TEXT = 2 * 1024 * 1024

/** Requests and events of the probe domain. */
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
        alpnProtocols: v.optional(v.pipe(v.array(textOfLength(0, 255)), v.maxLength(PROBE_LIMITS.alpnProtocols))),
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
        dnsQuery: v.optional(v.nullable(v.strictObject({ name: host, type: v.picklist(DNS_RECORD_TYPES) }))),
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
    'probe/repeat-list': request(noArguments).returns<readonly RepeatedProbeSummary[]>()
  },
  events: {
    /** New samples of a repeated probe, batched (a few pushes a second at most). */
    'probe/samples': event<RepeatedProbeSampleBatch>()
  }
} as const
