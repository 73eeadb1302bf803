/**
 * The filter language over decoded packets: the field table behind the capture view's filter
 * box and `sockscope read --filter`. Fields read the flat PacketSummary only, so filtering a
 * million packets never builds a details tree.
 */

import { TCP_FLAG, type PacketSummary } from '../model/decoded-packet'
import { addressField, choiceField, numberField, selectAny, textField, type FieldChoice } from './field-kinds'
import { TCP_ANALYSIS_KINDS, TCP_RETRANSMISSION_BITS } from '../model/tcp-analysis'
import { compileFilter, type FieldTable, type QueryCompileResult, type RecordTest } from './query-compiler'
import { describeQuerySyntax } from './query-syntax'

/** `proto:` values: transports, the application layers the decoders name, and link/network layers. */
const PROTOCOL_CHOICES: readonly FieldChoice<PacketSummary>[] = [
  { name: 'tcp', test: (packet) => packet.transport === 'tcp' },
  { name: 'udp', test: (packet) => packet.transport === 'udp' },
  { name: 'icmp', test: (packet) => packet.transport === 'icmp' },
  { name: 'icmpv6', aliases: ['icmp6'], test: (packet) => packet.transport === 'icmpv6' },
  { name: 'dns', test: (packet) => packet.protocol === 'DNS' },
  { name: 'mdns', test: (packet) => packet.protocol === 'MDNS' },
  { name: 'tls', aliases: ['ssl'], test: (packet) => packet.protocol === 'TLS' },
  { name: 'http', test: (packet) => packet.protocol === 'HTTP' },
  { name: 'arp', test: (packet) => packet.protocol === 'ARP' },
  { name: 'ip', test: (packet) => packet.ipVersion !== null },
  { name: 'ipv4', aliases: ['ip4'], test: (packet) => packet.ipVersion === 4 },
  { name: 'ipv6', aliases: ['ip6'], test: (packet) => packet.ipVersion === 6 }
]

const FLAG_CHOICES: readonly FieldChoice<PacketSummary>[] = (
  [
    ['syn', TCP_FLAG.SYN],
    ['ack', TCP_FLAG.ACK],
    ['fin', TCP_FLAG.FIN],
    ['rst', TCP_FLAG.RST],
    ['psh', TCP_FLAG.PSH],
    ['urg', TCP_FLAG.URG],
    ['ece', TCP_FLAG.ECE],
    ['cwr', TCP_FLAG.CWR]
  ] as const
).map(([name, bit]) => ({ name, test: (packet: PacketSummary) => packet.tcpFlags !== null && (packet.tcpFlags & bit) !== 0 }))

/**
 * `analysis:` values: each TCP analysis judgement by its tshark field name (underscores or
 * dashes). `retransmission` takes fast and spurious ones too, as `tcp.analysis.retransmission`
 * does; `any` is a segment with any judgement.
 */
const ANALYSIS_CHOICES: readonly FieldChoice<PacketSummary>[] = [
  ...TCP_ANALYSIS_KINDS.map((kind) => {
    const bits = kind.name === 'retransmission' ? TCP_RETRANSMISSION_BITS : kind.bit
    const dashed = kind.name.replaceAll('_', '-')
    return { name: kind.name, ...(dashed === kind.name ? {} : { aliases: [dashed] }), test: (packet: PacketSummary) => ((packet.tcpAnalysis ?? 0) & bits) !== 0 }
  }),
  { name: 'any', test: (packet) => (packet.tcpAnalysis ?? 0) !== 0 }
]

const YES_NO = (test: RecordTest<PacketSummary>): readonly FieldChoice<PacketSummary>[] => [
  { name: 'yes', aliases: ['true', '1'], test },
  { name: 'no', aliases: ['false', '0'], test: (packet) => !test(packet) }
]

const PORT_BOUNDS = { minimum: 0, maximum: 65535 } as const

/** The pid in a process comment such as "process: node (pid 1234)". */
function commentPid(packet: PacketSummary): number | null {
  if (packet.comment === null) return null
  const match = /\(pid (\d+)\)/.exec(packet.comment)
  return match === null ? null : Number(match[1])
}

/** Free text over a packet: info line, protocol, addresses, ports and the process comment. */
function compilePacketText(needle: string): RecordTest<PacketSummary> {
  const couldBePort = /^\d+$/.test(needle)
  return (packet) =>
    packet.info.toLowerCase().includes(needle) ||
    packet.protocol.toLowerCase().includes(needle) ||
    (packet.sourceAddress !== null && packet.sourceAddress.includes(needle)) ||
    (packet.destinationAddress !== null && packet.destinationAddress.includes(needle)) ||
    (couldBePort &&
      ((packet.sourcePort !== null && String(packet.sourcePort).includes(needle)) || (packet.destinationPort !== null && String(packet.destinationPort).includes(needle)))) ||
    (packet.comment !== null && packet.comment.toLowerCase().includes(needle))
}

/** The packet field table: every `name:value` term the packet filter understands. */
export const packetFields: FieldTable<PacketSummary> = {
  fields: {
    proto: choiceField({
      syntax: 'proto:tcp',
      description: 'tcp, udp, icmp, icmpv6, dns, mdns, tls, http, arp, ip, ipv4 or ipv6',
      aliases: ['protocol'],
      noun: 'protocol',
      choices: PROTOCOL_CHOICES
    }),
    family: choiceField({
      syntax: 'family:6',
      description: 'IP version, 4 or 6',
      noun: 'family',
      choices: [
        { name: '4', aliases: ['ipv4'], test: (packet) => packet.ipVersion === 4 },
        { name: '6', aliases: ['ipv6'], test: (packet) => packet.ipVersion === 6 }
      ]
    }),
    port: numberField({
      syntax: 'port:443   port:8000-8100',
      description: 'source or destination port; also >N, >=N, <N, <=N',
      ...PORT_BOUNDS,
      select: selectAny(
        (packet) => packet.sourcePort,
        (packet) => packet.destinationPort
      )
    }),
    sport: numberField({
      syntax: 'sport:53',
      description: 'source port, same forms as port:',
      aliases: ['srcport', 'lport'],
      ...PORT_BOUNDS,
      select: selectAny((packet) => packet.sourcePort)
    }),
    dport: numberField({
      syntax: 'dport:443',
      description: 'destination port, same forms as port:',
      aliases: ['dstport', 'rport'],
      ...PORT_BOUNDS,
      select: selectAny((packet) => packet.destinationPort)
    }),
    addr: addressField({
      syntax: 'addr:10.0.0.1   addr:fe80::/10',
      description: 'source or destination IP address or CIDR',
      aliases: ['address', 'ip'],
      select: selectAny(
        (packet) => (packet.ipVersion === null ? null : packet.sourceAddress),
        (packet) => (packet.ipVersion === null ? null : packet.destinationAddress)
      )
    }),
    src: addressField({
      syntax: 'src:127.0.0.0/8',
      description: 'source IP address or CIDR',
      aliases: ['saddr', 'laddr'],
      select: selectAny((packet) => (packet.ipVersion === null ? null : packet.sourceAddress))
    }),
    dst: addressField({
      syntax: 'dst:::1',
      description: 'destination IP address or CIDR',
      aliases: ['daddr', 'raddr'],
      select: selectAny((packet) => (packet.ipVersion === null ? null : packet.destinationAddress))
    }),
    flags: choiceField({
      syntax: 'flags:syn',
      description: 'a TCP flag that is set: syn, ack, fin, rst, psh, urg, ece or cwr',
      aliases: ['flag'],
      noun: 'TCP flag',
      choices: FLAG_CHOICES
    }),
    analysis: choiceField({
      syntax: 'analysis:retransmission',
      description:
        'a TCP analysis finding: retransmission, fast_retransmission, spurious_retransmission, out_of_order, lost_segment, duplicate_ack, zero_window, window_full, keep_alive… or any',
      aliases: ['expert'],
      noun: 'TCP analysis finding',
      choices: ANALYSIS_CHOICES
    }),
    len: numberField({
      syntax: 'len:>1000',
      description: 'length on the wire in bytes; ranges work too',
      aliases: ['length', 'size'],
      minimum: 0,
      maximum: 4_294_967_295,
      select: selectAny((packet) => packet.originalLength)
    }),
    malformed: choiceField({
      syntax: 'malformed:yes',
      description: 'packets the decoders could not fully make sense of (yes or no)',
      noun: 'value',
      choices: YES_NO((packet) => packet.malformed !== null)
    }),
    fragment: choiceField({
      syntax: 'fragment:yes',
      description: 'IP fragments (yes or no)',
      aliases: ['frag'],
      noun: 'value',
      choices: YES_NO((packet) => packet.fragment)
    }),
    proc: textField({
      syntax: 'proc:node',
      description: 'part of the owning process recorded with the packet, any case',
      aliases: ['process', 'comment'],
      select: (packet, test) => packet.comment !== null && test(packet.comment.toLowerCase())
    }),
    pid: numberField({
      syntax: 'pid:1234',
      description: 'pid of the owning process recorded with the packet',
      minimum: 0,
      maximum: 4_294_967_295,
      select: selectAny(commentPid)
    })
  },
  compileText: compilePacketText,
  textDescription: 'part of the info line, protocol, an address, a port or the owning process, any case',
  examples: [
    { query: 'proto:dns', meaning: 'DNS queries and answers' },
    { query: 'port:443 flags:syn', meaning: 'connection attempts to or from port 443' },
    { query: 'proto:tcp -port:22', meaning: 'TCP except SSH' },
    { query: 'analysis:retransmission or analysis:lost_segment', meaning: 'segments sent again, and the gaps before them' },
    { query: 'dst:10.0.0.0/8 or dst:fd00::/8', meaning: 'packets to private networks' },
    { query: 'proc:firefox', meaning: 'packets of a process (captures with process comments)' }
  ]
}

/** Parses and compiles a packet filter; an empty text matches every packet. */
export function compilePacketFilter(source: string): QueryCompileResult<PacketSummary> {
  return compileFilter(source, packetFields)
}

/** Plain-text help for the packet filter, for the CLI's `--help` and the renderer's help popover. */
export const PACKET_QUERY_HELP = describeQuerySyntax(packetFields)
