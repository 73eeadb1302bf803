/**
 * Picks the application decoder for a TCP or UDP payload: DNS by port (53, and 5353 for
 * mDNS), TLS and HTTP/1 by their first bytes on any port.
 */

import type { DecodeState } from './decode-state'
import { decodeDns } from './dns'
import { decodeHttp, looksLikeHttp } from './http'
import { decodeTls, looksLikeTls } from './tls'

const DNS_PORT = 53
const MDNS_PORT = 5353

/** Decodes the payload between `start` and `end` (captured bytes only). */
export function decodeApplication(state: DecodeState, transport: 'tcp' | 'udp', start: number, end: number): void {
  if (end <= start) return
  const sourcePort = state.sourcePort
  const destinationPort = state.destinationPort
  if (sourcePort === DNS_PORT || destinationPort === DNS_PORT || sourcePort === MDNS_PORT || destinationPort === MDNS_PORT) {
    const multicast = sourcePort === MDNS_PORT || destinationPort === MDNS_PORT
    if (decodeDns(state, start, end, transport === 'tcp', multicast)) return
  }
  if (transport === 'tcp') {
    if (looksLikeTls(state.data, start, end)) {
      decodeTls(state, start, end)
      return
    }
    if (looksLikeHttp(state.data, start, end)) {
      decodeHttp(state, start, end)
      return
    }
  }
  state.tree?.layer('data', `Data (${end - start} bytes)`, start, end - start)
}
