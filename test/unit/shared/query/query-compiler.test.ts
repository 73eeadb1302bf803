import { describe, expect, it } from 'vitest'
import { parseIpAddress, type IpAddress } from '../../../../shared/net/ip-address'
import { addressField, choiceField, numberField, selectAny, textField } from '../../../../shared/query/field-kinds'
import { compileFilter, compileQuery, fieldNames, type FieldTable } from '../../../../shared/query/query-compiler'
import { MAXIMUM_QUERY_NESTING, parseQuery } from '../../../../shared/query/query-parser'
import { describeQuerySyntax, querySyntaxHelp } from '../../../../shared/query/query-syntax'
import { elementAt } from '../../../../shared/element-at'

/** A record type unlike a socket, to show the language does not depend on sockets. */
interface PacketSummary {
  readonly name: string
  readonly protocol: 'tcp' | 'udp'
  readonly source: IpAddress
  readonly destination: IpAddress
  readonly sourcePort: number
  readonly destinationPort: number
  readonly info: string
}

function packet(name: string, protocol: 'tcp' | 'udp', from: string, to: string, info: string): PacketSummary {
  const [sourceAddress, sourcePort] = splitEndpoint(from)
  const [destinationAddress, destinationPort] = splitEndpoint(to)
  return { name, protocol, source: sourceAddress, destination: destinationAddress, sourcePort, destinationPort, info }
}

function splitEndpoint(endpoint: string): [IpAddress, number] {
  const colon = endpoint.lastIndexOf(':')
  const address = parseIpAddress(endpoint.slice(0, colon))
  if (address === null) throw new Error(`bad test endpoint ${endpoint}`)
  return [address, Number(endpoint.slice(colon + 1))]
}

const packetFields: FieldTable<PacketSummary> = {
  fields: {
    proto: choiceField({
      syntax: 'proto:tcp',
      description: 'transport protocol',
      noun: 'protocol',
      choices: [
        { name: 'tcp', test: (record) => record.protocol === 'tcp' },
        { name: 'udp', test: (record) => record.protocol === 'udp' }
      ]
    }),
    port: numberField({
      syntax: 'port:53',
      description: 'either port',
      minimum: 0,
      maximum: 65535,
      select: selectAny(
        (record) => record.sourcePort,
        (record) => record.destinationPort
      )
    }),
    srcport: numberField({
      syntax: 'srcport:53',
      description: 'source port',
      aliases: ['sport'],
      minimum: 0,
      maximum: 65535,
      select: selectAny((record) => record.sourcePort)
    }),
    addr: addressField({
      syntax: 'addr:10.0.0.1',
      description: 'either address',
      select: selectAny(
        (record) => record.source,
        (record) => record.destination
      )
    }),
    info: textField({
      syntax: 'info:syn',
      description: 'summary line',
      select: selectAny((record) => record.info.toLowerCase())
    })
  },
  compileText: (needle) => (record) => record.info.toLowerCase().includes(needle),
  textDescription: 'part of the summary line',
  examples: [{ query: 'proto:udp port:53', meaning: 'DNS over UDP' }]
}

const packets = [
  packet('dns', 'udp', '127.0.0.1:40000', '127.0.0.53:53', 'Standard query A example.org'),
  packet('syn', 'tcp', '[::1]:50000', '[::1]:443', '[SYN] Seq=0'),
  packet('mapped', 'tcp', '[::ffff:127.0.0.1]:8080', '[::ffff:10.0.0.9]:50001', '[ACK] Seq=1 Ack=1')
]

function names(source: string): string[] {
  const compiled = compileFilter(source, packetFields)
  if (!compiled.ok) throw new Error(compiled.error.message)
  return packets.filter((record) => compiled.query.matches(record)).map((record) => record.name)
}

describe('compileQuery with another record type', () => {
  it('evaluates fields from the given table', () => {
    expect(names('proto:udp port:53')).toEqual(['dns'])
    expect(names('sport:50000 or srcport:8080')).toEqual(['syn', 'mapped'])
    expect(names('addr:10.0.0.0/8')).toEqual(['mapped'])
    expect(names('addr:::1')).toEqual(['syn'])
    expect(names('info:seq -ack')).toEqual(['syn'])
    expect(names('"example.ORG"')).toEqual(['dns'])
    expect(names('')).toEqual(['dns', 'syn', 'mapped'])
  })

  it('refuses fields the table lacks, suggesting its own names', () => {
    const compiled = compileFilter('srcprt:1 user:root', packetFields)
    expect(compiled).toEqual({
      ok: false,
      error: { message: 'unknown field "srcprt" at 1–6 (did you mean "srcport"?)', start: 0, end: 6 }
    })
    const missing = compileFilter('user:root', packetFields)
    expect(!missing.ok && missing.error.message).toBe('unknown field "user" at 1–4 (quote the text to search for it)')
  })

  it('compiles one parsed query against several tables', () => {
    const parsed = parseQuery('port:53')
    if (!parsed.ok) throw new Error('expected a parse')
    const compiled = compileQuery(parsed.query, packetFields)
    expect(compiled.ok && packets.filter(compiled.query.matches).map((record) => record.name)).toEqual(['dns'])
    const otherTable: FieldTable<PacketSummary> = { ...packetFields, fields: { proto: packetFields.fields.proto! } }
    expect(compileQuery(parsed.query, otherTable).ok).toBe(false)
  })

  it('passes parse errors through unchanged', () => {
    expect(compileFilter('(port:53', packetFields)).toEqual({
      ok: false,
      error: { message: 'unclosed parenthesis at 1', start: 0, end: 1 }
    })
  })

  it('lists canonical names, then aliases', () => {
    expect(fieldNames(packetFields)).toEqual(['proto', 'port', 'srcport', 'addr', 'info', 'sport'])
  })

  it('evaluates long and/or chains the same as short ones', () => {
    expect(names('port:1 or port:2 or port:3 or port:4 or port:53')).toEqual(['dns'])
    expect(names('port:0-65535 port:0-65535 port:0-65535 port:0-65535 proto:tcp')).toEqual(['syn', 'mapped'])
    expect(names('-port:1 -port:2 -port:3 -port:4 -port:53')).toEqual(['syn', 'mapped'])
  })

  it('compiles and evaluates a query nested to the limit', () => {
    const depth = MAXIMUM_QUERY_NESTING
    expect(names(`${'('.repeat(depth)}port:53${')'.repeat(depth)}`)).toEqual(['dns'])
    // An even number of negations cancels out; the walk through them must still be right.
    expect(names(`${'!'.repeat(depth)}port:53`)).toEqual(['dns'])
    expect(names(`${'!'.repeat(depth - 1)}port:53`)).toEqual(['syn', 'mapped'])
  })
})

describe('query syntax help', () => {
  it('is generated from the table', () => {
    const help = querySyntaxHelp(packetFields)
    expect(help.terms.map((term) => term.syntax)).toEqual(['proto:tcp', 'port:53', 'srcport:53', 'addr:10.0.0.1', 'info:syn', 'word   "some text"'])
    expect(elementAt(help.terms, 2).description).toBe('source port (also sport:)')
    expect(help.examples).toEqual(packetFields.examples)
    const text = describeQuerySyntax(packetFields)
    expect(text.split('\n')[0]).toBe('Terms:')
    expect(text).toMatch(/^ {2}srcport:53 +source port \(also sport:\)$/m)
    expect(text).toMatch(/^ {2}proto:udp port:53 +DNS over UDP$/m)
  })
})
