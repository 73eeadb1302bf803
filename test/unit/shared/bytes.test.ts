/** The byte readers every binary format goes through: both byte orders, and a clear error at the edge. */
import { describe, expect, it } from 'vitest'
import { networkUint16, networkUint32, readInt32, readUint16, readUint32 } from '../../../shared/bytes'

const bytes = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0xff, 0xfe])

describe('byte readers', () => {
  it('read both byte orders, unsigned and signed', () => {
    expect(readUint32(bytes, 0, false)).toBe(0x01020304)
    expect(readUint32(bytes, 0, true)).toBe(0x04030201)
    expect(readUint32(bytes, 2, false)).toBe(0x0304fffe)
    expect(readUint32(bytes, 2, true)).toBe(0xfeff0403)
    expect(readInt32(bytes, 2, true)).toBe(0xfeff0403 | 0)
    expect(readUint16(bytes, 4, false)).toBe(0xfffe)
    expect(readUint16(bytes, 4, true)).toBe(0xfeff)
    expect(networkUint16(bytes, 0)).toBe(0x0102)
    expect(networkUint32(bytes, 1)).toBe(0x020304ff)
  })

  it('throw a RangeError for a number that does not fit, the last one that fits being read', () => {
    expect(readUint32(bytes, 2, false)).toBe(0x0304fffe)
    expect(() => readUint32(bytes, 3, false)).toThrow(RangeError)
    expect(readUint16(bytes, 4, false)).toBe(0xfffe)
    expect(() => readUint16(bytes, 5, false)).toThrow(RangeError)
    expect(() => readUint16(bytes, -1, false)).toThrow(RangeError)
    expect(() => readUint32(bytes, 0.5, false)).toThrow(/outside 6 bytes/)
  })
})
