import { describe, expect, it } from 'vitest'
import { closestName, editDistance } from '../../../../shared/query/closest-name'

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['port', 'prot', 1],
    ['state', 'state', 0],
    ['ca', 'abc', 3]
  ])('%j → %j is %i', (first, second, distance) => {
    expect(editDistance(first, second)).toBe(distance)
    expect(editDistance(second, first)).toBe(distance)
  })
})

describe('closestName', () => {
  const fields = ['proto', 'port', 'lport', 'rport', 'state', 'pid', 'proc', 'addr', 'address']

  it('suggests near misses and prefixes', () => {
    expect(closestName('prot', fields)).toBe('proto')
    expect(closestName('PORTT', fields)).toBe('port')
    expect(closestName('stat', fields)).toBe('state')
    expect(closestName('adress', fields)).toBe('address')
    expect(closestName('pi', fields)).toBe('pid')
  })

  it('stays quiet when nothing is close', () => {
    expect(closestName('http', fields)).toBeNull()
    expect(closestName('x', fields)).toBeNull()
    expect(closestName('statistics', fields)).toBeNull()
  })
})
