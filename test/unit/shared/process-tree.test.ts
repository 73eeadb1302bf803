import { describe, expect, it } from 'vitest'
import { arrangeAsTree } from '../../../shared/process-tree'

/** A row of the test: a pid and a count to sort on. */
interface Row {
  readonly pid: number | null
  readonly total: number
}

const byTotal = (a: Row, b: Row): number => b.total - a.total || (a.pid ?? 0) - (b.pid ?? 0)
const shape = (rows: ReturnType<typeof arrangeAsTree<Row>>) => rows.map(({ item, depth, children }) => `${'  '.repeat(depth)}${item.pid}:${children}`)

describe('arrangeAsTree', () => {
  it('puts each row under its nearest ancestor among the rows, and sorts siblings on their own', () => {
    // 1 ─ 10 ─ 100, 1 ─ 11 (through 5, which holds no socket), and 20 with no ancestor shown.
    const lineage = new Map<number, number[]>([
      [1, []],
      [10, [1]],
      [11, [5, 1]],
      [100, [10, 1]],
      [20, [2]]
    ])
    const rows: Row[] = [
      { pid: 100, total: 50 },
      { pid: 1, total: 1 },
      { pid: 10, total: 2 },
      { pid: 11, total: 3 },
      { pid: 20, total: 9 },
      { pid: null, total: 4 }
    ]
    expect(
      shape(
        arrangeAsTree(
          rows,
          (row) => row.pid,
          (pid) => lineage.get(pid),
          byTotal
        )
      )
    ).toEqual(['20:0', 'null:0', '1:2', '  11:0', '  10:1', '    100:0'])
    // The other sort order turns siblings around, never takes a child from its parent.
    const ascending = (a: Row, b: Row) => -byTotal(a, b)
    expect(
      shape(
        arrangeAsTree(
          rows,
          (row) => row.pid,
          (pid) => lineage.get(pid),
          ascending
        )
      )
    ).toEqual(['1:2', '  10:1', '    100:0', '  11:0', 'null:0', '20:0'])
  })

  it('keeps rows flat while their ancestors are unknown, and places every row once even when pids loop', () => {
    const rows: Row[] = [
      { pid: 1, total: 1 },
      { pid: 2, total: 2 }
    ]
    expect(
      shape(
        arrangeAsTree(
          rows,
          (row) => row.pid,
          () => undefined,
          byTotal
        )
      )
    ).toEqual(['2:0', '1:0'])
    // Reused pids can make each the other's ancestor: both still show, once.
    const looped = new Map([
      [1, [2]],
      [2, [1]]
    ])
    const arranged = arrangeAsTree(
      rows,
      (row) => row.pid,
      (pid) => looped.get(pid),
      byTotal
    )
    expect(arranged.map(({ item }) => item.pid).sort()).toEqual([1, 2])
  })
})
