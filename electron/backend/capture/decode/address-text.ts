/**
 * Addresses read straight out of packet bytes as text.
 */

import { formatIpAddress } from '../../../../shared/net/ip-address'
import { networkUint32 } from '../byte-reading'

/** Dotted IPv4 text of the 4 bytes at `offset`. */
export function ipv4Text(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`
}

/** Recently formatted IPv6 addresses: a capture repeats a handful of them millions of times. */
const ipv6TextCache = new Map<string, string>()
const IPV6_CACHE_LIMIT = 4096

/** RFC 5952 IPv6 text of the 16 bytes at `offset`. */
export function ipv6Text(bytes: Uint8Array, offset: number): string {
  const words = [networkUint32(bytes, offset), networkUint32(bytes, offset + 4), networkUint32(bytes, offset + 8), networkUint32(bytes, offset + 12)]
  const key = `${words[0]} ${words[1]} ${words[2]} ${words[3]}`
  let text = ipv6TextCache.get(key)
  if (text === undefined) {
    text = formatIpAddress({ family: 6, words, zone: null })
    if (ipv6TextCache.size >= IPV6_CACHE_LIMIT) ipv6TextCache.clear()
    ipv6TextCache.set(key, text)
  }
  return text
}

const HEX = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, '0'))

/** Colon-separated hex of `length` bytes, the way MAC addresses are written. */
export function macText(bytes: Uint8Array, offset: number, length = 6): string {
  const parts: string[] = []
  for (let index = 0; index < length; index += 1) parts.push(HEX[bytes[offset + index]!]!)
  return parts.join(':')
}

/** Space-less hex of a byte range (for short opaque values). */
export function hexText(bytes: Uint8Array, offset: number, length: number): string {
  let text = ''
  for (let index = 0; index < length; index += 1) text += HEX[bytes[offset + index]!]!
  return text
}

/** Bytes as Latin-1 text: every byte is one character, so a byte offset is a string offset. */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  let text = ''
  for (let index = start; index < end; index += 1) text += String.fromCharCode(bytes[index]!)
  return text
}

/** A hex number with a 0x prefix and fixed width. */
export function hexNumber(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`
}
