/**
 * An imported file's packets are stored from their records (headers read in place, bytes copied
 * straight from the chunk); a live capture's arrive decoded. Both ways must leave the same
 * capture behind: the same rows, conversations with their analysis, per-process traffic,
 * throughput, filter columns and stored bytes, on every capture fixture and on a lossy TCP file.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRecordHeaders, summarizePacket } from '../../../../../electron/backend/capture/decode/packet-decoder'
import { PacketHeaders } from '../../../../../electron/backend/capture/decode/header-scan'
import { DetectingStreamParser } from '../../../../../electron/backend/capture/files/capture-stream-parser'
import { ShownCapture } from '../../../../../electron/backend/capture/store/shown-capture'
import type { RawPacket } from '../../../../../shared/model/packet'
import { fastRetransmissionScript, writeScriptedTcpCapture } from '../../../../support/capture/crafted-tcp-capture'
import { CaptureFileWriter, createCaptureEncoder } from '../../../../../electron/backend/capture/files/capture-file-writer'
import { ethernetFrame, ipv4Packet, tcpSegment, udpDatagram } from '../../../../support/capture/packet-builder'
import { TCP_FLAG } from '../../../../../shared/model/decoded-packet'

const fixtureDirectory = join(__dirname, '../../../../fixtures/capture')
let directory = ''

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-shown-records-'))
  await writeScriptedTcpCapture(join(directory, 'losses.pcap'), fastRetransmissionScript())
  // Packets naming their process (as sockscope's exports do) and a port 0.
  const writer = await CaptureFileWriter.create(
    join(directory, 'owners.pcapng'),
    createCaptureEncoder({ format: 'pcapng', interfaces: [{ name: 'lo', linkType: 1, snaplen: 65535, timestampDecimals: 9 }] })
  )
  const frames = [
    ethernetFrame(0x0800, ipv4Packet({ protocol: 6, payload: tcpSegment({ sourcePort: 50_000, destinationPort: 8080, flags: TCP_FLAG.SYN }) })),
    ethernetFrame(
      0x0800,
      ipv4Packet({
        protocol: 6,
        source: [127, 0, 0, 2],
        destination: [127, 0, 0, 1],
        payload: tcpSegment({ sourcePort: 8080, destinationPort: 50_000, flags: TCP_FLAG.SYN | TCP_FLAG.ACK })
      })
    ),
    ethernetFrame(0x0800, ipv4Packet({ protocol: 17, payload: udpDatagram(0, 9, new Uint8Array(4)) }))
  ]
  const comments = ['curl (pid 7)', undefined, 'scanner (pid 9)']
  for (const [index, data] of frames.entries()) {
    const comment = comments[index]
    await writer.writePacket({
      interfaceIndex: 0,
      timestampSeconds: 1_700_000_000 + index,
      timestampNanos: 0,
      originalLength: data.length,
      data,
      ...(comment === undefined ? {} : { comment })
    })
  }
  await writer.close()
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** The file stored into a new capture, each packet from its record (`records`) or decoded first. */
async function storeFile(path: string, records: boolean): Promise<ShownCapture> {
  const parser = new DetectingStreamParser()
  const capture = await ShownCapture.create('file', 'file', directory, () => parser.interfaces)
  const bytes = new Uint8Array(await readFile(path))
  // Small chunks, so records sit at every place of a chunk and some span two.
  const chunkSize = 1000
  if (records) {
    const headers = new PacketHeaders()
    for (let start = 0; start < bytes.length; start += chunkSize) {
      parser.feedRecords(bytes.slice(start, start + chunkSize), {
        record(buffer, at, capturedLength, originalLength, interfaceIndex, seconds, nanos, comment) {
          headers.begin(interfaceIndex, seconds, nanos, originalLength, capturedLength, comment ?? null)
          capture.addRecord(buffer, at, readRecordHeaders(headers, buffer, at, capturedLength, parser.interfaces[interfaceIndex]?.linkType ?? -1))
        }
      })
    }
  } else {
    const packets: RawPacket[] = []
    for (let start = 0; start < bytes.length; start += chunkSize) parser.feed(bytes.slice(start, start + chunkSize), packets)
    for (const packet of packets) capture.add(packet, summarizePacket(packet, capture.linkTypeOf(packet)), null)
  }
  return capture
}

/** Everything a client can see of a capture, as plain data. */
async function visible(capture: ShownCapture): Promise<unknown> {
  const packets = await capture.store.packetRange(0, capture.store.count)
  const record = capture.filterView()
  const columns = packets.map((_, index) => {
    record.moveTo(index)
    return [
      record.protocol,
      record.transport,
      record.ipVersion,
      record.sourcePort,
      record.destinationPort,
      record.tcpFlags,
      record.fragment,
      record.malformed !== null,
      record.comment
    ]
  })
  const { id: _id, ...description } = capture.describe()
  return {
    description,
    rows: packets.map((packet, index) => capture.row(index, packet)),
    bytes: packets.map((packet) => Buffer.from(packet.data).toString('hex')),
    columns,
    flows: packets.map((_, index) => capture.store.flowOf(index)),
    conversations: capture.conversationRows(10_000),
    processes: capture.processRows(),
    throughput: capture.throughput.points()
  }
}

describe('a file stored from its records', () => {
  it('leaves the capture decoded packets leave, on every fixture and a lossy TCP transfer', async () => {
    const files = [...(await readdir(fixtureDirectory)).map((name) => join(fixtureDirectory, name)), join(directory, 'losses.pcap'), join(directory, 'owners.pcapng')]
    let analysed = 0
    for (const path of files) {
      const fromRecords = await storeFile(path, true)
      const decoded = await storeFile(path, false)
      try {
        expect(await visible(fromRecords), path).toEqual(await visible(decoded))
        expect(fromRecords.store.count, path).toBeGreaterThan(0)
        analysed += (await fromRecords.store.packetRange(0, fromRecords.store.count)).filter((_, index) => fromRecords.analysisFlagsOf(index) !== 0).length
      } finally {
        await fromRecords.dispose()
        await decoded.dispose()
      }
    }
    // The lossy file gave the analysis findings to compare, the owners file processes.
    expect(analysed).toBeGreaterThan(3)
    const owners = await storeFile(join(directory, 'owners.pcapng'), true)
    expect(owners.processRows().map((row) => row.process)).toEqual(expect.arrayContaining(['curl', 'scanner']))
    await owners.dispose()
  })
})
