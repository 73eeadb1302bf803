import { describe, expect, it } from 'vitest'
import {
  ControlMessageReader,
  HELPER_MESSAGE_TYPE_CODES,
  HelperMessageReader,
  MESSAGE_TYPE_CODES,
  encodeMessage,
  type ControlMessage,
  type HelperMessage
} from '../../../shared/capture-messages'
import { PacketBatchBuilder, decodePacketBatch, encodePacketsMessage } from '../../../shared/capture-packet-batch'
import { CaptureProtocolError, FRAME_HEADER_LENGTH, FrameDecoder, MAX_FRAME_PAYLOAD, encodeFrame } from '../../../shared/capture-protocol'
import type { RawPacket } from '../../../shared/model/packet'
import { concatenateBytes } from '../../../shared/bytes'
import { elementAt } from '../../../shared/element-at'

function packet(seed: number, length: number): RawPacket {
  const data = new Uint8Array(length)
  for (let index = 0; index < length; index++) data[index] = (seed * 31 + index) & 0xff
  return { interfaceIndex: 0, timestampSeconds: 1_700_000_000 + seed, timestampNanos: 999_999_999 - seed, originalLength: length + seed, data }
}

const helperMessages: HelperMessage[] = [
  { type: 'stats', stats: { received: 10, receivedBytes: 600, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 2, delivered: 8 } },
  { type: 'bad-filter', filter: 'tcp and and', message: "can't parse filter expression: syntax error" },
  { type: 'error', code: 'permission-denied', message: "lo: You don't have permission to capture on that device (socket: Operation not permitted)" },
  {
    type: 'started',
    interface: 'lo',
    linkType: 1,
    linkTypeName: 'ETHERNET',
    snaplen: 65535,
    promiscuous: true,
    startedAt: 1_700_000_000_000,
    timestampDecimals: 9,
    notes: ['a note']
  },
  { type: 'end', reason: 'count', stats: { received: 1, receivedBytes: 60, droppedByKernel: 0, droppedByInterface: 0, droppedByHelper: 0, delivered: 1 }, message: null },
  {
    type: 'interfaces',
    interfaces: [
      {
        name: 'lo',
        description: null,
        addresses: [{ address: '127.0.0.1', netmask: '255.0.0.0', broadcast: null, destination: null }],
        loopback: true,
        linkType: 1,
        linkTypeName: 'ETHERNET',
        openError: null,
        openErrorCode: null
      }
    ]
  },
  { type: 'filter-ok', interface: 'lo', filter: 'udp port 53', linkType: 1 }
]

describe('capture protocol framing', () => {
  it('round-trips every helper message, packets included', () => {
    const packets = [packet(1, 60), packet(2, 0), packet(3, 1514)]
    const frames = [...helperMessages.map((message) => encodeMessage(message as Exclude<HelperMessage, { type: 'packets' }>)), encodePacketsMessage(packets)]
    const decoded = new HelperMessageReader().push(concatenateBytes(frames))
    expect(decoded.slice(0, helperMessages.length)).toEqual(helperMessages)
    const last = elementAt(decoded, helperMessages.length)
    expect(last.type).toBe('packets')
    if (last.type !== 'packets') return
    expect(last.packets).toHaveLength(3)
    last.packets.forEach((received, index) => {
      expect(received.timestampSeconds).toBe(elementAt(packets, index).timestampSeconds)
      expect(received.timestampNanos).toBe(elementAt(packets, index).timestampNanos)
      expect(received.originalLength).toBe(elementAt(packets, index).originalLength)
      expect(Array.from(received.data)).toEqual(Array.from(elementAt(packets, index).data))
    })
  })

  it('round-trips every control message', () => {
    const messages: ControlMessage[] = [
      {
        type: 'start',
        request: {
          interface: 'lo',
          filter: 'tcp port 8080',
          snaplen: 96,
          promiscuous: false,
          bufferSize: 1 << 20,
          limits: { maxPackets: 10, maxBytes: null, maxDurationMs: 2000 }
        }
      },
      { type: 'stop' },
      { type: 'list-interfaces', request: { probeLinkTypes: true } },
      { type: 'compile-filter', request: { interface: 'lo', filter: 'udp' } }
    ]
    const reader = new ControlMessageReader()
    expect(reader.push(concatenateBytes(messages.map(encodeMessage)))).toEqual(messages)
  })

  it('writes the type byte and a 3-byte big-endian length', () => {
    const frame = encodeFrame(0x53, new Uint8Array(0x012345))
    expect(Array.from(frame.subarray(0, FRAME_HEADER_LENGTH))).toEqual([0x53, 0x01, 0x23, 0x45])
  })

  it('reassembles frames split across chunks at every byte', () => {
    const packets = Array.from({ length: 5 }, (_, index) => packet(index, 40 + index * 7))
    const stream = concatenateBytes([encodeMessage(helperMessages[3] as never), encodePacketsMessage(packets), encodeMessage(helperMessages[0] as never)])
    for (const size of [1, 2, 3, 5, 13, 64]) {
      const reader = new HelperMessageReader()
      const decoded: HelperMessage[] = []
      for (let offset = 0; offset < stream.length; offset += size) decoded.push(...reader.push(stream.subarray(offset, offset + size)))
      reader.finish()
      expect(decoded.map((message) => message.type)).toEqual(['started', 'packets', 'stats'])
      const batch = elementAt(decoded, 1)
      if (batch.type === 'packets') expect(batch.packets.map((received) => received.data.length)).toEqual(packets.map((sent) => sent.data.length))
    }
  })

  it('returns several frames from one chunk and keeps the tail for the next', () => {
    const first = encodeMessage(helperMessages[0] as never)
    const second = encodeMessage(helperMessages[1] as never)
    const third = encodeMessage(helperMessages[6] as never)
    const reader = new HelperMessageReader()
    const chunk = concatenateBytes([first, second, third.subarray(0, 6)])
    expect(reader.push(chunk).map((message) => message.type)).toEqual(['stats', 'bad-filter'])
    expect(reader.push(third.subarray(6)).map((message) => message.type)).toEqual(['filter-ok'])
  })

  it('does not let a decoded packet pin the chunk it came in', () => {
    const frame = encodePacketsMessage([packet(7, 10)])
    const chunk = concatenateBytes([frame, new Uint8Array(4096).fill(0)]).subarray(0, frame.length)
    const message = elementAt(new HelperMessageReader().push(chunk), 0)
    if (message.type !== 'packets') throw new Error('expected packets')
    expect(elementAt(message.packets, 0).data.buffer.byteLength).toBe(10)
  })

  it('rejects an unknown type byte with the byte offset, and stays failed', () => {
    const good = encodeMessage(helperMessages[0] as never)
    const reader = new HelperMessageReader()
    const corrupt = concatenateBytes([good, new Uint8Array([0x99, 0, 0, 1, 0])])
    expect(() => reader.push(corrupt)).toThrow(new CaptureProtocolError(`corrupt frame at byte ${good.length}: unknown message type 0x99`))
    expect(() => reader.push(good)).toThrow(CaptureProtocolError)
  })

  it('rejects a control frame larger than the control limit', () => {
    const reader = new ControlMessageReader()
    expect(() => reader.push(new Uint8Array([MESSAGE_TYPE_CODES.start, 0x10, 0, 0]))).toThrow(/exceeds the limit/)
  })

  it('rejects a control frame whose JSON is broken', () => {
    const reader = new ControlMessageReader()
    expect(() => reader.push(encodeFrame(MESSAGE_TYPE_CODES.start, new TextEncoder().encode('{"request":')))).toThrow('corrupt start message: payload is not JSON')
  })

  it('rejects a packet record that runs past its frame', () => {
    const frame = encodePacketsMessage([packet(1, 20)])
    const payload = frame.slice(FRAME_HEADER_LENGTH)
    new DataView(payload.buffer).setUint32(4 + 12, 21)
    expect(() => decodePacketBatch(payload)).toThrow(/record 0 claims 21 bytes past the end/)
  })

  it('rejects a frame that ends mid-way when the stream ends', () => {
    const decoder = new FrameDecoder(HELPER_MESSAGE_TYPE_CODES)
    decoder.push(encodeMessage(helperMessages[0] as never).subarray(0, 9))
    expect(() => decoder.finish()).toThrow(/stream ended inside a frame at byte 0/)
  })

  it('refuses payloads a 3-byte length cannot hold, and a batch never grows past one frame', () => {
    expect(() => encodeFrame(0x50, new Uint8Array(MAX_FRAME_PAYLOAD + 1))).toThrow(/exceeds the frame limit/)
    const builder = new PacketBatchBuilder()
    const big = new Uint8Array(65535)
    let added = 0
    while (builder.fits(big.length)) {
      builder.add(0, 0, big.length, big)
      added++
    }
    expect(() => builder.add(0, 0, big.length, big)).toThrow(CaptureProtocolError)
    const frame = builder.finish()
    expect(frame.length - FRAME_HEADER_LENGTH).toBeLessThanOrEqual(MAX_FRAME_PAYLOAD)
    expect(decodePacketBatch(frame.subarray(FRAME_HEADER_LENGTH))).toHaveLength(added)
    expect(builder.packetCount).toBe(0)
  })
})
