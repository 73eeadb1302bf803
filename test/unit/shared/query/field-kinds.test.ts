import { describe, expect, it } from 'vitest'
import { parseNumberRange, selectAny } from '../../../../shared/query/field-kinds'

describe('parseNumberRange', () => {
  it.each([
    ['443', 443, 443],
    ['0', 0, 0],
    ['8000-8100', 8000, 8100],
    ['7-7', 7, 7],
    ['>1024', 1025, 65535],
    ['>=1024', 1024, 65535],
    ['<1024', 0, 1023],
    ['<=1024', 0, 1024]
  ])('reads %s as %i–%i', (text, low, high) => {
    expect(parseNumberRange(text, 'port', 0, 65535)).toEqual({ ok: true, range: { low, high } })
  })

  it.each(['', '-5', '1-', '-', '1--2', '>', '=>5', '1.5', '0x10', ' 5', '5 ', '+5', '1,2'])('refuses %j', (text) => {
    expect(parseNumberRange(text, 'port', 0, 65535)).toEqual({
      ok: false,
      problem: `port needs a number, not "${text}"`,
      hint: 'write N, N-M, >N, >=N, <N or <=N'
    })
  })

  it('checks bounds on every number it reads', () => {
    expect(parseNumberRange('65536', 'port', 0, 65535)).toEqual({ ok: false, problem: 'port must be 0–65535' })
    expect(parseNumberRange('1-65536', 'port', 0, 65535)).toEqual({ ok: false, problem: 'port must be 0–65535' })
    expect(parseNumberRange('<=99999999999999999999', 'port', 0, 65535)).toEqual({ ok: false, problem: 'port must be 0–65535' })
    expect(parseNumberRange('0', 'pid', 1, 10)).toEqual({ ok: false, problem: 'pid must be 1–10' })
  })

  it('refuses a range that runs backwards', () => {
    expect(parseNumberRange('20-10', 'port', 0, 65535)).toEqual({
      ok: false,
      problem: 'port range 20-10 is backwards',
      hint: 'write 10-20'
    })
  })
})

describe('selectAny', () => {
  interface Pair {
    readonly first: number | null
    readonly second: number | null
  }
  const either = selectAny<Pair, number>(
    (pair) => pair.first,
    (pair) => pair.second
  )
  const onlyFirst = selectAny<Pair, number>((pair) => pair.first)
  const isFive = (value: number) => value === 5

  it('passes when any non-null value passes', () => {
    expect(either({ first: 5, second: null }, isFive)).toBe(true)
    expect(either({ first: null, second: 5 }, isFive)).toBe(true)
    expect(either({ first: 4, second: 6 }, isFive)).toBe(false)
    expect(onlyFirst({ first: 5, second: null }, isFive)).toBe(true)
    expect(onlyFirst({ first: null, second: 5 }, isFive)).toBe(false)
  })

  it('never offers null to the test', () => {
    const seen: number[] = []
    either({ first: null, second: null }, (value) => {
      seen.push(value)
      return false
    })
    expect(seen).toEqual([])
  })
})
