/**
 * The one DNS message reader (RFC 1035 wire format): header, questions and resource records, with
 * name compression followed safely (a jump limit stops pointer loops, and names are capped at
 * 255 bytes as the RFC requires). The capture decoders read DNS and mDNS packets with it, and
 * the UDP probe reads the reply to its DNS query with it.
 *
 * Pure and browser-safe. A message that starts right but breaks later keeps what was read before
 * the break, and says where and why it broke.
 */

import type { DnsHeader, DnsMessage, DnsQuestion, DnsRecord, DnsSection } from '../model/decoded-packet'
import { hexNumber, hexText, networkUint16, networkUint32 } from '../bytes'
import { ipv4Text, ipv6Text } from '../net/ip-address'
import { elementAt } from '../element-at'

/** Bytes in a DNS header. */
export const DNS_HEADER_LENGTH = 12
const MAXIMUM_NAME_LENGTH = 255
/** More pointer jumps than labels a name can have means a loop. */
const MAXIMUM_POINTER_JUMPS = 127
/** Bytes of unknown record data shown as hex. */
const MAXIMUM_HEX_DATA = 64
/** What a root name reads as, the way capture tools print it. */
const ROOT_NAME = '<Root>'

const DNS_TYPES: Readonly<Record<number, string>> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  39: 'DNAME',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  50: 'NSEC3',
  64: 'SVCB',
  65: 'HTTPS',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  257: 'CAA'
}

/** Record type numbers by mnemonic, the reverse of DNS_TYPES. */
const DNS_TYPE_CODES: ReadonlyMap<string, number> = new Map(Object.entries(DNS_TYPES).map(([code, name]) => [name, Number(code)]))

/** The mnemonic of a DNS record type, or TYPEnnn (RFC 3597) for one without a name. */
export function dnsTypeName(type: number): string {
  return DNS_TYPES[type] ?? `TYPE${type}`
}

/** The number of a record type mnemonic such as `AAAA`, or null for one this reader does not name. */
export function dnsTypeCode(name: string): number | null {
  return DNS_TYPE_CODES.get(name) ?? null
}

const DNS_RESPONSE_CODES: readonly string[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE']

/** The mnemonic of a DNS response code, e.g. 3 → NXDOMAIN. */
export function dnsResponseCodeName(code: number): string {
  return DNS_RESPONSE_CODES[code] ?? `RCODE${code}`
}

const DNS_OPCODES: Readonly<Record<number, string>> = {
  0: 'Standard query',
  1: 'Inverse query',
  2: 'Server status request',
  4: 'Zone change notification',
  5: 'Dynamic update'
}

/** What a DNS opcode asks for, e.g. 0 → "Standard query". */
export function dnsOpcodeName(opcode: number): string {
  return DNS_OPCODES[opcode] ?? `Opcode ${opcode}`
}

/** Where a question sits in the bytes: its name runs from `start` to `end - 4`, type and class follow. */
export interface DnsQuestionPlace {
  readonly start: number
  readonly end: number
}

/** Where a resource record sits: its name from `start`, ten fixed bytes, then `dataLength` bytes of data from `dataStart`. */
export interface DnsRecordPlace {
  readonly start: number
  readonly dataStart: number
  readonly dataLength: number
  readonly end: number
}

/**
 * Hooks that learn where each part of a message sits while it is read, in message order; the
 * capture details tree is built from them. Every hook is optional.
 */
export interface DnsReadListener {
  /** The header, before anything else. */
  header?(header: DnsHeader): void
  /** A section with at least one entry begins at `offset`. */
  sectionStart?(section: DnsSection, count: number, offset: number): void
  question?(question: DnsQuestion, place: DnsQuestionPlace): void
  record?(record: DnsRecord, place: DnsRecordPlace): void
  /** A section was read to its end, which is `offset`; not called for the section a problem stopped. */
  sectionEnd?(section: DnsSection, offset: number): void
}

/** How to read a message. */
export interface DnsReadOptions {
  /** mDNS: the top bit of a class is the unicast-response / cache-flush flag, not part of the class. */
  readonly multicast?: boolean
  readonly listener?: DnsReadListener
}

/** The first inconsistency in a message: what it is and at which byte offset. */
export interface DnsProblem {
  readonly message: string
  readonly offset: number
}

/** A message as read: everything up to the first problem, and the problem if there was one. */
export interface DnsReading {
  readonly message: DnsMessage
  readonly problem: DnsProblem | null
}

/** Stops the walk through a message at the first inconsistency. */
class DnsFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(message)
  }
}

/** Walks one DNS message between `start` and `end` of a larger byte array. */
class DnsMessageWalker {
  /** Position of the byte after the last name read (in the original sequence, not after a jump). */
  nameEnd = 0

  constructor(
    private data: Uint8Array,
    private start: number,
    private end: number,
    /** Makes every check but builds no text: names and record data come back empty. */
    private readonly textless = false
  ) {}

  /** Points the walker at another message, so a check needs no new walker. */
  reset(data: Uint8Array, start: number, end: number): this {
    this.data = data
    this.start = start
    this.end = end
    this.nameEnd = 0
    return this
  }

  uint16(position: number): number {
    this.need(position, 2, 'field')
    return networkUint16(this.data, position)
  }

  uint32(position: number): number {
    this.need(position, 4, 'field')
    return networkUint32(this.data, position)
  }

  need(position: number, length: number, what: string): void {
    if (position + length > this.end) throw new DnsFormatError(`DNS ${what} runs past the end of the message`, position)
  }

  name(position: number): string {
    const data = this.data
    let text = ''
    let length = 0
    let jumps = 0
    let end = -1
    for (;;) {
      this.need(position, 1, 'name')
      const labelLength = elementAt(data, position)
      if (labelLength === 0) {
        if (end < 0) end = position + 1
        break
      }
      const labelType = labelLength & 0xc0
      if (labelType === 0xc0) {
        this.need(position, 2, 'name pointer')
        if (end < 0) end = position + 2
        jumps += 1
        if (jumps > MAXIMUM_POINTER_JUMPS) throw new DnsFormatError('DNS name compression loop', position)
        const target = this.start + (((labelLength & 0x3f) << 8) | elementAt(data, position + 1))
        if (target >= this.end) throw new DnsFormatError('DNS name pointer points past the message', position)
        position = target
        continue
      }
      if (labelType !== 0) throw new DnsFormatError(`DNS label type ${hexNumber(labelType, 2)} is not supported`, position)
      this.need(position + 1, labelLength, 'label')
      length += labelLength + 1
      if (length > MAXIMUM_NAME_LENGTH) throw new DnsFormatError('DNS name is longer than 255 bytes', position)
      if (!this.textless) {
        if (text !== '') text += '.'
        text += labelText(data, position + 1, position + 1 + labelLength)
      }
      position += 1 + labelLength
    }
    this.nameEnd = end
    return text === '' ? ROOT_NAME : text
  }

  /** Record data as text, by type, in zone-file style (checked but empty when textless). */
  recordData(type: number, position: number, length: number): string {
    const data = this.data
    const end = position + length
    switch (type) {
      case 1:
        if (length !== 4) badLength('A', length, position)
        return this.textless ? '' : ipv4Text(data, position)
      case 28:
        if (length !== 16) badLength('AAAA', length, position)
        return this.textless ? '' : ipv6Text(data, position)
      case 2:
      case 5:
      case 12:
      case 39:
        return this.name(position)
      case 15:
        return `${this.uint16(position)} ${this.name(position + 2)}`
      case 16: {
        const strings: string[] = []
        let cursor = position
        while (cursor < end) {
          const stringLength = elementAt(data, cursor)
          if (cursor + 1 + stringLength > end) throw new DnsFormatError('TXT string runs past its record', cursor)
          if (!this.textless) strings.push(`"${labelText(data, cursor + 1, cursor + 1 + stringLength, true)}"`)
          cursor += 1 + stringLength
        }
        return strings.join(' ')
      }
      case 33:
        return `${this.uint16(position)} ${this.uint16(position + 2)} ${this.uint16(position + 4)} ${this.name(position + 6)}`
      case 6: {
        const primary = this.name(position)
        const mailbox = this.name(this.nameEnd)
        const numbers = this.nameEnd
        const values = [0, 4, 8, 12, 16].map((step) => this.uint32(numbers + step))
        return `${primary} ${mailbox} ${values.join(' ')}`
      }
      default: {
        if (this.textless) return ''
        const shown = Math.min(length, MAXIMUM_HEX_DATA)
        return `\\# ${length} ${hexText(data, position, shown)}${shown < length ? '…' : ''}`
      }
    }
  }
}

function badLength(typeName: string, length: number, position: number): never {
  throw new DnsFormatError(`${typeName} record data is ${length} bytes`, position)
}

/**
 * Label or character-string bytes as text, escaped the way zone files do: in a label a dot is
 * escaped (it would read as a separator); in a quoted TXT string, spaces are kept and quotes escaped.
 */
function labelText(data: Uint8Array, start: number, end: number, quoted = false): string {
  let text = ''
  for (let index = start; index < end; index += 1) {
    const byte = elementAt(data, index)
    if (byte === 0x5c || (quoted ? byte === 0x22 : byte === 0x2e)) text += `\\${String.fromCharCode(byte)}`
    else if ((byte > 0x20 || (quoted && byte === 0x20)) && byte < 0x7f) text += String.fromCharCode(byte)
    else text += `\\${String(byte).padStart(3, '0')}`
  }
  return text
}

/** The 12-byte header at `start`; the caller has checked that it is there. */
function readHeader(data: Uint8Array, start: number): DnsHeader {
  const flags = networkUint16(data, start + 2)
  const opcode = (flags >> 11) & 0x0f
  const responseCode = flags & 0x0f
  return {
    id: networkUint16(data, start),
    flags,
    isResponse: (flags & 0x8000) !== 0,
    opcode,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    responseCode,
    responseCodeName: dnsResponseCodeName(responseCode),
    questionCount: networkUint16(data, start + 4),
    answerCount: networkUint16(data, start + 6),
    authorityCount: networkUint16(data, start + 8),
    additionalCount: networkUint16(data, start + 10)
  }
}

/**
 * Reads the DNS message in `data` from `start` to `end`. Gives null when there is no room for a
 * header, so a caller may try other decoders; otherwise the header and every question and record
 * up to the first problem.
 */
export function readDnsMessage(data: Uint8Array, start: number, end: number, options: DnsReadOptions = {}): DnsReading | null {
  if (end - start < DNS_HEADER_LENGTH) return null
  const header = readHeader(data, start)
  options.listener?.header?.(header)
  const questions: DnsQuestion[] = []
  const records: Record<Exclude<DnsSection, 'question'>, DnsRecord[]> = { answer: [], authority: [], additional: [] }
  const problem = walkMessage(new DnsMessageWalker(data, start, end), data, start, {
    classMask: options.multicast === true ? 0x7fff : 0xffff,
    listener: options.listener,
    questions,
    records
  })
  // Each field named rather than the header spread in: V8 copies a spread of this many fields on a
  // slow path, which cost about twenty times the whole read of a small message.
  const message: DnsMessage = {
    id: header.id,
    flags: header.flags,
    isResponse: header.isResponse,
    opcode: header.opcode,
    authoritative: header.authoritative,
    truncated: header.truncated,
    recursionDesired: header.recursionDesired,
    recursionAvailable: header.recursionAvailable,
    responseCode: header.responseCode,
    responseCodeName: header.responseCodeName,
    questionCount: header.questionCount,
    answerCount: header.answerCount,
    authorityCount: header.authorityCount,
    additionalCount: header.additionalCount,
    questions,
    answers: records.answer,
    authorities: records.authority,
    additionals: records.additional
  }
  return { message, problem }
}

/** What {@link checkDnsMessage} finds: no room for a header, a sound message, or its first problem. */
export type DnsCheck = 'too-short' | 'sound' | DnsProblem

/**
 * Walks the message as {@link readDnsMessage} does, with every check, and builds nothing: for
 * counting DNS packets and the malformed ones among them without decoding names.
 */
export function checkDnsMessage(data: Uint8Array, start: number, end: number): DnsCheck {
  if (end - start < DNS_HEADER_LENGTH) return 'too-short'
  return walkMessage(checkingWalker.reset(data, start, end), data, start, null) ?? 'sound'
}

/** The one walker checks use: the walk is synchronous, so no two checks share it at once. */
const checkingWalker = new DnsMessageWalker(new Uint8Array(0), 0, 0, true)

/** The record sections in message order, with the header offset of each one's count. */
const RECORD_SECTIONS: readonly (readonly [Exclude<DnsSection, 'question'>, number])[] = [
  ['answer', 6],
  ['authority', 8],
  ['additional', 10]
]

/** Where a read keeps what it finds; a check keeps nothing. */
interface DnsCollection {
  readonly classMask: number
  readonly listener: DnsReadListener | undefined
  readonly questions: DnsQuestion[]
  readonly records: Record<Exclude<DnsSection, 'question'>, DnsRecord[]>
}

/** Walks the questions and records after the header at `start`; returns the first problem, or null. */
function walkMessage(walker: DnsMessageWalker, data: Uint8Array, start: number, collection: DnsCollection | null): DnsProblem | null {
  const questionCount = networkUint16(data, start + 4)
  const listener = collection?.listener
  let position = start + DNS_HEADER_LENGTH
  try {
    if (questionCount > 0) listener?.sectionStart?.('question', questionCount, position)
    for (let index = 0; index < questionCount; index += 1) {
      const questionStart = position
      const name = walker.name(position)
      position = walker.nameEnd
      const type = walker.uint16(position)
      const questionClass = walker.uint16(position + 2)
      position += 4
      if (collection === null) continue
      const question: DnsQuestion = { name, type, typeName: dnsTypeName(type), class: questionClass & collection.classMask }
      collection.questions.push(question)
      listener?.question?.(question, { start: questionStart, end: position })
    }
    if (questionCount > 0) listener?.sectionEnd?.('question', position)
    for (const [section, countOffset] of RECORD_SECTIONS) {
      const count = networkUint16(data, start + countOffset)
      if (count > 0) listener?.sectionStart?.(section, count, position)
      for (let index = 0; index < count; index += 1) {
        const recordStart = position
        const name = walker.name(position)
        position = walker.nameEnd
        const type = walker.uint16(position)
        const recordClass = walker.uint16(position + 2)
        const ttl = walker.uint32(position + 4)
        const dataLength = walker.uint16(position + 8)
        const dataStart = position + 10
        walker.need(dataStart, dataLength, 'record data')
        // An OPT pseudo-record (EDNS) keeps the sender's UDP payload size in its class field.
        const recordData = type !== 41 ? walker.recordData(type, dataStart, dataLength) : collection === null ? '' : `OPT, UDP payload size ${recordClass}`
        position = dataStart + dataLength
        if (collection === null) continue
        const record: DnsRecord = { section, name, type, typeName: dnsTypeName(type), class: recordClass & collection.classMask, ttl, data: recordData }
        collection.records[section].push(record)
        listener?.record?.(record, { start: recordStart, dataStart, dataLength, end: position })
      }
      if (count > 0) listener?.sectionEnd?.(section, position)
    }
  } catch (error) {
    if (!(error instanceof DnsFormatError)) throw error
    return { message: error.message, offset: error.offset }
  }
  return null
}
