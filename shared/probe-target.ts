/**
 * Parsing and validation of what a user types for a probe: `HOST:PORT`, `[v6]:PORT`, ports,
 * IP addresses and payloads (text or hex).
 *
 * Pure and browser-safe: the renderer's forms and the CLI use the same rules, so a value
 * the form accepts is a value the backend accepts.
 */

import { concatenateBytes } from './bytes'
import { networkContains, parseIpAddress, parseIpNetwork } from './net/ip-address'

/** A parse that either gives a value or says in one sentence what is wrong. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string }

/** A host and port, with the host unbracketed. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

function success<T>(value: T): ParseResult<T> {
  return { ok: true, value }
}

function failure<T>(error: string): ParseResult<T> {
  return { ok: false, error }
}

const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'].map((text) => {
  const parsed = parseIpNetwork(text)
  if (!parsed.ok) throw new Error(`bad built-in network ${text}`)
  return parsed.network
})

/**
 * 4 or 6 for an IP address, null for anything else (a host name, garbage, or a bracketed
 * address: brackets belong to the `[v6]:port` notation, not to the address).
 */
export function ipVersion(text: string): 4 | 6 | null {
  if (text.startsWith('[')) return null
  return parseIpAddress(text)?.family ?? null
}

/** Whether an IP address is a loopback address: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const parsed = ipVersion(address) === null ? null : parseIpAddress(address)
  return parsed !== null && LOOPBACK_NETWORKS.some((network) => networkContains(network, parsed))
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * Check a host as typed into a form: a name, an IPv4 address or an IPv6 address
 * (with or without brackets). Gives the host trimmed and unbracketed.
 */
export function validateHost(input: string): ParseResult<string> {
  const host = input.trim()
  if (host === '') return failure('Enter a host name or an IP address.')
  if (URL_SCHEME.test(host)) {
    return failure(`Give the host alone, without a scheme: "${host}" starts with a URL scheme.`)
  }
  if (host.startsWith('[') || host.endsWith(']')) {
    const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : ''
    return ipVersion(inner) === 6 ? success(inner) : failure(`"${host}" is not a valid bracketed IPv6 address.`)
  }
  if (host.includes(':')) {
    return ipVersion(host) === 6 ? success(host) : failure(`"${host}" is not a valid IPv6 address.`)
  }
  if (/^[0-9.]+$/.test(host)) {
    return ipVersion(host) === 4 ? success(host) : failure(`"${host}" is not a valid IPv4 address (four numbers 0-255 separated by dots).`)
  }
  return validateHostName(host)
}

function validateHostName(host: string): ParseResult<string> {
  const name = host.endsWith('.') ? host.slice(0, -1) : host
  if (name.length > 253) return failure(`The host name is ${name.length} characters long; the limit is 253.`)
  const badCharacter = /[^A-Za-z0-9._-]/.exec(name)
  if (badCharacter !== null) {
    const character = badCharacter[0]
    if (/\s/.test(character)) return failure(`The host name "${host}" contains a space.`)
    if (character.charCodeAt(0) > 127) {
      return failure(`The host name "${host}" has non-ASCII characters; use its xn-- (punycode) form.`)
    }
    return failure(`The host name "${host}" contains "${character}", which is not allowed in a host name.`)
  }
  for (const label of name.split('.')) {
    if (label === '') return failure(`The host name "${host}" has an empty part between dots.`)
    if (label.length > 63) return failure(`The host name part "${label}" is longer than 63 characters.`)
    if (label.startsWith('-') || label.endsWith('-')) {
      return failure(`The host name part "${label}" may not start or end with a hyphen.`)
    }
  }
  return success(host)
}

/** Options for {@link parsePort}. */
export interface PortOptions {
  /** Accept 0, meaning "let the system pick" (listeners only). */
  readonly allowZero?: boolean
}

/** Check a port typed as text or given as a number: a whole number 1-65535 (or 0 when allowed). */
export function parsePort(input: string | number, options: PortOptions = {}): ParseResult<number> {
  const text = typeof input === 'number' ? String(input) : input.trim()
  const lowest = options.allowZero === true ? 0 : 1
  if (text === '') return failure('Enter a port number.')
  if (!/^[0-9]+$/.test(text)) return failure(`The port "${text}" is not a whole number.`)
  const port = Number(text)
  if (port < lowest || port > 65535) {
    return failure(`The port ${text} is out of range; use ${lowest}-65535.`)
  }
  return success(port)
}

/**
 * Parse `HOST:PORT`, `IPV4:PORT` or `[IPV6]:PORT`.
 * An IPv6 address without brackets is refused, since its last group could be read as the port.
 */
export function parseHostPort(input: string): ParseResult<HostPort> {
  const text = input.trim()
  if (text === '') return failure('Enter a target as HOST:PORT, e.g. example.com:443 or [::1]:443.')
  if (URL_SCHEME.test(text)) return failure(`Give HOST:PORT without a scheme: "${text}" starts with a URL scheme.`)
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close === -1) return failure(`"${text}" opens "[" but never closes it; write [::1]:443.`)
    const rest = text.slice(close + 1)
    if (!rest.startsWith(':')) return failure(`"${text}" needs ":PORT" after the closing bracket, e.g. [::1]:443.`)
    const host = validateHost(text.slice(0, close + 1))
    if (!host.ok) return host
    const port = parsePort(rest.slice(1))
    return port.ok ? success({ host: host.value, port: port.value }) : port
  }
  const colons = text.split(':').length - 1
  if (colons === 0) return failure(`"${text}" has no port; write it as HOST:PORT.`)
  if (colons > 1) {
    return failure(`"${text}" looks like an IPv6 address; put it in brackets: [ADDRESS]:PORT, e.g. [::1]:443.`)
  }
  const separator = text.lastIndexOf(':')
  const host = validateHost(text.slice(0, separator))
  if (!host.ok) return host
  const port = parsePort(text.slice(separator + 1))
  return port.ok ? success({ host: host.value, port: port.value }) : port
}

/** A listener's bind address and port. */
export interface ListenAddress {
  readonly address: string
  readonly port: number
}

/** The address a listener binds when none is given: loopback only, never every interface by surprise. */
export const DEFAULT_LISTEN_ADDRESS = '127.0.0.1'

/**
 * Parse a listener's `[ADDRESS:]PORT`: `8080`, `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:0`.
 * The address must be an IP address; port 0 lets the system pick.
 */
export function parseListenAddress(input: string): ParseResult<ListenAddress> {
  const text = input.trim()
  if (/^[0-9]+$/.test(text)) {
    const port = parsePort(text, { allowZero: true })
    return port.ok ? success({ address: DEFAULT_LISTEN_ADDRESS, port: port.value }) : port
  }
  let addressText: string
  let portText: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close === -1 || text[close + 1] !== ':') {
      return failure(`"${text}" is not [ADDRESS]:PORT; write e.g. [::1]:8080.`)
    }
    addressText = text.slice(1, close)
    portText = text.slice(close + 2)
  } else {
    const separator = text.lastIndexOf(':')
    if (separator === -1) return failure(`"${text}" is not [ADDRESS:]PORT; write e.g. 8080 or 127.0.0.1:8080.`)
    addressText = text.slice(0, separator)
    portText = text.slice(separator + 1)
    if (addressText.includes(':')) {
      return failure(`"${text}" looks like an IPv6 address; put it in brackets: [ADDRESS]:PORT.`)
    }
  }
  const address = validateListenAddress(addressText)
  if (!address.ok) return address
  const port = parsePort(portText, { allowZero: true })
  return port.ok ? success({ address: address.value, port: port.value }) : port
}

/** Check a listener's bind address: an IPv4 or IPv6 address (names are refused, so it is clear what gets bound). */
export function validateListenAddress(input: string): ParseResult<string> {
  const text = input.trim().replace(/^\[(.*)\]$/, '$1')
  if (text === '') return failure('Enter an IP address to listen on, e.g. 127.0.0.1 or ::1.')
  return ipVersion(text) === null ? failure(`"${input.trim()}" is not an IP address; a listener binds an address such as 127.0.0.1, ::1 or 0.0.0.0.`) : success(text)
}

/**
 * Parse hex bytes: `deadbeef`, `de ad be ef`, `de:ad:be:ef` or `0xde 0xad`.
 * Whitespace, colons, commas and dashes may separate bytes.
 */
export function parseHex(input: string): ParseResult<Uint8Array> {
  let digits = ''
  let index = 0
  let atTokenStart = true
  for (let character = input[index]; character !== undefined; character = input[index]) {
    if (/[\s:,-]/.test(character)) {
      atTokenStart = true
      index += 1
      continue
    }
    if (atTokenStart && character === '0' && (input[index + 1] === 'x' || input[index + 1] === 'X')) {
      index += 2
      atTokenStart = false
      continue
    }
    atTokenStart = false
    if (!/^[0-9A-Fa-f]$/.test(character)) {
      return failure(`"${character}" at position ${index + 1} is not a hex digit (0-9, a-f).`)
    }
    digits += character
    index += 1
  }
  if (digits.length === 0) return failure('The hex payload is empty.')
  if (digits.length % 2 !== 0) {
    return failure(`Hex needs two digits per byte, but there are ${digits.length} digits.`)
  }
  return success(Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16)))
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' }

/** Turn text into UTF-8 bytes, optionally reading `\r \n \t \0 \\ \xHH` escapes first. */
export function encodeText(text: string, escapes: boolean): ParseResult<Uint8Array> {
  if (!escapes) return success(new TextEncoder().encode(text))
  const chunks: Uint8Array[] = []
  let plain = ''
  const flushPlain = (): void => {
    if (plain !== '') chunks.push(new TextEncoder().encode(plain))
    plain = ''
  }
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]
    if (character !== '\\') {
      plain += character
      continue
    }
    const next = text[index + 1]
    if (next === undefined) return failure('The text ends with a lone backslash; write \\\\ for a backslash.')
    if (next in SIMPLE_ESCAPES) {
      plain += SIMPLE_ESCAPES[next]
      index += 1
    } else if (next === 'x') {
      const hex = text.slice(index + 2, index + 4)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        return failure(`"\\x" at position ${index + 1} needs two hex digits, e.g. \\x0d.`)
      }
      flushPlain()
      chunks.push(Uint8Array.of(parseInt(hex, 16)))
      index += 3
    } else {
      return failure(`Unknown escape "\\${next}" at position ${index + 1}; use \\r \\n \\t \\0 \\xHH, or \\\\ for a backslash.`)
    }
  }
  flushPlain()
  return success(concatenateBytes(chunks))
}

/** The payload a user typed, as bytes; an empty payload is an error, since a probe needs something to send. */
export function parsePayload(spec: { readonly encoding: 'text' | 'hex'; readonly value: string; readonly escapes?: boolean }): ParseResult<Uint8Array> {
  if (spec.encoding === 'hex') return parseHex(spec.value)
  if (spec.value === '') return failure('The payload is empty; enter the text to send.')
  return encodeText(spec.value, spec.escapes === true)
}
