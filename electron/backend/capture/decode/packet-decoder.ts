/**
 * The packet decoders' entry points. Everything here runs unprivileged, on untrusted bytes:
 * a malformed packet is flagged (`malformed`) with the layers below the fault still decoded,
 * and no input makes these functions throw.
 *
 * - {@link summarizePacket}: the fast path for lists of a million rows; builds no tree.
 * - {@link decodePacketTree}: every field with its byte range, for one selected packet.
 * - {@link readRecordHeaders}: the numbers a count needs (conversations, TCP analysis, totals),
 *   read in place by the header scan, decoding only the packets the scan leaves to it.
 */

import type { DecodedPacketTree, PacketSummary } from '../../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../../shared/model/packet'
import { DecodeState } from './decode-state'
import { scanHeaders, type PacketHeaders } from './header-scan'
import { decodeLinkLayer } from './link-layer'
import { PacketTreeBuilder } from './packet-tree-builder'
import { errorMessage } from '../../../../shared/error-message'

/** Reused by every summary: the decoders are synchronous, so one state is never shared by two packets at once. */
const summaryState = new DecodeState()

/** Decodes a packet into its one-row summary. `linkType` is the LINKTYPE_* of its interface. */
export function summarizePacket(packet: RawPacket, linkType: number): PacketSummary {
  runDecoders(summaryState, packet, linkType, null)
  const summary = summaryState.toSummary(packet, linkType)
  summaryState.data = EMPTY
  return summary
}

/**
 * Fills `headers` (after `headers.begin(…)` took the record fields) with what the headers of the
 * packet at `data[start, start + capturedLength)` say: read in place when the header scan can,
 * decoded in full otherwise, with the same result either way. Nothing is copied.
 */
export function readRecordHeaders(headers: PacketHeaders, data: Uint8Array, start: number, capturedLength: number, linkType: number): PacketHeaders {
  if (scanHeaders(headers, data, start, capturedLength, headers.originalLength, linkType)) return headers
  return headers.fromSummary(summarizePacket(recordPacket(headers, data, start), linkType))
}

/** The packet `headers` describe, its bytes a view of `data` from `start`: for decoding one still in a file's buffer. */
export function recordPacket(headers: PacketHeaders, data: Uint8Array, start: number): RawPacket {
  return {
    interfaceIndex: headers.interfaceIndex,
    timestampSeconds: headers.timestampSeconds,
    timestampNanos: headers.timestampNanos,
    originalLength: headers.originalLength,
    data: data.subarray(start, start + headers.capturedLength),
    ...(headers.comment === null ? {} : { comment: headers.comment })
  }
}

/** Decodes a packet fully: the summary plus every layer and field with its byte range. */
export function decodePacketTree(packet: RawPacket, linkType: number): DecodedPacketTree {
  const state = new DecodeState()
  const tree = new PacketTreeBuilder()
  runDecoders(state, packet, linkType, tree)
  return {
    summary: state.toSummary(packet, linkType),
    layers: tree.layers,
    tcpOptions: state.tcpOptions,
    dns: state.dns,
    tls: state.tls,
    http: state.http
  }
}

const EMPTY = new Uint8Array(0)

function runDecoders(state: DecodeState, packet: RawPacket, linkType: number, tree: PacketTreeBuilder | null): void {
  state.reset(packet, tree)
  try {
    decodeLinkLayer(state, linkType)
  } catch (error) {
    // A decoder bug must not take the list down: report it like a malformed packet.
    state.markMalformed('data', `decoder failure: ${errorMessage(error)}`, 0)
  }
  if (state.info === '') state.info = state.protocol
}
