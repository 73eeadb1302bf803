/**
 * A minimal DNS message encoder (one question, RFC 1035 section 4) for the UDP probe's DNS
 * preset, and a decoder that reads just enough of the reply to show its header and answers.
 *
 * Pure and browser-safe, so the renderer can show the query's bytes before it is sent.
 */
import type { DnsAnswerSummary, DnsQuestion, DnsRecordType, DnsReplySummary } from './model/probe'
import type { ParseResult } from './probe-target'
import { formatIpAddress, ipAddressFromBytes } from './net/ip-address'

/** The record types the preset offers, with their QTYPE numbers. */
export const DNS_RECORD_TYPE_CODES: Readonly<Record<DnsRecordType, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  ANY: 255
}

/** Every record type the preset offers. */
export const DNS_RECORD_TYPES = Object.keys(DNS_RECORD_TYPE_CODES) as readonly DnsRecordType[]

const RESPONSE_CODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE']

const HEADER_BYTES = 12
const CLASS_INTERNET = 1
const FLAG_RECURSION_DESIRED = 0x0100
/** Answers the decoder reads at most; a reply may hold more. */
const MAXIMUM_DECODED_ANSWERS = 64
/** Compression pointers followed at most per name, which also stops pointer loops. */
const MAXIMUM_POINTER_JUMPS = 32

/** Check a name to query: dot-separated labels of 1-63 ASCII characters, at most 253 in all ("." is the root). */
export function validateDnsName(input: string): ParseResult<string> {
  const name = input.trim()
  if (name === '') return { ok: false, error: 'Enter the DNS name to query.' }
  if (name === '.') return { ok: true, value: name }
  const bare = name.endsWith('.') ? name.slice(0, -1) : name
  if (bare.length > 253) return { ok: false, error: `The DNS name is ${bare.length} characters long; the limit is 253.` }
  for (const label of bare.split('.')) {
    if (label === '') return { ok: false, error: `The DNS name "${name}" has an empty label between dots.` }
    if (label.length > 63) return { ok: false, error: `The DNS label "${label}" is longer than 63 characters.` }
    if (!/^[A-Za-z0-9_*-]+$/.test(label)) {
      return { ok: false, error: `The DNS label "${label}" may only hold letters, digits, "-", "_" and "*".` }
    }
  }
  return { ok: true, value: name }
}

/**
 * Encode a standard query with one question, class IN and recursion desired.
 * The name must have passed {@link validateDnsName}.
 */
export function encodeDnsQuery(question: DnsQuestion, id: number): Uint8Array {
  const labels = question.name === '.' ? [] : question.name.replace(/\.$/, '').split('.')
  const nameBytes = labels.reduce((sum, label) => sum + 1 + label.length, 1)
  const message = new Uint8Array(HEADER_BYTES + nameBytes + 4)
  const view = new DataView(message.buffer)
  view.setUint16(0, id & 0xffff)
  view.setUint16(2, FLAG_RECURSION_DESIRED)
  view.setUint16(4, 1)
  let offset = HEADER_BYTES
  for (const label of labels) {
    message[offset] = label.length
    offset += 1
    for (let index = 0; index < label.length; index += 1) message[offset + index] = label.charCodeAt(index)
    offset += label.length
  }
  message[offset] = 0
  offset += 1
  view.setUint16(offset, DNS_RECORD_TYPE_CODES[question.type])
  view.setUint16(offset + 2, CLASS_INTERNET)
  return message
}

/** Read a possibly compressed name at `offset`; gives the name and where the record continues. */
function readName(message: Uint8Array, start: number): { name: string; next: number } | null {
  const labels: string[] = []
  let offset = start
  let next: number | null = null
  let jumps = 0
  for (;;) {
    if (offset >= message.length) return null
    const length = message[offset]
    if (length === 0) {
      return { name: labels.length === 0 ? '.' : labels.join('.'), next: next ?? offset + 1 }
    }
    if ((length & 0xc0) === 0xc0) {
      if (offset + 1 >= message.length || jumps >= MAXIMUM_POINTER_JUMPS) return null
      next ??= offset + 2
      offset = ((length & 0x3f) << 8) | message[offset + 1]
      jumps += 1
      continue
    }
    if ((length & 0xc0) !== 0 || offset + 1 + length > message.length) return null
    labels.push(String.fromCharCode(...message.subarray(offset + 1, offset + 1 + length)))
    offset += 1 + length
  }
}

function typeName(code: number): string {
  const known = (Object.entries(DNS_RECORD_TYPE_CODES) as [DnsRecordType, number][]).find(([, value]) => value === code)
  return known === undefined ? `TYPE${code}` : known[0]
}

function describeRecordData(message: Uint8Array, type: number, start: number, length: number): string {
  const data = message.subarray(start, start + length)
  if (type === DNS_RECORD_TYPE_CODES.A && length === 4) return Array.from(data).join('.')
  if (type === DNS_RECORD_TYPE_CODES.AAAA && length === 16) {
    const address = ipAddressFromBytes(data)
    return address === null ? `${length} bytes` : formatIpAddress(address)
  }
  if (type === DNS_RECORD_TYPE_CODES.CNAME || type === DNS_RECORD_TYPE_CODES.NS || type === DNS_RECORD_TYPE_CODES.PTR) {
    return readName(message, start)?.name ?? `${length} bytes`
  }
  return `${length} bytes`
}

/**
 * Read a reply's header and its answer records. Gives null when the bytes are too short to be
 * DNS; stops quietly at the first malformed record, keeping what it read so far.
 */
export function decodeDnsReply(message: Uint8Array): DnsReplySummary | null {
  if (message.length < HEADER_BYTES) return null
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength)
  const flags = view.getUint16(2)
  const questionCount = view.getUint16(4)
  const answerCount = view.getUint16(6)
  const answers: DnsAnswerSummary[] = []
  let offset = HEADER_BYTES
  let readable = true
  for (let index = 0; index < questionCount && readable; index += 1) {
    const name = readName(message, offset)
    if (name === null || name.next + 4 > message.length) readable = false
    else offset = name.next + 4
  }
  for (let index = 0; index < answerCount && readable && answers.length < MAXIMUM_DECODED_ANSWERS; index += 1) {
    const name = readName(message, offset)
    if (name === null || name.next + 10 > message.length) break
    const type = view.getUint16(name.next)
    const ttl = view.getUint32(name.next + 4)
    const length = view.getUint16(name.next + 8)
    const dataStart = name.next + 10
    if (dataStart + length > message.length) break
    answers.push({ name: name.name, type: typeName(type), ttl, data: describeRecordData(message, type, dataStart, length) })
    offset = dataStart + length
  }
  const responseCode = flags & 0x000f
  return {
    id: view.getUint16(0),
    isResponse: (flags & 0x8000) !== 0,
    responseCode: RESPONSE_CODES[responseCode] ?? `RCODE${responseCode}`,
    truncated: (flags & 0x0200) !== 0,
    questionCount,
    answerCount,
    authorityCount: view.getUint16(8),
    additionalCount: view.getUint16(10),
    answers
  }
}
