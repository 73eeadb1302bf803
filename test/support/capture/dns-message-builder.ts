/**
 * Builds DNS messages byte by byte (RFC 1035), with name compression, for the local responder
 * that produces the capture fixtures, for the UDP probe's test server and for decoder tests.
 */
import { readDnsMessage } from '../../../shared/dns/dns-reader'
import { elementAt } from '../../../shared/element-at'

/** A resource record to put in an answer. */
export interface BuiltRecord {
  readonly name: string
  readonly type: number
  readonly ttl: number
  /** Record data: an IPv4/IPv6 address, a name (CNAME, PTR, NS), TXT strings, or raw bytes for any other type. */
  readonly data: string | readonly string[] | Uint8Array
}

/** A DNS message to build. */
export interface BuiltMessage {
  readonly id: number
  readonly flags: number
  readonly questions: readonly { readonly name: string; readonly type: number; readonly class?: number }[]
  readonly answers?: readonly BuiltRecord[]
}

/** Record types the builder knows how to encode data for. */
export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, PTR: 12, TXT: 16, AAAA: 28 } as const

/** Encodes a message, compressing every name suffix already written. */
export function buildDnsMessage(message: BuiltMessage): Uint8Array {
  const bytes: number[] = []
  const written = new Map<string, number>()
  const uint16 = (value: number) => bytes.push((value >> 8) & 0xff, value & 0xff)
  const uint32 = (value: number) => {
    uint16((value >>> 16) & 0xffff)
    uint16(value & 0xffff)
  }
  const name = (text: string) => {
    const labels = text.split('.').filter((label) => label.length > 0)
    for (let index = 0; index < labels.length; index += 1) {
      const suffix = labels.slice(index).join('.').toLowerCase()
      const earlier = written.get(suffix)
      if (earlier !== undefined) {
        uint16(0xc000 | earlier)
        return
      }
      if (bytes.length < 0x3fff) written.set(suffix, bytes.length)
      const label = new TextEncoder().encode(elementAt(labels, index))
      bytes.push(label.length, ...label)
    }
    bytes.push(0)
  }
  uint16(message.id)
  uint16(message.flags)
  uint16(message.questions.length)
  uint16(message.answers?.length ?? 0)
  uint16(0)
  uint16(0)
  for (const question of message.questions) {
    name(question.name)
    uint16(question.type)
    uint16(question.class ?? 1)
  }
  for (const record of message.answers ?? []) {
    name(record.name)
    uint16(record.type)
    uint16(1)
    uint32(record.ttl)
    const lengthAt = bytes.length
    uint16(0)
    const dataStart = bytes.length
    if (record.data instanceof Uint8Array) bytes.push(...record.data)
    else if (record.type === DNS_TYPE.A) bytes.push(...String(record.data).split('.').map(Number))
    else if (record.type === DNS_TYPE.AAAA) bytes.push(...ipv6Bytes(String(record.data)))
    else if (record.type === DNS_TYPE.TXT) {
      for (const text of record.data as readonly string[]) {
        const encoded = new TextEncoder().encode(text)
        bytes.push(encoded.length, ...encoded)
      }
    } else name(String(record.data))
    const dataLength = bytes.length - dataStart
    bytes[lengthAt] = dataLength >> 8
    bytes[lengthAt + 1] = dataLength & 0xff
  }
  return Uint8Array.from(bytes)
}

/** Reads the id and first question name and type from a query, enough to answer it. */
export function readDnsQuery(bytes: Uint8Array): { id: number; name: string; type: number } | null {
  const message = readDnsMessage(bytes, 0, bytes.length)?.message
  const question = message?.questions[0]
  return message === undefined || question === undefined ? null : { id: message.id, name: question.name, type: question.type }
}

function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
  return groups.flatMap((group) => {
    const value = parseInt(group, 16)
    return [value >> 8, value & 0xff]
  })
}

/** Answer a DNS query for any name with one A record, 192.0.2.7, as a real server would frame it. */
export function answerWithARecord(query: Uint8Array): Uint8Array {
  const question = readDnsQuery(query)
  if (question === null) throw new Error('the probe sent something that is not a DNS query')
  return buildDnsMessage({
    id: question.id,
    flags: 0x8180,
    questions: [{ name: question.name, type: question.type }],
    answers: [{ name: question.name, type: DNS_TYPE.A, ttl: 3600, data: '192.0.2.7' }]
  })
}
