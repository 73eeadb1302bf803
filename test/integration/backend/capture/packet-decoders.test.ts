/**
 * The decoders against tshark's dissectors on real loopback traffic: addresses, ports, TCP
 * flags and lengths, ICMP types, DNS names and answers, TLS SNI and ALPN, HTTP start lines.
 * Link layers no tool here captures (VLAN, BSD loopback, raw IP) are made from the same real
 * frames, written with sockscope's pcap writer, and decoded by both sides.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DecodedPacketTree } from '../../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../../shared/model/packet'
import { readCaptureFile } from '../../../../electron/backend/capture/files/capture-file-reader'
import { writeCaptureFile } from '../../../../electron/backend/capture/files/capture-file-writer'
import { PcapEncoder } from '../../../../electron/backend/capture/files/pcap-writer'
import { decodePacketTree } from '../../../../electron/backend/capture/decode/packet-decoder'
import { tsharkFields, wiresharkMissingReason } from '../../../support/capture/wireshark-tools'
import { elementAt } from '../../../../shared/element-at'

const fixtures = join(__dirname, '../../../fixtures/capture')

const HEADER_FIELDS = [
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.len',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.window_size_value',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code'
] as const

const APPLICATION_FIELDS = [
  'dns.id',
  'dns.flags.rcode',
  'dns.qry.name',
  'dns.a',
  'dns.aaaa',
  'dns.cname',
  'dns.ptr.domain_name',
  'dns.txt',
  'tls.handshake.extensions_server_name',
  'tls.handshake.extensions_alpn_str',
  'http.request.method',
  'http.request.uri',
  'http.response.code',
  'tcp.options.mss_val',
  'tcp.options.wscale.shift',
  'tcp.options.timestamp.tsval'
] as const

/** Our decode of the header fields, spelled the way tshark prints them. */
function headerRow(tree: DecodedPacketTree): string[] {
  const s = tree.summary
  const tcp = s.transport === 'tcp'
  const udp = s.transport === 'udp'
  const text = (value: number | string | null | undefined, when = true) => (when && value !== null && value !== undefined ? String(value) : '')
  return [
    text(s.sourceAddress, s.ipVersion === 4),
    text(s.destinationAddress, s.ipVersion === 4),
    text(s.sourceAddress, s.ipVersion === 6),
    text(s.destinationAddress, s.ipVersion === 6),
    text(s.sourcePort, tcp),
    text(s.destinationPort, tcp),
    tcp ? `0x${s.tcpFlags!.toString(16).padStart(4, '0')}` : '',
    text(s.payloadLength, tcp),
    text(s.tcpSequence, tcp),
    text(s.tcpAcknowledgment, tcp),
    text(s.tcpWindow, tcp),
    text(s.sourcePort, udp),
    text(s.destinationPort, udp),
    text(s.payloadLength + 8, udp),
    text(s.icmpType, s.transport === 'icmp'),
    text(s.icmpCode, s.transport === 'icmp'),
    text(s.icmpType, s.transport === 'icmpv6'),
    text(s.icmpCode, s.transport === 'icmpv6')
  ]
}

/** Our decode of the application fields, spelled the way tshark prints them (all occurrences). */
function applicationRow(tree: DecodedPacketTree): string[] {
  const dns = tree.dns
  const answers = (type: number) =>
    dns?.answers
      .filter((answer) => answer.type === type)
      .map((answer) => answer.data)
      .join(',') ?? ''
  const txt = dns?.answers
    .filter((answer) => answer.type === 16)
    .flatMap((answer) => [...answer.data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]))
    .join(',')
  const options = tree.tcpOptions
  return [
    dns ? `0x${dns.id.toString(16).padStart(4, '0')}` : '',
    dns?.isResponse ? String(dns.responseCode) : dns ? '' : '',
    dns?.questions.map((question) => question.name).join(',') ?? '',
    answers(1),
    answers(28),
    answers(5),
    answers(12),
    txt ?? '',
    tree.tls?.serverName ?? '',
    tree.tls?.alpn.join(',') ?? '',
    tree.http?.method ?? '',
    tree.http?.target ?? '',
    tree.http?.statusCode === null || tree.http?.statusCode === undefined ? '' : String(tree.http.statusCode),
    options?.maximumSegmentSize === null || options === null ? '' : String(options.maximumSegmentSize),
    options?.windowScale === null || options === null ? '' : String(options.windowScale),
    options?.timestamp ? String(options.timestamp.value) : ''
  ]
}

async function decodeFile(path: string): Promise<DecodedPacketTree[]> {
  const file = await readCaptureFile(path)
  expect(file.error).toBeNull()
  return file.packets.map((packet) => decodePacketTree(packet, elementAt(file.interfaces, packet.interfaceIndex).linkType))
}

/** tshark's header row with the ICMP-quoted ports blanked (sockscope does not report them as the packet's ports). */
function referenceHeaderRows(path: string): string[][] {
  return tsharkFields(path, HEADER_FIELDS, undefined, [], 'first').map((row) => {
    const padded = HEADER_FIELDS.map((_, index) => row[index] ?? '')
    const icmp = padded[14] !== '' || padded[16] !== ''
    if (icmp) for (const index of [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) padded[index] = ''
    return padded
  })
}

function expectRowsEqual(ours: string[][], theirs: string[][], fields: readonly string[]): void {
  expect(ours.length).toBe(theirs.length)
  const differences: string[] = []
  ours.forEach((row, packet) => {
    fields.forEach((field, index) => {
      if (row[index] !== (elementAt(theirs, packet)[index] ?? ''))
        differences.push(`packet ${packet + 1} ${field}: ours "${row[index]}", tshark "${elementAt(theirs, packet)[index]}"`)
    })
  })
  expect(differences).toEqual([])
}

let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-decode-'))
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe.skipIf(wiresharkMissingReason !== null)(`packet decoders against tshark${wiresharkMissingReason ? ` (skipped: ${wiresharkMissingReason})` : ''}`, () => {
  for (const name of ['loopback.pcapng', 'any-sll.pcap', 'any-sll2.pcap', 'loopback-big-endian.pcap']) {
    it(`header fields of ${name}`, async () => {
      const path = join(fixtures, name)
      const trees = await decodeFile(path)
      expect(trees.filter((tree) => tree.summary.malformed !== null)).toEqual([])
      expectRowsEqual(trees.map(headerRow), referenceHeaderRows(path), HEADER_FIELDS)
    })
  }

  it('application fields: DNS, mDNS, TLS, HTTP and TCP options', async () => {
    const path = join(fixtures, 'loopback.pcapng')
    const trees = await decodeFile(path)
    const theirs = tsharkFields(path, APPLICATION_FIELDS)
    expectRowsEqual(trees.map(applicationRow), theirs, APPLICATION_FIELDS)
    // The comparison must have covered real content, not empty columns.
    const filled = (index: number) => theirs.filter((row) => (row[index] ?? '') !== '').length
    expect(filled(2)).toBeGreaterThanOrEqual(16)
    expect(theirs.some((row) => row[8] === 'secure.sockscope.test' && row[9] === 'h2,http/1.1')).toBe(true)
    expect(theirs.some((row) => row[10] === 'GET' && row[11] === '/hello?from=sockscope')).toBe(true)
    expect(filled(3)).toBeGreaterThanOrEqual(3)
  })

  it('the protocol column names the same layer as tshark', async () => {
    const path = join(fixtures, 'loopback.pcapng')
    const trees = await decodeFile(path)
    const theirs = tsharkFields(path, ['_ws.col.Protocol']).map((row) => elementAt(row, 0).replace(/^TLSv1(\.\d)?$/, 'TLS'))
    expect(trees.map((tree) => tree.summary.protocol)).toEqual(theirs)
  })

  it('fragments: flags and offsets, with the transport only in the first fragment', async () => {
    const path = join(fixtures, 'fragments.pcap')
    const trees = await decodeFile(path)
    const theirs = tsharkFields(path, ['ip.flags.mf', 'ip.frag_offset', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more'])
    expect(trees.map((tree) => tree.summary.fragment)).toEqual(theirs.map(() => true))
    trees.forEach((tree, index) => {
      const [moreFragments, offset, offset6] = elementAt(theirs, index)
      const fieldOffset = Number(offset || offset6) * 8
      expect(tree.summary.transport === 'udp', `packet ${index + 1}`).toBe(fieldOffset === 0)
      const names = tree.layers.flatMap((layer) => layer.fields.flatMap((field) => [field, ...field.children]))
      const ours = names.find((field) => field.name === 'ip.frag_offset' || field.name === 'ipv6.fragment.offset')!.value
      expect(ours).toBe(fieldOffset)
      if (moreFragments !== '') expect(names.find((field) => field.name === 'ip.flags.mf')!.value).toBe(moreFragments === '1')
    })
  })

  describe('link layers made from real frames', () => {
    let frames: readonly RawPacket[]

    beforeAll(async () => {
      frames = (await readCaptureFile(join(fixtures, 'loopback.pcap'))).packets
    })

    /** Swaps each frame's 14-byte Ethernet header for another link header. */
    function relink(header: (frame: RawPacket, ipVersion: number) => number[], keep: (ipVersion: number) => boolean = () => true): RawPacket[] {
      return frames.flatMap((frame) => {
        const ipVersion = elementAt(frame.data, 14) >> 4
        if (!keep(ipVersion)) return []
        const data = Uint8Array.from([...header(frame, ipVersion), ...frame.data.subarray(14)])
        return [{ ...frame, data, originalLength: frame.originalLength - 14 + data.length - (frame.data.length - 14) }]
      })
    }

    const cases: [string, number, () => RawPacket[]][] = [
      [
        '802.1Q VLAN',
        1,
        () =>
          frames.map((frame) => {
            const data = Uint8Array.from([...frame.data.subarray(0, 12), 0x81, 0x00, 0x20, 42, ...frame.data.subarray(12)])
            return { ...frame, data, originalLength: frame.originalLength + 4 }
          })
      ],
      ['BSD null, little-endian', 0, () => relink((_, version) => (version === 4 ? [2, 0, 0, 0] : [30, 0, 0, 0]))],
      ['BSD null, big-endian', 0, () => relink((_, version) => (version === 4 ? [0, 0, 0, 2] : [0, 0, 0, 28]))],
      ['LINKTYPE_LOOP', 108, () => relink((_, version) => (version === 4 ? [0, 0, 0, 2] : [0, 0, 0, 24]))],
      ['raw IP', 101, () => relink(() => [])],
      [
        'raw IPv4',
        228,
        () =>
          relink(
            () => [],
            (version) => version === 4
          )
      ],
      [
        'raw IPv6',
        229,
        () =>
          relink(
            () => [],
            (version) => version === 6
          )
      ]
    ]

    for (const [label, linkType, make] of cases) {
      it(label, async () => {
        const packets = make()
        const path = join(directory, `${linkType}-${label.replace(/\W+/g, '-')}.pcap`)
        await writeCaptureFile(path, new PcapEncoder({ interfaces: [{ name: label, linkType, snaplen: 262144, timestampDecimals: 6 }] }), packets)
        const trees = await decodeFile(path)
        expect(trees.filter((tree) => tree.summary.malformed !== null)).toEqual([])
        expect(trees.length).toBeGreaterThan(0)
        expectRowsEqual(trees.map(headerRow), referenceHeaderRows(path), HEADER_FIELDS)
        if (linkType === 1)
          expect(
            elementAt(trees, 0)
              .layers.find((layer) => layer.kind === 'vlan')!
              .fields.find((f) => f.name === 'vlan.id')!.value
          ).toBe(42)
      })
    }
  })
})
