/**
 * Small TCP conversations written segment by segment, for what a real transfer rarely shows on
 * demand: a receiver that shuts its window and is probed, and idle connections kept alive.
 * Each segment is one Ethernet/IPv4/TCP frame in a pcap written with the project's own writer.
 */
import { CaptureFileWriter, createCaptureEncoder } from '../../../electron/backend/capture/files/capture-file-writer'
import { TCP_FLAG } from '../../../shared/model/decoded-packet'
import { ethernetFrame, ipv4Packet, tcpSegment } from './packet-builder'

/** One segment of a script: who sends it, when, and its header relative to each side's first sequence number. */
export interface ScriptedSegment {
  readonly from: 'client' | 'server'
  /** Milliseconds since the first segment. */
  readonly atMs: number
  readonly flags: number
  /** Sequence number relative to the sender's initial one (its SYN carries 0). */
  readonly seq: number
  /** Acknowledgment relative to the other side's initial sequence number. */
  readonly ack: number
  readonly window: number
  readonly length?: number
  /** Raw TCP option bytes. */
  readonly options?: readonly number[]
}

const CLIENT = { address: [192, 0, 2, 10], port: 50_123, isn: 0xfffff000 }
const SERVER = { address: [192, 0, 2, 20], port: 8080, isn: 0x1000 }
const FIRST_SECOND = 1_750_000_000

/** Writes the segments to a pcap at `path`. Sequence numbers of the client wrap past 2^32 on purpose. */
export async function writeScriptedTcpCapture(path: string, segments: readonly ScriptedSegment[]): Promise<void> {
  const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcap', interfaces: [{ name: 'eth0', linkType: 1, snaplen: 65535, timestampDecimals: 6 }] }))
  for (const segment of segments) {
    const [sender, receiver] = segment.from === 'client' ? [CLIENT, SERVER] : [SERVER, CLIENT]
    const tcp = tcpSegment({
      sourcePort: sender.port,
      destinationPort: receiver.port,
      sequence: (sender.isn + segment.seq) >>> 0,
      acknowledgment: (segment.flags & TCP_FLAG.ACK) !== 0 ? (receiver.isn + segment.ack) >>> 0 : 0,
      flags: segment.flags,
      window: segment.window,
      options: segment.options ?? [],
      payload: new Uint8Array(segment.length ?? 0).fill(0x61)
    })
    const data = ethernetFrame(0x0800, ipv4Packet({ protocol: 6, source: sender.address, destination: receiver.address, payload: tcp }))
    const micros = Math.round(segment.atMs * 1000)
    await writer.writePacket({
      interfaceIndex: 0,
      timestampSeconds: FIRST_SECOND + Math.floor(micros / 1e6),
      timestampNanos: (micros % 1e6) * 1000,
      originalLength: data.length,
      data
    })
  }
  await writer.close()
}

const { SYN, ACK, PSH, FIN } = TCP_FLAG
/** Window scale option with shift `shift` (padded to four bytes by the builder). */
const windowScale = (shift: number): number[] => [1, 3, 3, shift]

/** The three-way handshake, both sides offering window scale 2 (windows below count four bytes a unit). */
function handshake(): ScriptedSegment[] {
  return [
    { from: 'client', atMs: 0, flags: SYN, seq: 0, ack: 0, window: 64240, options: windowScale(2) },
    { from: 'server', atMs: 10, flags: SYN | ACK, seq: 0, ack: 1, window: 65160, options: windowScale(2) },
    { from: 'client', atMs: 20, flags: ACK, seq: 1, ack: 1, window: 1000 }
  ]
}

/**
 * A receiver that stops reading: the client fills the server's window exactly (window full),
 * the server advertises a zero window twice, the client probes it with one byte three times,
 * each probe is answered, then the window opens again (a window update) and data flows.
 */
export function zeroWindowScript(): ScriptedSegment[] {
  const segments = handshake()
  // The server's last window before the data: 1000 units of 4 bytes after the ACK of byte 1.
  segments.push({ from: 'server', atMs: 25, flags: ACK, seq: 1, ack: 1, window: 1000 })
  let seq = 1
  let at = 30
  for (let index = 0; index < 4; index++) {
    segments.push({ from: 'client', atMs: at, flags: ACK | PSH, seq, ack: 1, window: 1000, length: 1000 })
    seq += 1000
    at += 1
  }
  // 4000 bytes sent into a 4000-byte window: the last one fills it.
  segments.push({ from: 'server', atMs: 40, flags: ACK, seq: 1, ack: seq, window: 0 })
  segments.push({ from: 'server', atMs: 41, flags: ACK, seq: 1, ack: seq, window: 0 })
  for (let probe = 0; probe < 3; probe++) {
    at = 300 + probe * 400
    segments.push({ from: 'client', atMs: at, flags: ACK, seq, ack: 1, window: 1000, length: 1 })
    segments.push({ from: 'server', atMs: at + 10, flags: ACK, seq: 1, ack: seq, window: 0 })
  }
  segments.push({ from: 'server', atMs: 1500, flags: ACK, seq: 1, ack: seq, window: 500 })
  segments.push({ from: 'client', atMs: 1510, flags: ACK | PSH, seq, ack: 1, window: 1000, length: 500 })
  segments.push({ from: 'server', atMs: 1520, flags: ACK, seq: 1, ack: seq + 500, window: 1000 })
  segments.push({ from: 'client', atMs: 1530, flags: FIN | ACK, seq: seq + 500, ack: 1, window: 1000 })
  segments.push({ from: 'server', atMs: 1540, flags: FIN | ACK, seq: 1, ack: seq + 501, window: 1000 })
  segments.push({ from: 'client', atMs: 1550, flags: ACK, seq: seq + 501, ack: 2, window: 1000 })
  return segments
}

/**
 * An idle connection kept alive: after a request and its answer, the client sends keep-alives
 * every 45 s (with no byte, and once with the one-byte form some stacks use), each answered by
 * the server repeating its ACK.
 */
export function keepAliveScript(): ScriptedSegment[] {
  const segments = handshake()
  segments.push({ from: 'client', atMs: 30, flags: ACK | PSH, seq: 1, ack: 1, window: 1000, length: 100 })
  segments.push({ from: 'server', atMs: 40, flags: ACK | PSH, seq: 1, ack: 101, window: 1000, length: 300 })
  segments.push({ from: 'client', atMs: 50, flags: ACK, seq: 101, ack: 301, window: 1000 })
  for (let round = 1; round <= 4; round++) {
    const at = round * 45_000
    segments.push({ from: 'client', atMs: at, flags: ACK, seq: 100, ack: 301, window: 1000, length: round === 3 ? 1 : 0 })
    segments.push({ from: 'server', atMs: at + 10, flags: ACK, seq: 301, ack: 101, window: 1000 })
  }
  // One byte of data at the next sequence number, with the window open: neither a keep-alive nor a probe.
  segments.push({ from: 'client', atMs: 199_000, flags: ACK | PSH, seq: 101, ack: 301, window: 1000, length: 1 })
  segments.push({ from: 'client', atMs: 200_000, flags: ACK | PSH, seq: 102, ack: 301, window: 1000, length: 49 })
  segments.push({ from: 'server', atMs: 200_010, flags: ACK, seq: 301, ack: 151, window: 1000 })
  return segments
}

/**
 * Segments sent again: a SYN repeated after its timeout, data resent after the ACK for it had
 * already arrived (spurious), and a gap the client fills 300 ms later (a plain retransmission).
 */
export function repeatedSegmentsScript(): ScriptedSegment[] {
  return [
    { from: 'client', atMs: 0, flags: SYN, seq: 0, ack: 0, window: 64240 },
    { from: 'client', atMs: 1000, flags: SYN, seq: 0, ack: 0, window: 64240 },
    { from: 'server', atMs: 1010, flags: SYN | ACK, seq: 0, ack: 1, window: 65160 },
    { from: 'client', atMs: 1020, flags: ACK, seq: 1, ack: 1, window: 64240 },
    { from: 'client', atMs: 1030, flags: ACK | PSH, seq: 1, ack: 1, window: 64240, length: 200 },
    { from: 'server', atMs: 1040, flags: ACK, seq: 1, ack: 201, window: 65160 },
    { from: 'client', atMs: 1250, flags: ACK | PSH, seq: 1, ack: 1, window: 64240, length: 200 },
    { from: 'client', atMs: 1260, flags: ACK, seq: 201, ack: 1, window: 64240, length: 100 },
    { from: 'client', atMs: 1261, flags: ACK | PSH, seq: 401, ack: 1, window: 64240, length: 100 },
    { from: 'server', atMs: 1270, flags: ACK, seq: 1, ack: 301, window: 65160 },
    { from: 'client', atMs: 1600, flags: ACK, seq: 301, ack: 1, window: 64240, length: 100 },
    { from: 'server', atMs: 1610, flags: ACK, seq: 1, ack: 501, window: 65160 }
  ]
}

/**
 * Losses answered at different speeds, after a handshake with a 20 ms round trip. Three times a
 * segment is missing and the server sends three duplicate ACKs; the client resends it 10 ms
 * after the last one (a fast retransmission), 25 ms after it (too late to be fast: a plain
 * retransmission), and once 5 ms after its newest segment (within the round trip, yet not fast
 * because the duplicate ACKs came 30 ms before: out of order).
 */
export function fastRetransmissionScript(): ScriptedSegment[] {
  const segments: ScriptedSegment[] = [
    { from: 'client', atMs: 0, flags: SYN, seq: 0, ack: 0, window: 64240 },
    { from: 'server', atMs: 10, flags: SYN | ACK, seq: 0, ack: 1, window: 65160 },
    { from: 'client', atMs: 20, flags: ACK, seq: 1, ack: 1, window: 64240 }
  ]
  let at = 100
  let seq = 1
  for (const resendAfterMs of [10, 25, -1]) {
    // Segment `seq` is lost; the next three arrive and each is answered by the same ACK.
    segments.push({ from: 'client', atMs: at, flags: ACK, seq: seq + 100, ack: 1, window: 64240, length: 100 })
    segments.push({ from: 'server', atMs: at + 1, flags: ACK, seq: 1, ack: seq, window: 65160 })
    segments.push({ from: 'client', atMs: at + 2, flags: ACK, seq: seq + 200, ack: 1, window: 64240, length: 100 })
    segments.push({ from: 'server', atMs: at + 3, flags: ACK, seq: 1, ack: seq, window: 65160 })
    segments.push({ from: 'client', atMs: at + 4, flags: ACK, seq: seq + 300, ack: 1, window: 64240, length: 100 })
    segments.push({ from: 'server', atMs: at + 5, flags: ACK, seq: 1, ack: seq, window: 65160 })
    if (resendAfterMs > 0) {
      segments.push({ from: 'client', atMs: at + 5 + resendAfterMs, flags: ACK, seq, ack: 1, window: 64240, length: 100 })
    } else {
      segments.push({ from: 'client', atMs: at + 30, flags: ACK, seq: seq + 400, ack: 1, window: 64240, length: 100 })
      segments.push({ from: 'client', atMs: at + 35, flags: ACK, seq, ack: 1, window: 64240, length: 100 })
    }
    segments.push({ from: 'server', atMs: at + 50, flags: ACK, seq: 1, ack: seq + (resendAfterMs > 0 ? 400 : 500), window: 65160 })
    seq += resendAfterMs > 0 ? 400 : 500
    at += 1000
  }
  return segments
}
