/** Plain-text tables for terminal output. */
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
  const widths = columns.map((column, index) => Math.max(column.title.length, largestOf(cells.map((row) => row[index].length), 0)))
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (columns[index].align === 'right' ? value.padStart(widths[index]) : value.padEnd(widths[index])))
      .join('  ')
      .trimEnd()
  return [line(columns.map((column) => column.title)), ...cells.map(line)].join('\n') + '\n'
}
