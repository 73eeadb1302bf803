/**
 * The shown capture on packets built byte by byte: each packet arrives decoded and attributed
 * once, the conversation keeps one owner (a guess gives way to a connected socket with its
 * process), and the list rows say which way each packet went for that owner.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import type { PacketAttribution } from '../../../../../electron/backend/capture/process-attribution'
import { ShownCapture } from '../../../../../electron/backend/capture/store/shown-capture'
import { TCP_FLAG } from '../../../../../shared/model/decoded-packet'
import type { CaptureInterface, RawPacket } from '../../../../../shared/model/packet'
import { ethernetFrame, ipv4Packet, tcpSegment } from '../../../../support/capture/packet-builder'
import { buildSocket } from '../../../../support/socket-builder'

const loopback: CaptureInterface = { name: 'lo', linkType: 1, snaplen: 65535, timestampDecimals: 9 }
const CLIENT = { address: [127, 0, 0, 1], port: 50_000 }
const SERVER = { address: [127, 0, 0, 2], port: 8080 }

/** A TCP segment between the client and the server, `fromClient` or back. */
function segment(sequence: number, fromClient: boolean, flags: number, payload = new Uint8Array(0)): RawPacket {
  const [source, destination] = fromClient ? [CLIENT, SERVER] : [SERVER, CLIENT]
  const data = ethernetFrame(
    0x0800,
    ipv4Packet({
      protocol: 6,
      source: source.address,
      destination: destination.address,
      payload: tcpSegment({ sourcePort: source.port, destinationPort: destination.port, flags, payload })
    })
  )
  return { interfaceIndex: 0, timestampSeconds: 1_700_000_000, timestampNanos: sequence * 1000, originalLength: data.length, data }
}

const listener = buildSocket({ pid: 42, process: 'server', localAddress: '127.0.0.2', localPort: 8080 })
const client = buildSocket({ pid: 7, process: 'curl', localAddress: '127.0.0.1', localPort: 50_000, remoteAddress: '127.0.0.2', remotePort: 8080, state: 'ESTABLISHED' })

let directory: string
let capture: ShownCapture

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-shown-capture-'))
  capture = await ShownCapture.create('live', 'lo', directory, () => [loopback])
})

afterEach(async () => {
  await capture.dispose()
  await rm(directory, { recursive: true, force: true })
})

/** Stores `packet` the way the live capture hands it over: decoded once, with its attribution. */
function add(packet: RawPacket, attribution: PacketAttribution | null): number {
  return capture.add(packet, summarizePacket(packet, loopback.linkType), attribution)
}

async function rows() {
  return (await capture.store.packetRange(0, capture.store.count)).map((packet, index) => capture.row(index, packet))
}

describe('ShownCapture', () => {
  it('lets a connected socket with its process replace the listener first guessed as the owner', async () => {
    add(segment(1, true, TCP_FLAG.SYN), { socket: listener, direction: 'received', exact: false })
    add(segment(2, false, TCP_FLAG.SYN | TCP_FLAG.ACK), null)
    add(segment(3, true, TCP_FLAG.ACK), { socket: client, direction: 'sent', exact: true })
    // The server's accepted socket is exact too, but the flow already has a confirmed owner.
    add(segment(4, false, TCP_FLAG.PSH | TCP_FLAG.ACK, new Uint8Array(5)), { socket: { ...listener, state: 'ESTABLISHED' }, direction: 'sent', exact: true })

    const listed = await rows()
    expect(listed.map((row) => [row.pid, row.process, row.direction])).toEqual([
      [7, 'curl (7)', 'sent'],
      [7, 'curl (7)', 'received'],
      [7, 'curl (7)', 'sent'],
      [7, 'curl (7)', 'received']
    ])
    expect(listed.map((row) => [row.transport, row.sourcePort, row.destinationPort])).toEqual([
      ['tcp', 50_000, 8080],
      ['tcp', 8080, 50_000],
      ['tcp', 50_000, 8080],
      ['tcp', 8080, 50_000]
    ])
    expect(capture.conversationRows(10)).toMatchObject([{ pid: 7, process: 'curl (7)', handshake: true }])
    // The display filter sees the owner as the packet's comment, so proc: and pid: work live.
    expect(capture.filterRecord(1, summarizePacket(segment(2, false, TCP_FLAG.ACK), loopback.linkType)).comment).toBe('curl (pid 7)')
  })

  it('keeps the listener when nothing better turns up, on the side that received the first packet', async () => {
    add(segment(1, true, TCP_FLAG.SYN), { socket: listener, direction: 'received', exact: false })
    add(segment(2, false, TCP_FLAG.SYN | TCP_FLAG.ACK), null)
    expect((await rows()).map((row) => [row.pid, row.direction])).toEqual([
      [42, 'received'],
      [42, 'sent']
    ])
    const [bandwidth] = capture.processRows()
    expect(bandwidth).toMatchObject({ pid: 42, packets: 2, conversations: 1 })
    expect(bandwidth!.bytesIn).toBe(segment(1, true, TCP_FLAG.SYN).originalLength)
    expect(bandwidth!.bytesOut).toBe(segment(2, false, TCP_FLAG.SYN | TCP_FLAG.ACK).originalLength)
  })

  it('reads the owner of a file’s packets from their comment, and leaves unowned packets without a direction', async () => {
    add({ ...segment(1, true, TCP_FLAG.SYN), comment: 'curl (pid 99)' }, null)
    add(segment(2, false, TCP_FLAG.SYN | TCP_FLAG.ACK), null)
    expect((await rows()).map((row) => [row.process, row.pid, row.direction])).toEqual([
      ['curl (99)', 99, 'sent'],
      ['curl (99)', 99, 'received']
    ])

    const other = await ShownCapture.create('file', 'plain.pcap', directory, () => [loopback])
    try {
      other.add(segment(1, true, TCP_FLAG.SYN), summarizePacket(segment(1, true, TCP_FLAG.SYN), loopback.linkType), null)
      const [packet] = await other.store.packetRange(0, 1)
      expect(other.row(0, packet!)).toMatchObject({ process: null, pid: null, direction: null })
    } finally {
      await other.dispose()
    }
  })
})
