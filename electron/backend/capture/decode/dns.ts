/**
 * DNS and mDNS messages over UDP or TCP: header, questions and resource records, with name
 * compression followed safely (a jump limit stops pointer loops, and names are capped at 255
 * bytes as RFC 1035 requires).
 */

import type { DnsMessage, DnsQuestion, DnsRecord } from '../../../../shared/model/decoded-packet'
import { networkUint16, networkUint32 } from '../byte-reading'
import { hexNumber, hexText, ipv4Text, ipv6Text } from './address-text'
import type { DecodeState } from './decode-state'
import type { PacketTreeBuilder } from './packet-tree-builder'
import { dnsOpcodeName, dnsResponseCodeName, dnsTypeName } from './protocol-names'

const HEADER_LENGTH = 12
const MAXIMUM_NAME_LENGTH = 255
/** More pointer jumps than labels a name can have means a loop. */
const MAXIMUM_POINTER_JUMPS = 127
/** Answers listed in the info line before it is cut short. */
const INFO_ANSWERS = 8
/** Bytes of unknown record data shown as hex. */
const MAXIMUM_HEX_DATA = 64

/** Stops the walk through a message at the first inconsistency. */
class DnsFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(message)
  }
}

/** Walks one DNS message. */
class DnsMessageReader {
  constructor(
    private readonly data: Uint8Array,
    private readonly start: number,
    private readonly end: number
  ) {}

  /** Position of the byte after the last name read (in the original sequence, not after a jump). */
  nameEnd = 0

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
      const labelLength = data[position]!
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
        const target = this.start + (((labelLength & 0x3f) << 8) | data[position + 1]!)
        if (target >= this.end) throw new DnsFormatError('DNS name pointer points past the message', position)
        position = target
        continue
      }
      if (labelType !== 0) throw new DnsFormatError(`DNS label type ${hexNumber(labelType, 2)} is not supported`, position)
      this.need(position + 1, labelLength, 'label')
      length += labelLength + 1
      if (length > MAXIMUM_NAME_LENGTH) throw new DnsFormatError('DNS name is longer than 255 bytes', position)
      if (text !== '') text += '.'
      text += labelText(data, position + 1, position + 1 + labelLength)
      position += 1 + labelLength
    }
    this.nameEnd = end
    return text === '' ? '<Root>' : text
  }

  /** Record data as text, by type. */
  recordData(type: number, position: number, length: number): string {
    const data = this.data
    const end = position + length
    switch (type) {
      case 1:
        return length === 4 ? ipv4Text(data, position) : this.badLength('A', length, position)
      case 28:
        return length === 16 ? ipv6Text(data, position) : this.badLength('AAAA', length, position)
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
          const stringLength = data[cursor]!
          if (cursor + 1 + stringLength > end) throw new DnsFormatError('TXT string runs past its record', cursor)
          strings.push(`"${labelText(data, cursor + 1, cursor + 1 + stringLength, true)}"`)
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
        const shown = Math.min(length, MAXIMUM_HEX_DATA)
        return `\\# ${length} ${hexText(data, position, shown)}${shown < length ? '…' : ''}`
      }
    }
  }

  private badLength(typeName: string, length: number, position: number): never {
    throw new DnsFormatError(`${typeName} record data is ${length} bytes`, position)
  }
}

/**
 * Label or character-string bytes as text, escaped the way zone files do: in a label a dot is
 * escaped (it would read as a separator); in a quoted TXT string, spaces are kept and quotes escaped.
 */
function labelText(data: Uint8Array, start: number, end: number, quoted = false): string {
  let text = ''
  for (let index = start; index < end; index += 1) {
    const byte = data[index]!
    if (byte === 0x5c || (quoted ? byte === 0x22 : byte === 0x2e)) text += `\\${String.fromCharCode(byte)}`
    else if ((byte > 0x20 || (quoted && byte === 0x20)) && byte < 0x7f) text += String.fromCharCode(byte)
    else text += `\\${String(byte).padStart(3, '0')}`
  }
  return text
}

/**
 * Decodes a DNS message. Returns false when the payload cannot be DNS (too short), so the
 * caller may try other decoders; a message that starts right but breaks later is flagged
 * malformed and keeps what was read.
 */
export function decodeDns(state: DecodeState, start: number, end: number, overTcp: boolean, multicast: boolean): boolean {
  const data = state.data
  let messageStart = start
  let messageEnd = end
  if (overTcp) {
    if (end - start < 2 + HEADER_LENGTH) return false
    const messageLength = networkUint16(data, start)
    messageStart = start + 2
    if (messageStart + messageLength > end) {
      state.protocol = multicast ? 'MDNS' : 'DNS'
      state.info = `DNS over TCP, part of a ${messageLength}-byte message`
      state.tree?.layer('dns', `Domain Name System (part of a ${messageLength}-byte message)`, start, end - start)
      return true
    }
    messageEnd = messageStart + messageLength
  }
  if (messageEnd - messageStart < HEADER_LENGTH) return false
  state.protocol = multicast ? 'MDNS' : 'DNS'
  const tree = state.tree
  const reader = new DnsMessageReader(data, messageStart, messageEnd)
  const id = networkUint16(data, messageStart)
  const flags = networkUint16(data, messageStart + 2)
  const counts = [2, 4, 6, 8].map((step) => networkUint16(data, messageStart + 2 + step))
  const isResponse = (flags & 0x8000) !== 0
  const opcode = (flags >> 11) & 0x0f
  const responseCode = flags & 0x0f
  const classMask = multicast ? 0x7fff : 0xffff
  if (tree !== null) {
    tree.layer('dns', `${multicast ? 'Multicast Domain Name System' : 'Domain Name System'} (${isResponse ? 'response' : 'query'})`, start, messageEnd - start)
    if (overTcp) tree.add('dns.length', 'Length', messageEnd - messageStart, start, 2)
    tree.add('dns.id', 'Transaction ID', id, messageStart, 2, hexNumber(id, 4))
    addFlagFields(tree, flags, messageStart + 2)
    tree.add('dns.count.queries', 'Questions', counts[0]!, messageStart + 4, 2)
    tree.add('dns.count.answers', 'Answer RRs', counts[1]!, messageStart + 6, 2)
    tree.add('dns.count.auth_rr', 'Authority RRs', counts[2]!, messageStart + 8, 2)
    tree.add('dns.count.add_rr', 'Additional RRs', counts[3]!, messageStart + 10, 2)
  }
  const questions: DnsQuestion[] = []
  const sections: { answer: DnsRecord[]; authority: DnsRecord[]; additional: DnsRecord[] } = { answer: [], authority: [], additional: [] }
  let position = messageStart + HEADER_LENGTH
  try {
    if (counts[0]! > 0) tree?.open('dns.queries', 'Queries', counts[0]!, position, 0, `${counts[0]}`)
    for (let index = 0; index < counts[0]!; index += 1) {
      const questionStart = position
      const name = reader.name(position)
      position = reader.nameEnd
      const type = reader.uint16(position)
      const questionClass = reader.uint16(position + 2) & classMask
      position += 4
      const question = { name, type, typeName: dnsTypeName(type), class: questionClass }
      questions.push(question)
      if (tree !== null) {
        tree.open('dns.qry', `${name}: type ${question.typeName}, class ${questionClass}`, name, questionStart, position - questionStart)
        tree.add('dns.qry.name', 'Name', name, questionStart, reader.nameEnd - questionStart)
        tree.add('dns.qry.type', 'Type', type, position - 4, 2, `${question.typeName} (${type})`)
        tree.add('dns.qry.class', 'Class', questionClass, position - 2, 2)
        tree.close()
      }
    }
    if (counts[0]! > 0) tree?.close(position)
    for (const [section, count] of [
      ['answer', counts[1]!],
      ['authority', counts[2]!],
      ['additional', counts[3]!]
    ] as const) {
      if (count > 0) tree?.open(`dns.${section}s`, sectionLabel(section), count, position, 0, `${count}`)
      for (let index = 0; index < count; index += 1) {
        const recordStart = position
        const name = reader.name(position)
        position = reader.nameEnd
        const type = reader.uint16(position)
        const recordClass = reader.uint16(position + 2)
        const ttl = reader.uint32(position + 4)
        const dataLength = reader.uint16(position + 8)
        const dataStart = position + 10
        reader.need(dataStart, dataLength, 'record data')
        const recordData = type === 41 ? `OPT, UDP payload size ${recordClass}` : reader.recordData(type, dataStart, dataLength)
        position = dataStart + dataLength
        const record: DnsRecord = { section, name, type, typeName: dnsTypeName(type), class: recordClass & classMask, ttl, data: recordData }
        sections[section].push(record)
        if (tree !== null) {
          tree.open('dns.resp', `${name}: type ${record.typeName}, class ${record.class}, ${recordData}`, name, recordStart, position - recordStart)
          tree.add('dns.resp.name', 'Name', name, recordStart, dataStart - 10 - recordStart)
          tree.add('dns.resp.type', 'Type', type, dataStart - 10, 2, `${record.typeName} (${type})`)
          tree.add('dns.resp.class', 'Class', record.class, dataStart - 8, 2)
          tree.add('dns.resp.ttl', 'Time to live', ttl, dataStart - 6, 4)
          tree.add('dns.resp.len', 'Data length', dataLength, dataStart - 2, 2)
          tree.add(recordDataFieldName(type), record.typeName, recordData, dataStart, dataLength)
          tree.close()
        }
      }
      if (count > 0) tree?.close(position)
    }
  } catch (error) {
    if (!(error instanceof DnsFormatError)) throw error
    state.markMalformed('dns', error.message, error.offset)
  }
  const message: DnsMessage = {
    id,
    flags,
    isResponse,
    opcode,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    responseCode,
    responseCodeName: dnsResponseCodeName(responseCode),
    questions,
    answers: sections.answer,
    authorities: sections.authority,
    additionals: sections.additional
  }
  if (tree !== null) state.dns = message
  state.info = dnsInfo(message)
  return true
}

function dnsInfo(message: DnsMessage): string {
  const parts = [`${dnsOpcodeName(message.opcode)}${message.isResponse ? ' response' : ''} ${hexNumber(message.id, 4)}`]
  if (message.isResponse && message.responseCode !== 0) parts.push(message.responseCodeName)
  for (const question of message.questions) parts.push(`${question.typeName} ${question.name}`)
  for (const answer of message.answers.slice(0, INFO_ANSWERS)) parts.push(`${answer.typeName} ${answer.data}`)
  if (message.answers.length > INFO_ANSWERS) parts.push(`… ${message.answers.length - INFO_ANSWERS} more`)
  return parts.join(' ')
}

function addFlagFields(tree: PacketTreeBuilder, flags: number, offset: number): void {
  const isResponse = (flags & 0x8000) !== 0
  tree.open('dns.flags', 'Flags', flags, offset, 2, `${hexNumber(flags, 4)} ${dnsOpcodeName((flags >> 11) & 0x0f)}${isResponse ? ' response' : ''}`)
  tree.add('dns.flags.response', 'Response', isResponse, offset, 1, isResponse ? 'Message is a response' : 'Message is a query')
  tree.add('dns.flags.opcode', 'Opcode', (flags >> 11) & 0x0f, offset, 1, dnsOpcodeName((flags >> 11) & 0x0f))
  if (isResponse) tree.add('dns.flags.authoritative', 'Authoritative', (flags & 0x0400) !== 0, offset, 1)
  tree.add('dns.flags.truncated', 'Truncated', (flags & 0x0200) !== 0, offset, 1)
  tree.add('dns.flags.recdesired', 'Recursion desired', (flags & 0x0100) !== 0, offset, 1)
  if (isResponse) {
    tree.add('dns.flags.recavail', 'Recursion available', (flags & 0x0080) !== 0, offset + 1, 1)
    tree.add('dns.flags.rcode', 'Reply code', flags & 0x0f, offset + 1, 1, dnsResponseCodeName(flags & 0x0f))
  }
  tree.close()
}

function sectionLabel(section: 'answer' | 'authority' | 'additional'): string {
  return section === 'answer' ? 'Answers' : section === 'authority' ? 'Authoritative nameservers' : 'Additional records'
}

function recordDataFieldName(type: number): string {
  switch (type) {
    case 1:
      return 'dns.a'
    case 28:
      return 'dns.aaaa'
    case 5:
      return 'dns.cname'
    case 12:
      return 'dns.ptr.domain_name'
    case 2:
      return 'dns.ns'
    case 15:
      return 'dns.mx.mail_exchange'
    case 16:
      return 'dns.txt'
    case 33:
      return 'dns.srv.target'
    default:
      return 'dns.data'
  }
}
