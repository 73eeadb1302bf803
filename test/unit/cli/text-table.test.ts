/** Terminal tables: aligned columns, cut cells, and as many rows as a machine has sockets. */
import { describe, expect, it } from 'vitest'
import { renderTextTable } from '../../../electron/cli/text-table'

describe('text table', () => {
  it('aligns columns to their widest cell or title and cuts long cells', () => {
    const table = renderTextTable(
      [
        { name: 'a', count: 5 },
        { name: 'a rather long name', count: 12_345 }
      ],
      [
        { title: 'Name', value: (row) => row.name, maxWidth: 10 },
        { title: 'N', value: (row) => String(row.count), align: 'right' }
      ]
    )
    expect(table).toBe('Name            N\na               5\na rather …  12345\n')
  })

  it('measures columns over more rows than an argument list takes', () => {
    const rows = Array.from({ length: 300_000 }, (_, index) => index)
    const table = renderTextTable(rows, [{ title: 'Row', value: (row) => String(row), align: 'right' }])
    const lines = table.trimEnd().split('\n')
    expect(lines).toHaveLength(300_001)
    expect(lines[1]).toBe('     0')
    expect(lines.at(-1)).toBe('299999')
  })
})
