import { describe, expect, it } from 'vitest'
import { TimestampScale, timestampToUnits } from '../../../../../electron/backend/capture/files/timestamp-scale'
import { seededRandom } from '../../../../support/seeded-random'

/** Splits a BigInt unit count into the two 32-bit halves pcapng stores. */
function halves(units: bigint): [number, number] {
  return [Number(units >> 32n), Number(units & 0xffffffffn)]
}

describe('TimestampScale', () => {
  it('converts decimal units exactly on both sides of 2^53, as big-number arithmetic does', () => {
    const next = seededRandom(0x7153)
    const wrong: string[] = []
    for (let round = 0; round < 20_000; round++) {
      const exponent = round % 10
      // High halves around 2^21, where the count passes 2^53, and anywhere else.
      const high = round % 3 === 0 ? 0x200000 + Math.floor(next() * 5) - 2 : Math.floor(next() * 2 ** 32)
      const low = Math.floor(next() * 2 ** 32)
      const units = (BigInt(high) << 32n) + BigInt(low)
      const divisor = 10n ** BigInt(exponent)
      const expected = [Number(units / divisor), Number(((units % divisor) * 1_000_000_000n) / divisor)]
      const scale = new TimestampScale(exponent)
      scale.convert(high, low)
      if (scale.seconds !== expected[0] || scale.nanos !== expected[1]) wrong.push(`10^-${exponent} ${units}: ${scale.seconds}.${scale.nanos} vs ${expected.join('.')}`)
    }
    expect(wrong.slice(0, 3)).toEqual([])
  })

  it('converts microsecond units exactly', () => {
    const scale = new TimestampScale(6)
    scale.convert(...halves(1_700_000_000_123_456n))
    expect([scale.seconds, scale.nanos]).toEqual([1_700_000_000, 123_456_000])
    expect(scale.decimals).toBe(6)
  })

  it('converts nanosecond units past 2^53 without losing the last digit', () => {
    const scale = new TimestampScale(9)
    scale.convert(...halves(1_795_275_260_234_896_579n))
    expect([scale.seconds, scale.nanos]).toEqual([1_795_275_260, 234_896_579])
  })

  it('handles whole-second and millisecond resolutions', () => {
    const seconds = new TimestampScale(0)
    seconds.convert(...halves(42n))
    expect([seconds.seconds, seconds.nanos]).toEqual([42, 0])
    const millis = new TimestampScale(3)
    millis.convert(...halves(1_000_999n))
    expect([millis.seconds, millis.nanos]).toEqual([1000, 999_000_000])
  })

  it('converts power-of-two resolutions (high bit set)', () => {
    const scale = new TimestampScale(0x80 | 20)
    // 5 seconds and half a second in 2^-20 units.
    scale.convert(...halves(5n * 2n ** 20n + 2n ** 19n))
    expect([scale.seconds, scale.nanos]).toEqual([5, 500_000_000])
    expect(scale.decimals).toBe(7)
    const fine = new TimestampScale(0x80 | 32)
    fine.convert(7, 2 ** 30)
    expect([fine.seconds, fine.nanos]).toEqual([7, 250_000_000])
    const coarse = new TimestampScale(0x80 | 1)
    coarse.convert(0, 7)
    expect([coarse.seconds, coarse.nanos]).toEqual([3, 500_000_000])
  })

  it('falls back to exact big-number arithmetic for picoseconds and 2^-40', () => {
    const pico = new TimestampScale(12)
    pico.convert(...halves(1_700_000_000_123_456_789_012n))
    expect([pico.seconds, pico.nanos]).toEqual([1_700_000_000, 123_456_789])
    const binary = new TimestampScale(0x80 | 40)
    binary.convert(...halves(3n * 2n ** 40n + 2n ** 39n))
    expect([binary.seconds, binary.nanos]).toEqual([3, 500_000_000])
  })

  it('adds if_tsoffset seconds', () => {
    const scale = new TimestampScale(6, 1_000_000_000)
    scale.convert(0, 2_500_000)
    expect([scale.seconds, scale.nanos]).toEqual([1_000_000_002, 500_000_000])
  })
})

describe('timestampToUnits', () => {
  it('is the inverse of the conversion at every decimal resolution', () => {
    for (const decimals of [0, 3, 6, 9]) {
      const units = timestampToUnits(1_795_275_260, 234_896_579, decimals)
      const scale = new TimestampScale(decimals)
      scale.convert(units.high, units.low)
      expect(scale.seconds).toBe(1_795_275_260)
      expect(scale.nanos).toBe(Math.floor(234_896_579 / 10 ** (9 - decimals)) * 10 ** (9 - decimals))
    }
  })
})
