/**
 * The UDP probe's DNS preset: check the name to ask for, encode a standard query with one question
 * (RFC 1035 section 4), and sum up the reply, which the shared DNS reader reads.
 *
 * Pure and browser-safe, so the renderer can check a name and show the query before it is sent.
 */
import type { DnsQuery, DnsReplySummary } from '../model/probe'
import type { ParseResult } from '../probe-target'
import { DNS_HEADER_LENGTH, dnsTypeCode, readDnsMessage } from './dns-reader'

const CLASS_INTERNET = 1
const FLAG_RECURSION_DESIRED = 0x0100
/** Answers a reply summary lists at most; the reply may hold more. */
const MAXIMUM_SUMMARIZED_ANSWERS = 64

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
export function encodeDnsQuery(question: DnsQuery, id: number): Uint8Array {
  const labels = question.name === '.' ? [] : question.name.replace(/\.$/, '').split('.')
  const nameBytes = labels.reduce((sum, label) => sum + 1 + label.length, 1)
  const message = new Uint8Array(DNS_HEADER_LENGTH + nameBytes + 4)
  const view = new DataView(message.buffer)
  view.setUint16(0, id & 0xffff)
  view.setUint16(2, FLAG_RECURSION_DESIRED)
  view.setUint16(4, 1)
  let offset = DNS_HEADER_LENGTH
  for (const label of labels) {
    message[offset] = label.length
    offset += 1
    for (let index = 0; index < label.length; index += 1) message[offset + index] = label.charCodeAt(index)
    offset += label.length
  }
  message[offset] = 0
  offset += 1
  // Every preset type is one the reader names, so the lookup cannot miss.
  const typeCode = dnsTypeCode(question.type)
  if (typeCode === null) throw new RangeError(`DNS type ${question.type} has no code`)
  view.setUint16(offset, typeCode)
  view.setUint16(offset + 2, CLASS_INTERNET)
  return message
}

/**
 * The header and answers of a reply. Gives null when the bytes are too short to be DNS; a reply
 * that breaks part way keeps the answers read before the break.
 */
export function decodeDnsReply(reply: Uint8Array): DnsReplySummary | null {
  const reading = readDnsMessage(reply, 0, reply.length)
  if (reading === null) return null
  const { message } = reading
  return {
    id: message.id,
    isResponse: message.isResponse,
    responseCode: message.responseCodeName,
    truncated: message.truncated,
    questionCount: message.questionCount,
    answerCount: message.answerCount,
    authorityCount: message.authorityCount,
    additionalCount: message.additionalCount,
    answers: message.answers.slice(0, MAXIMUM_SUMMARIZED_ANSWERS).map((answer) => ({ name: answer.name, type: answer.typeName, ttl: answer.ttl, data: answer.data }))
  }
}
