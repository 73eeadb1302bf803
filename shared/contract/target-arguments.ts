/**
 * Argument schemas the probe, listener and holder channels share: a host and port to aim at,
 * payload text and ids. Each bounds its text and numbers, as every contract argument must.
 */
import * as v from 'valibot'
import { PROBE_LIMITS, type NumericLimit } from '../model/probe'
import { integerBetween, textOfLength } from './define'

/** Longest host text accepted: a 253-character name plus brackets and a zone. */
const MAXIMUM_HOST_LENGTH = 300
/** Longest payload text: hex of the largest TCP payload, with separators. */
const MAXIMUM_PAYLOAD_TEXT = PROBE_LIMITS.tcpPayloadBytes * 3

/** A host name or address as a client typed it. */
export const host = textOfLength(0, MAXIMUM_HOST_LENGTH)
/** A TCP or UDP port to aim at. */
export const port = integerBetween(1, 65535)
/** The id of a run, listener or held group. */
export const identifier = textOfLength(1, 100)
/** The HOST:PORT every probe and the holder aim at. */
export const target = { host, port }

/** An optional whole number within one of the probe limits. */
export function bounded(limit: NumericLimit) {
  return v.optional(integerBetween(limit.min, limit.max))
}

/** Bytes to send, as text or hex. */
export const payload = v.strictObject({
  encoding: v.picklist(['text', 'hex']),
  value: textOfLength(0, MAXIMUM_PAYLOAD_TEXT),
  escapes: v.optional(v.boolean())
})
