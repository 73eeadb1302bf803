/**
 * DNS and mDNS over UDP or TCP in a capture: the message itself is read by the shared DNS reader
 * (shared/dns/dns-reader.ts); this file adds the TCP length prefix, the info line and the
 * details-tree fields, named as Wireshark names them.
 */

import type { DnsHeader, DnsMessage, DnsSection } from '../../../../shared/model/decoded-packet'
import { hexNumber, networkUint16 } from '../../../../shared/bytes'
import { DNS_HEADER_LENGTH, dnsOpcodeName, dnsResponseCodeName, readDnsMessage, type DnsReadListener } from '../../../../shared/dns/dns-reader'
import type { DecodeState } from './decode-state'
import type { PacketTreeBuilder } from './packet-tree-builder'

/** Answers listed in the info line before it is cut short. */
const INFO_ANSWERS = 8

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
    if (end - start < 2 + DNS_HEADER_LENGTH) return false
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
  const tree = state.tree
  const listener = tree === null ? undefined : treeListener(tree, start, messageStart, messageEnd, overTcp, multicast)
  const reading = readDnsMessage(data, messageStart, messageEnd, { multicast, listener })
  if (reading === null) return false
  state.protocol = multicast ? 'MDNS' : 'DNS'
  if (reading.problem !== null) state.markMalformed('dns', reading.problem.message, reading.problem.offset)
  if (tree !== null) state.dns = reading.message
  state.info = dnsInfo(reading.message)
  return true
}

/** Adds the header, question and record fields to the details tree as the reader reaches them. */
function treeListener(tree: PacketTreeBuilder, start: number, messageStart: number, messageEnd: number, overTcp: boolean, multicast: boolean): DnsReadListener {
  return {
    header(header) {
      tree.layer('dns', `${multicast ? 'Multicast Domain Name System' : 'Domain Name System'} (${header.isResponse ? 'response' : 'query'})`, start, messageEnd - start)
      if (overTcp) tree.add('dns.length', 'Length', messageEnd - messageStart, start, 2)
      tree.add('dns.id', 'Transaction ID', header.id, messageStart, 2, hexNumber(header.id, 4))
      addFlagFields(tree, header, messageStart + 2)
      tree.add('dns.count.queries', 'Questions', header.questionCount, messageStart + 4, 2)
      tree.add('dns.count.answers', 'Answer RRs', header.answerCount, messageStart + 6, 2)
      tree.add('dns.count.auth_rr', 'Authority RRs', header.authorityCount, messageStart + 8, 2)
      tree.add('dns.count.add_rr', 'Additional RRs', header.additionalCount, messageStart + 10, 2)
    },
    sectionStart(section, count, offset) {
      tree.open(section === 'question' ? 'dns.queries' : `dns.${section}s`, sectionLabel(section), count, offset, 0, `${count}`)
    },
    question(question, place) {
      const typeStart = place.end - 4
      tree.open('dns.qry', `${question.name}: type ${question.typeName}, class ${question.class}`, question.name, place.start, place.end - place.start)
      tree.add('dns.qry.name', 'Name', question.name, place.start, typeStart - place.start)
      tree.add('dns.qry.type', 'Type', question.type, typeStart, 2, `${question.typeName} (${question.type})`)
      tree.add('dns.qry.class', 'Class', question.class, typeStart + 2, 2)
      tree.close()
    },
    record(record, place) {
      const fixedStart = place.dataStart - 10
      tree.open('dns.resp', `${record.name}: type ${record.typeName}, class ${record.class}, ${record.data}`, record.name, place.start, place.end - place.start)
      tree.add('dns.resp.name', 'Name', record.name, place.start, fixedStart - place.start)
      tree.add('dns.resp.type', 'Type', record.type, fixedStart, 2, `${record.typeName} (${record.type})`)
      tree.add('dns.resp.class', 'Class', record.class, fixedStart + 2, 2)
      tree.add('dns.resp.ttl', 'Time to live', record.ttl, fixedStart + 4, 4)
      tree.add('dns.resp.len', 'Data length', place.dataLength, fixedStart + 8, 2)
      tree.add(recordDataFieldName(record.type), record.typeName, record.data, place.dataStart, place.dataLength)
      tree.close()
    },
    sectionEnd(_section, offset) {
      tree.close(offset)
    }
  }
}

function dnsInfo(message: DnsMessage): string {
  const parts = [`${dnsOpcodeName(message.opcode)}${message.isResponse ? ' response' : ''} ${hexNumber(message.id, 4)}`]
  if (message.isResponse && message.responseCode !== 0) parts.push(message.responseCodeName)
  for (const question of message.questions) parts.push(`${question.typeName} ${question.name}`)
  for (const answer of message.answers.slice(0, INFO_ANSWERS)) parts.push(`${answer.typeName} ${answer.data}`)
  if (message.answers.length > INFO_ANSWERS) parts.push(`… ${message.answers.length - INFO_ANSWERS} more`)
  return parts.join(' ')
}

function addFlagFields(tree: PacketTreeBuilder, header: DnsHeader, offset: number): void {
  const { flags, isResponse, opcode } = header
  tree.open('dns.flags', 'Flags', flags, offset, 2, `${hexNumber(flags, 4)} ${dnsOpcodeName(opcode)}${isResponse ? ' response' : ''}`)
  tree.add('dns.flags.response', 'Response', isResponse, offset, 1, isResponse ? 'Message is a response' : 'Message is a query')
  tree.add('dns.flags.opcode', 'Opcode', opcode, offset, 1, dnsOpcodeName(opcode))
  if (isResponse) tree.add('dns.flags.authoritative', 'Authoritative', header.authoritative, offset, 1)
  tree.add('dns.flags.truncated', 'Truncated', header.truncated, offset, 1)
  tree.add('dns.flags.recdesired', 'Recursion desired', header.recursionDesired, offset, 1)
  if (isResponse) {
    tree.add('dns.flags.recavail', 'Recursion available', header.recursionAvailable, offset + 1, 1)
    tree.add('dns.flags.rcode', 'Reply code', header.responseCode, offset + 1, 1, dnsResponseCodeName(header.responseCode))
  }
  tree.close()
}

function sectionLabel(section: DnsSection): string {
  switch (section) {
    case 'question':
      return 'Queries'
    case 'answer':
      return 'Answers'
    case 'authority':
      return 'Authoritative nameservers'
    case 'additional':
      return 'Additional records'
  }
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
