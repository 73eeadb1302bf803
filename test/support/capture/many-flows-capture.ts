/**
 * A capture of many distinct UDP conversations, one small packet each, written with the
 * project's own pcap writer: the file a port scan or a busy DNS server leaves behind, used to
 * check that conversation tables stay compact and summaries stay bounded.
 */
import { CaptureFileWriter, createCaptureEncoder } from '../../../electron/backend/capture/files/capture-file-writer'
import type { RawPacket } from '../../../shared/model/packet'
import { ethernetFrame, ipv4Packet, udpDatagram } from './packet-builder'

/** One Ethernet/IPv4/UDP frame, patched per conversation. */
const TEMPLATE = ethernetFrame(0x0800, ipv4Packet({ protocol: 17, source: [10, 0, 0, 0], destination: [10, 255, 0, 1], payload: udpDatagram(1024, 53, new Uint8Array(8)) }))
/** Where the frame's source address, source port and payload start. */
const SOURCE_ADDRESS_OFFSET = 14 + 12
const SOURCE_PORT_OFFSET = 14 + 20
const PAYLOAD_OFFSET = 14 + 20 + 8
/** Conversations per source address: the source port tells them apart. */
const PORTS_PER_ADDRESS = 50_000
/** The capture's first second. */
const FIRST_SECOND = 1_700_000_000

/**
 * Conversation `index`'s packet: from 10.0.x.y (a new address every 50,000 conversations) and a
 * port of its own to 10.255.0.1:53, carrying its index, 50 to 65 bytes long (`index % 16` more
 * than the shortest), so conversations differ in size and the busiest ones are known.
 */
export function manyFlowsPacket(index: number): RawPacket {
  const data = new Uint8Array(TEMPLATE.length + (index % 16))
  data.set(TEMPLATE)
  const view = new DataView(data.buffer)
  view.setUint32(SOURCE_ADDRESS_OFFSET, ((10 << 24) | (Math.floor(index / PORTS_PER_ADDRESS) + 1)) >>> 0)
  view.setUint16(SOURCE_PORT_OFFSET, 1024 + (index % PORTS_PER_ADDRESS))
  view.setUint32(PAYLOAD_OFFSET, index)
  return {
    interfaceIndex: 0,
    timestampSeconds: FIRST_SECOND + Math.floor(index / 10_000),
    timestampNanos: (index % 10_000) * 100_000,
    originalLength: data.length,
    data
  }
}

/** Writes a pcap of `conversations` packets, each its own UDP conversation; resolves with the packet count. */
export async function writeManyFlowsCapture(path: string, conversations: number): Promise<number> {
  const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcap', interfaces: [{ name: 'eth0', linkType: 1, snaplen: 65535, timestampDecimals: 6 }] }))
  for (let index = 0; index < conversations; index++) await writer.writePacket(manyFlowsPacket(index))
  await writer.close()
  return writer.packetCount
}
