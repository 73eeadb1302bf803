/**
 * Link-layer addresses read straight out of packet bytes as text. IP addresses are formatted by
 * ipv4Text and ipv6Text in shared/net/ip-address.ts, which the DNS reader uses too.
 */

import { hexText } from '../../../../shared/bytes'

/** Colon-separated hex of `length` bytes, the way MAC addresses are written. */
export function macText(bytes: Uint8Array, offset: number, length = 6): string {
  const parts: string[] = []
  for (let index = 0; index < length; index += 1) parts.push(hexText(bytes, offset + index, 1))
  return parts.join(':')
}
