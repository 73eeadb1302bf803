/** Chart colours: a process keeps its colour while it lives, whatever its rank in the top 8. */
import { describe, expect, it } from 'vitest'
import { createColorKeeper, SERIES_COLORS } from '../../renderer/src/series-colors'

describe('createColorKeeper', () => {
  it('keeps each live process on its colour when the order changes, and gives an exited one its colour back', () => {
    const keep = createColorKeeper()
    const alive = new Set([10, 20, 30])
    expect([...keep([10, 20, 30], alive)]).toEqual([
      [10, 0],
      [20, 1],
      [30, 2]
    ])
    // 30 overtakes the others: nobody changes colour.
    expect([...keep([30, 10, 20], alive)]).toEqual([
      [30, 2],
      [10, 0],
      [20, 1]
    ])
    // 10 left the top but lives: its colour stays reserved, so a newcomer takes another.
    alive.add(40)
    expect(keep([30, 20, 40], alive).get(40)).toBe(3)
    // 10 exits: its colour is free for the next newcomer.
    alive.delete(10)
    alive.add(50)
    expect(keep([30, 20, 40, 50], alive).get(50)).toBe(0)
  })

  it('shares colours only when more processes live than the palette has', () => {
    const keep = createColorKeeper()
    const many = Array.from({ length: SERIES_COLORS.length }, (_, index) => index + 1)
    const colors = keep(many, new Set(many))
    expect(new Set(colors.values()).size).toBe(SERIES_COLORS.length)
  })
})
