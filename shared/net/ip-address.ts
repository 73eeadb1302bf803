/**
 * IPv4 and IPv6 addresses and CIDR networks, for filters, probes and decoders.
 *
 * Pure and browser-safe. An address is held as 32-bit words so that prefix checks are a few
 * integer masks rather than string work: the filter box runs them on every row per keystroke.
 */

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
export type IpNetworkParseResult =
  | { readonly ok: true; readonly network: IpNetwork }
  | { readonly ok: false; readonly reason: string }

const IPV4_MAPPED_MARKER = 0x0000ffff

/**
 * Parses an IPv4 dotted quad or an IPv6 address.
 *
 * IPv6 may use `::`, an embedded dotted quad (`::ffff:10.0.0.1`), a zone (`fe80::1%lo`) and
 * surrounding brackets (`[::1]`). IPv4 parts with leading zeros are refused because some tools
 * read them as octal. Returns null for anything else.
 */
export function parseIpAddress(text: string): IpAddress | null {
  let body = text
  if (body.startsWith('[') && body.endsWith(']')) body = body.slice(1, -1)
  if (body.includes(':')) return parseIpv6(body)
  const word = parseIpv4Word(body)
  return word === null ? null : { family: 4, words: [word], zone: null }
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
  for (let index = 0; index < bytes.length; index += 4) {
    words.push(
      ((bytes[index]! << 24) | (bytes[index + 1]! << 16) | (bytes[index + 2]! << 8) | bytes[index + 3]!) >>> 0
    )
  }
  return { family: bytes.length === 4 ? 4 : 6, words, zone: null }
}

/**
 * Formats an address the canonical way: dotted IPv4, or RFC 5952 IPv6 (lower case, the longest run
 * of two or more zero groups shortened to `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`).
 * A zone is kept as a `%zone` suffix.
 */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) return formatIpv4Word(address.words[0]!)
  const text = isIpv4Mapped(address) ? `::ffff:${formatIpv4Word(address.words[3]!)}` : formatIpv6Groups(address.words)
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
  return isIpv4Mapped(address) ? { family: 4, words: [address.words[3]!], zone: null } : address
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
    if (address.family === 4) word = address.words[0]!
    else if (isIpv4Mapped(address)) word = address.words[3]!
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
  if (address.family === 6) return address.words[index]!
  if (index === 2) return IPV4_MAPPED_MARKER
  return index === 3 ? address.words[0]! : 0
}

function isDecimalDigits(text: string): boolean {
  if (text.length === 0) return false
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index)
    if (code < 48 || code > 57) return false
  }
  return true
}

function parseIpv4Word(text: string): number | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  let word = 0
  for (const part of parts) {
    if (!isDecimalDigits(part) || part.length > 3 || (part.length > 1 && part.startsWith('0'))) return null
    const value = Number(part)
    if (value > 255) return null
    word = word * 256 + value
  }
  return word
}

function parseHexGroup(text: string): number | null {
  if (text.length === 0 || text.length > 4) return null
  let value = 0
  for (let index = 0; index < text.length; index += 1) {
    const digit = parseInt(text[index]!, 16)
    if (Number.isNaN(digit)) return null
    value = value * 16 + digit
  }
  return value
}

/** Parses the groups on one side of `::`; a dotted quad may end the last side and counts as two groups. */
function parseIpv6Groups(text: string, mayEndWithIpv4: boolean): number[] | null {
  if (text.length === 0) return []
  const parts = text.split(':')
  const groups: number[] = []
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index]!
    if (mayEndWithIpv4 && index === parts.length - 1 && part.includes('.')) {
      const word = parseIpv4Word(part)
      if (word === null) return null
      groups.push(word >>> 16, word & 0xffff)
    } else {
      const group = parseHexGroup(part)
      if (group === null) return null
      groups.push(group)
    }
  }
  return groups
}

function parseIpv6(text: string): IpAddress | null {
  let body = text
  let zone: string | null = null
  const percent = body.indexOf('%')
  if (percent >= 0) {
    zone = body.slice(percent + 1)
    if (zone.length === 0) return null
    body = body.slice(0, percent)
  }
  const halves = body.split('::')
  if (halves.length > 2) return null
  let groups: number[]
  if (halves.length === 2) {
    const head = parseIpv6Groups(halves[0]!, false)
    const tail = parseIpv6Groups(halves[1]!, true)
    if (head === null || tail === null || head.length + tail.length > 7) return null
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  } else {
    const all = parseIpv6Groups(body, true)
    if (all === null || all.length !== 8) return null
    groups = all
  }
  const words = [0, 2, 4, 6].map((index) => ((groups[index]! << 16) | groups[index + 1]!) >>> 0)
  return { family: 6, words, zone }
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
