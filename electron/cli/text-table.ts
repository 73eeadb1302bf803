/** Plain-text tables for terminal output. */
import { elementAt } from '../../shared/element-at'
import { largestOf } from '../../shared/number-extremes'

/** A column of a text table. */
export interface TextColumn<T> {
  readonly title: string
  readonly value: (row: T) => string
  readonly align?: 'left' | 'right'
  /** Longest a cell may be before it is cut with an ellipsis. */
  readonly maxWidth?: number
}

/** Renders rows as aligned columns with a header line. */
export function renderTextTable<T>(rows: readonly T[], columns: readonly TextColumn<T>[]): string {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const text = column.value(row)
      return column.maxWidth && text.length > column.maxWidth ? text.slice(0, column.maxWidth - 1) + '…' : text
    })
  )
  const sized = columns.map((column, index) => ({
    column,
    width: Math.max(
      column.title.length,
      largestOf(
        cells.map((row) => elementAt(row, index).length),
        0
      )
    )
  }))
  const line = (values: readonly string[]) =>
    sized
      .map(({ column, width }, index) => (column.align === 'right' ? elementAt(values, index).padStart(width) : elementAt(values, index).padEnd(width)))
      .join('  ')
      .trimEnd()
  return [line(columns.map((column) => column.title)), ...cells.map(line)].join('\n') + '\n'
}
