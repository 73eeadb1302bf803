/**
 * IPv4 and IPv6 addresses and CIDR networks, for filters, probes and decoders.
 *
 * Pure and browser-safe. An address is held as 32-bit words so that prefix checks are a few
 * integer masks rather than string work: the filter box runs them on every row per keystroke.
 */
import { networkUint32 } from '../bytes'
import { elementAt } from '../element-at'

/** A parsed IP address. */
export interface IpAddress {
  readonly family: 4 | 6
  /**
   * The address as unsigned 32-bit words, most significant first: one word for IPv4, four for IPv6.
   */
  readonly words: readonly number[]
  /** The IPv6 zone (`fe80::1%eth0` gives `eth0`); never part of comparisons. */
  readonly zone: string | null
}

/** A CIDR network: an address with its host bits cleared and a prefix length. */
export interface IpNetwork {
  readonly address: IpAddress
  /** 0–32 for IPv4, 0–128 for IPv6. */
  readonly prefixLength: number
}

/** The outcome of {@link parseIpNetwork}: the network, or why the text is not one. */
export type IpNetworkParseResult = { readonly ok: true; readonly network: IpNetwork } | { readonly ok: false; readonly reason: string }

const IPV4_MAPPED_MARKER = 0x0000ffff

/**
 * Parses an IPv4 dotted quad or an IPv6 address.
 *
 * IPv6 may use `::`, an embedded dotted quad (`::ffff:10.0.0.1`), a zone (`fe80::1%lo`) and
 * surrounding brackets (`[::1]`). IPv4 parts with leading zeros are refused because some tools
 * read them as octal. Returns null for anything else.
 */
export function parseIpAddress(text: string): IpAddress | null {
  let start = 0
  let end = text.length
  if (text.startsWith('[') && text.endsWith(']')) {
    start = 1
    end -= 1
  }
  const colon = text.indexOf(':', start)
  if (colon >= 0 && colon < end) return scanIpv6(text, start, end)
  const word = scanIpv4(text, start, end)
  return word < 0 ? null : { family: 4, words: [word], zone: null }
}

/** True when the text is an IPv4 or IPv6 address {@link parseIpAddress} accepts. */
export function isIpAddress(text: string): boolean {
  return parseIpAddress(text) !== null
}

/**
 * Builds an address from its network-order bytes: 4 for IPv4, 16 for IPv6.
 * Returns null for any other length.
 */
export function ipAddressFromBytes(bytes: Uint8Array): IpAddress | null {
  if (bytes.length !== 4 && bytes.length !== 16) return null
  const words: number[] = []
  for (let index = 0; index < bytes.length; index += 4) words.push(networkUint32(bytes, index))
  return { family: bytes.length === 4 ? 4 : 6, words, zone: null }
}

/** Dotted IPv4 text of the 4 network-order bytes at `offset` (a packet header, a DNS A record). */
export function ipv4Text(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`
}

/** Recently formatted IPv6 addresses: a capture repeats a handful of them millions of times. */
const ipv6TextCache = new Map<string, string>()
const IPV6_TEXT_CACHE_LIMIT = 4096

/** RFC 5952 IPv6 text of the 16 network-order bytes at `offset`, without copying them. */
export function ipv6Text(bytes: Uint8Array, offset: number): string {
  const words = [networkUint32(bytes, offset), networkUint32(bytes, offset + 4), networkUint32(bytes, offset + 8), networkUint32(bytes, offset + 12)]
  const key = `${words[0]} ${words[1]} ${words[2]} ${words[3]}`
  let text = ipv6TextCache.get(key)
  if (text === undefined) {
    text = formatIpAddress({ family: 6, words, zone: null })
    if (ipv6TextCache.size >= IPV6_TEXT_CACHE_LIMIT) ipv6TextCache.clear()
    ipv6TextCache.set(key, text)
  }
  return text
}

/**
 * Formats an address the canonical way: dotted IPv4, or RFC 5952 IPv6 (lower case, the longest run
 * of two or more zero groups shortened to `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`).
 * A zone is kept as a `%zone` suffix.
 */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) return formatIpv4Word(elementAt(address.words, 0))
  const text = isIpv4Mapped(address) ? `::ffff:${formatIpv4Word(elementAt(address.words, 3))}` : formatIpv6Groups(address.words)
  return address.zone === null ? text : `${text}%${address.zone}`
}

/**
 * Parses and re-formats an address with {@link formatIpAddress}, so two spellings of one address
 * compare equal as strings. Returns null when the text is not an address.
 */
export function normalizeIpAddress(text: string): string | null {
  const address = parseIpAddress(text)
  return address === null ? null : formatIpAddress(address)
}

/** True for an IPv6 address in `::ffff:0:0/96`, the way dual-stack sockets show IPv4 peers. */
export function isIpv4Mapped(address: IpAddress): boolean {
  const words = address.words
  return address.family === 6 && words[0] === 0 && words[1] === 0 && words[2] === IPV4_MAPPED_MARKER
}

/** The IPv4 address inside an IPv4-mapped IPv6 address; any other address comes back unchanged. */
export function unmapIpv4(address: IpAddress): IpAddress {
  return isIpv4Mapped(address) ? { family: 4, words: [elementAt(address.words, 3)], zone: null } : address
}

/**
 * Parses CIDR text such as `10.0.0.0/8` or `fe80::/10`. Host bits may be set (`10.1.2.3/8`);
 * they are cleared, as `ip route` does.
 */
export function parseIpNetwork(text: string): IpNetworkParseResult {
  const slash = text.indexOf('/')
  if (slash < 0) return { ok: false, reason: 'a network needs a /prefix length' }
  const address = parseIpAddress(text.slice(0, slash))
  if (address === null) return { ok: false, reason: 'not an IP address before the /' }
  const maximum = address.family === 4 ? 32 : 128
  const prefixText = text.slice(slash + 1)
  if (!isDecimalDigits(prefixText) || prefixText.length > 3 || Number(prefixText) > maximum) {
    return { ok: false, reason: `prefix length must be 0–${maximum}` }
  }
  return { ok: true, network: makeIpNetwork(address, Number(prefixText)) }
}

/**
 * The network of the given prefix length around an address. A full-length prefix (the default)
 * gives a network holding only that address, so single addresses and CIDRs share one check.
 */
export function makeIpNetwork(address: IpAddress, prefixLength: number = address.family === 4 ? 32 : 128): IpNetwork {
  const words = address.words.map((word, index) => (word & prefixMask(prefixLength, index)) >>> 0)
  return { address: { family: address.family, words, zone: null }, prefixLength }
}

/**
 * True when the network holds the address.
 *
 * IPv4 and IPv4-mapped IPv6 are one address: `10.0.0.0/8` holds `::ffff:10.1.2.3`, and
 * `::ffff:10.0.0.0/104` holds `10.1.2.3`. Zones are ignored.
 */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  const prefixLength = network.prefixLength
  const networkWords = network.address.words
  if (network.address.family === 4) {
    let word: number
    if (address.family === 4) word = elementAt(address.words, 0)
    else if (isIpv4Mapped(address)) word = elementAt(address.words, 3)
    else return false
    return (word & prefixMask(prefixLength, 0)) >>> 0 === networkWords[0]
  }
  for (let index = 0; index < 4; index += 1) {
    const mask = prefixMask(prefixLength, index)
    if (mask === 0) return true
    if ((wordOfIpv6View(address, index) & mask) >>> 0 !== networkWords[index]) return false
  }
  return true
}

/** True when two addresses are the same, treating IPv4 and IPv4-mapped IPv6 as equal and ignoring zones. */
export function ipAddressesEqual(first: IpAddress, second: IpAddress): boolean {
  return networkContains(makeIpNetwork(first), second)
}

/** Formats a network as `address/prefix`. */
export function formatIpNetwork(network: IpNetwork): string {
  return `${formatIpAddress(network.address)}/${network.prefixLength}`
}

/** The mask for one 32-bit word of an address under a prefix length. */
function prefixMask(prefixLength: number, wordIndex: number): number {
  const bits = Math.min(32, Math.max(0, prefixLength - wordIndex * 32))
  if (bits === 0) return 0
  return bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0
}

/** A word of the address seen as IPv6, so IPv4 reads as its mapped form without allocating one. */
function wordOfIpv6View(address: IpAddress, index: number): number {
  if (address.family === 6) return elementAt(address.words, index)
  if (index === 2) return IPV4_MAPPED_MARKER
  return index === 3 ? elementAt(address.words, 0) : 0
}

function isDecimalDigits(text: string): boolean {
  if (text.length === 0) return false
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index)
    if (code < 48 || code > 57) return false
  }
  return true
}

/**
 * Reads a dotted quad between two offsets, returning its 32-bit value or -1. A hand-written scanner
 * rather than split() because filters parse every row's addresses.
 */
function scanIpv4(text: string, start: number, end: number): number {
  let word = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index)
    if (code === 46) {
      if (digits === 0 || dots === 3) return -1
      word = word * 256 + part
      part = 0
      digits = 0
      dots += 1
    } else if (code >= 48 && code <= 57) {
      // A leading zero followed by more digits reads as octal in some tools: refuse it.
      if (digits === 1 && part === 0) return -1
      part = part * 10 + (code - 48)
      digits += 1
      if (part > 255) return -1
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0) return -1
  return word * 256 + part
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Reads IPv6 (with an optional `%zone` and dotted-quad tail) between two offsets in one pass. */
function scanIpv6(text: string, start: number, end: number): IpAddress | null {
  let zone: string | null = null
  const percent = text.indexOf('%', start)
  if (percent >= 0 && percent < end) {
    if (percent === end - 1) return null
    zone = text.slice(percent + 1, end)
    end = percent
  }
  const groups = [0, 0, 0, 0, 0, 0, 0, 0]
  let count = 0
  // Where "::" stands, as a group index; -1 when absent.
  let gap = -1
  let index = start
  if (text.charCodeAt(index) === 58) {
    if (text.charCodeAt(index + 1) !== 58) return null
    gap = 0
    index += 2
  }
  while (index < end) {
    const groupStart = index
    let value = 0
    let digits = 0
    for (let digit = hexValue(text.charCodeAt(index)); digit >= 0 && index < end; digit = hexValue(text.charCodeAt(index))) {
      value = value * 16 + digit
      digits += 1
      index += 1
    }
    if (index < end && text.charCodeAt(index) === 46) {
      if (count > 6) return null
      const word = scanIpv4(text, groupStart, end)
      if (word < 0) return null
      groups[count++] = word >>> 16
      groups[count++] = word & 0xffff
      break
    }
    if (digits === 0 || digits > 4 || count === 8) return null
    groups[count++] = value
    if (index === end) break
    if (text.charCodeAt(index) !== 58) return null
    index += 1
    if (text.charCodeAt(index) === 58 && index < end) {
      if (gap >= 0) return null
      gap = count
      index += 1
    } else if (index === end) {
      return null
    }
  }
  if (gap < 0) {
    if (count !== 8) return null
  } else {
    if (count > 7) return null
    // Slide the groups after "::" to the end, zero-filling the middle.
    const shift = 8 - count
    for (let group = count - 1; group >= gap; group -= 1) groups[group + shift] = elementAt(groups, group)
    for (let group = gap; group < gap + shift; group += 1) groups[group] = 0
  }
  return {
    family: 6,
    words: [
      ((elementAt(groups, 0) << 16) | elementAt(groups, 1)) >>> 0,
      ((elementAt(groups, 2) << 16) | elementAt(groups, 3)) >>> 0,
      ((elementAt(groups, 4) << 16) | elementAt(groups, 5)) >>> 0,
      ((elementAt(groups, 6) << 16) | elementAt(groups, 7)) >>> 0
    ],
    zone
  }
}

function formatIpv4Word(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`
}

function formatIpv6Groups(words: readonly number[]): string {
  const groups = words.flatMap((word) => [word >>> 16, word & 0xffff])
  // RFC 5952: shorten the longest run of at least two zero groups, the first one on a tie.
  let bestStart = -1
  let bestLength = 1
  let runStart = -1
  for (let index = 0; index <= groups.length; index += 1) {
    if (index < groups.length && groups[index] === 0) {
      if (runStart < 0) runStart = index
    } else if (runStart >= 0) {
      if (index - runStart > bestLength) {
        bestStart = runStart
        bestLength = index - runStart
      }
      runStart = -1
    }
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
