import { describe, expect, it } from 'vitest'
import { DiagReplyCollector } from '../../../../../../electron/backend/platform/linux/netlink/diag-reply'
import {
  AttributeReader,
  encodeNetlinkMessage,
  errnoName,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NetlinkMessageReader,
  readDoneCode,
  readUint32,
  writeUint32
} from '../../../../../../electron/backend/platform/linux/netlink/netlink-message'
import { SOCK_DIAG_BY_FAMILY } from '../../../../../../electron/backend/platform/linux/netlink/sock-diag'
import { elementAt } from '../../../../../../shared/element-at'

/** A reply message as the kernel would send it: header, then a payload of the given bytes. */
function message(type: number, sequence: number, payload: readonly number[], flags = NLM_F_MULTI): Uint8Array {
  return encodeNetlinkMessage({ type, flags, sequence }, Uint8Array.from(payload))
}

function int32(value: number): number[] {
  const bytes = new Uint8Array(4)
  writeUint32(bytes, 0, value >>> 0)
  return [...bytes]
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]))
}

describe('encodeNetlinkMessage', () => {
  it('writes the header, pads the payload and each attribute to 4 bytes, and counts the padding in the length', () => {
    const encoded = encodeNetlinkMessage({ type: 20, flags: 0x301, sequence: 9 }, Uint8Array.of(1, 2, 3, 4, 5), [
      { type: 3, value: Uint8Array.of(0xaa, 0xbb, 0xcc) },
      { type: 7, value: Uint8Array.of(0x11, 0x22, 0x33, 0x44) }
    ])
    // 16 header + 8 padded payload + 8 (4 + 3, padded) + 8 (4 + 4).
    expect(encoded.length).toBe(40)
    expect(readUint32(encoded, 0)).toBe(40)
    expect([...encoded.subarray(16, 24)]).toEqual([1, 2, 3, 4, 5, 0, 0, 0])
    expect(encoded.readUInt16LE(24)).toBe(7)
    expect(encoded.readUInt16LE(26)).toBe(3)
    expect([...encoded.subarray(28, 32)]).toEqual([0xaa, 0xbb, 0xcc, 0])
    expect(encoded.readUInt16LE(32)).toBe(8)
    expect(encoded.readUInt16LE(34)).toBe(7)
  })
})

describe('NetlinkMessageReader', () => {
  it('walks messages and exposes each header and payload', () => {
    const bytes = concat(message(20, 5, [1, 2, 3]), message(NLMSG_DONE, 5, int32(0)))
    const reader = new NetlinkMessageReader().reset(bytes)
    expect(reader.next()).toBe(true)
    expect([reader.type, reader.sequence, reader.flags, reader.payloadEnd - reader.payloadStart]).toEqual([20, 5, NLM_F_MULTI, 4])
    expect(reader.next()).toBe(true)
    expect(reader.type).toBe(NLMSG_DONE)
    expect(reader.next()).toBe(false)
    expect(reader.malformed).toBe(false)
  })

  it('stops at a header that claims less than itself or more than is left, and says so', () => {
    const good = message(20, 1, [])
    const tooShort = Uint8Array.from(good)
    writeUint32(tooShort, 0, 15)
    expect(new NetlinkMessageReader().reset(tooShort).next()).toBe(false)
    const tooLong = Uint8Array.from(good)
    writeUint32(tooLong, 0, 17)
    const reader = new NetlinkMessageReader().reset(tooLong)
    expect(reader.next()).toBe(false)
    expect(reader.malformed).toBe(true)
    // Exactly 16 bytes is a whole (empty) message.
    const exact = new NetlinkMessageReader().reset(good)
    expect(exact.next()).toBe(true)
    expect(exact.malformed).toBe(false)
    // A buffer that ends inside the next header.
    const cut = new NetlinkMessageReader().reset(concat(good, good.subarray(0, 15)))
    expect(cut.next()).toBe(true)
    expect(cut.next()).toBe(false)
    expect(cut.malformed).toBe(true)
  })

  it('reads only the length it is given', () => {
    const bytes = concat(message(20, 1, []), message(20, 2, []))
    const reader = new NetlinkMessageReader().reset(bytes, 16)
    expect(reader.next()).toBe(true)
    expect(reader.next()).toBe(false)
    expect(reader.malformed).toBe(false)
  })
})

describe('AttributeReader', () => {
  it('walks attributes, clears the nested and byte-order flag bits from the type, and stops at a bad length', () => {
    const bytes = Uint8Array.of(5, 0, 0x02, 0x80, 0xaa, 0, 0, 0, 8, 0, 4, 0, 1, 2, 3, 4, 9, 0, 1, 0)
    const reader = new AttributeReader().reset(bytes, 0, bytes.length)
    expect(reader.next()).toBe(true)
    expect([reader.type, reader.valueEnd - reader.valueStart]).toEqual([2, 1])
    expect(reader.next()).toBe(true)
    expect(reader.type).toBe(4)
    // The third claims 9 bytes with 4 left.
    expect(reader.next()).toBe(false)
    expect(reader.malformed).toBe(true)
    const leftover = new AttributeReader().reset(Uint8Array.of(8, 0, 4, 0, 1, 2, 3, 4, 0, 0), 0, 10)
    expect(leftover.next()).toBe(true)
    expect(leftover.next()).toBe(false)
    expect(leftover.malformed).toBe(true)
  })
})

describe('DiagReplyCollector', () => {
  const decodeFirstByte = (bytes: Uint8Array, start: number, end: number): number | null => (end > start ? elementAt(bytes, start) : null)

  it('collects socket messages until NLMSG_DONE and ignores what follows', () => {
    const collector = new DiagReplyCollector(4, decodeFirstByte)
    collector.addDatagram(concat(message(SOCK_DIAG_BY_FAMILY, 4, [7]), message(SOCK_DIAG_BY_FAMILY, 4, [])), 36)
    expect(collector.isComplete).toBe(false)
    collector.addDatagram(concat(message(SOCK_DIAG_BY_FAMILY, 4, [8]), message(NLMSG_DONE, 4, int32(0)), message(SOCK_DIAG_BY_FAMILY, 4, [9])), 60)
    expect(collector.result()).toEqual({ sockets: [7, 8], skipped: 1, truncatedDatagrams: 0, complete: true, failure: null, interrupted: false })
  })

  it('reports the error of NLMSG_DONE or NLMSG_ERROR, and a plain acknowledgement as success', () => {
    const done = new DiagReplyCollector(1, decodeFirstByte)
    done.addDatagram(message(NLMSG_DONE, 1, int32(-95)), 20)
    expect(done.result().failure).toEqual({ errno: 95, code: 'EOPNOTSUPP' })
    const error = new DiagReplyCollector(1, decodeFirstByte)
    error.addDatagram(message(NLMSG_ERROR, 1, int32(-1)), 20)
    expect(error.result()).toMatchObject({ complete: true, failure: { errno: 1, code: 'EPERM' } })
    const shortError = new DiagReplyCollector(1, decodeFirstByte)
    // A header claiming 18 bytes: two bytes of payload, too few for the error code.
    const short = message(NLMSG_ERROR, 1, [0xff, 0xff])
    writeUint32(short, 0, 18)
    shortError.addDatagram(short, 20)
    expect(shortError.result()).toMatchObject({ complete: true, failure: { code: 'EPROTO' } })
    const acknowledged = new DiagReplyCollector(1, decodeFirstByte)
    acknowledged.addDatagram(message(NLMSG_ERROR, 1, int32(0)), 20)
    expect(acknowledged.result()).toMatchObject({ complete: true, failure: null })
  })

  it('flags an interrupted dump, a datagram longer than its buffer and one cut inside a message', () => {
    const collector = new DiagReplyCollector(2, decodeFirstByte)
    collector.addDatagram(message(SOCK_DIAG_BY_FAMILY, 2, [1], NLM_F_MULTI | NLM_F_DUMP_INTR), 20)
    collector.addDatagram(message(SOCK_DIAG_BY_FAMILY, 2, [2]), 4096)
    collector.addDatagram(message(SOCK_DIAG_BY_FAMILY, 2, [3]).subarray(0, 18), 18)
    expect(collector.result()).toMatchObject({ sockets: [1, 2], interrupted: true, truncatedDatagrams: 2, complete: false })
    collector.abandon({ errno: 110, code: 'ETIMEDOUT' })
    expect(collector.result()).toMatchObject({ complete: true, failure: { code: 'ETIMEDOUT' } })
  })
})

describe('small helpers', () => {
  it('names errno values, and numbers without a name', () => {
    expect(errnoName(1)).toBe('EPERM')
    expect(errnoName(105)).toBe('ENOBUFS')
    expect(errnoName(9999)).toBe('errno 9999')
  })

  it('reads a missing NLMSG_DONE code as success', () => {
    expect(readDoneCode(new Uint8Array(16), 16, 16)).toBe(0)
    expect(readDoneCode(Uint8Array.from(int32(-2)), 0, 4)).toBe(-2)
  })
})
