/**
 * CSV and JSON forms of a socket table or of a diff between two moments. CSV has one column per
 * field of the socket field table; JSON holds the sockets as they are.
 */
import type { SocketEntry } from '../../../shared/model/socket'
import type { ExportFormat, TableAt, TableDiff } from '../../../shared/model/recording'
import { SOCKET_FIELDS } from '../../../shared/socket-field-table'
import { csvLine } from '../../../shared/format/csv-text'

export { csvField } from '../../../shared/format/csv-text'

const csvHeaders = SOCKET_FIELDS.map((field) => field.csvName)

function csvValues(socket: SocketEntry): Array<string | number | null> {
  return SOCKET_FIELDS.map((field) => field.value(socket))
}

/** The table as CSV, one socket a row, with a header row. */
export function tableToCsv(sockets: readonly SocketEntry[]): string {
  let text = csvLine(csvHeaders)
  for (const socket of sockets) text += csvLine(csvValues(socket))
  return text
}

/** The diff as CSV: a `change` column (opened, closed, changed) and `previous_state` for changed rows. */
export function diffToCsv(diff: TableDiff): string {
  let text = csvLine(['change', 'previous_state', ...csvHeaders])
  const row = (change: string, previousState: string | null, socket: SocketEntry): string => csvLine([change, previousState, ...csvValues(socket)])
  for (const socket of diff.opened) text += row('opened', null, socket)
  for (const socket of diff.closed) text += row('closed', null, socket)
  for (const change of diff.changed) text += row('changed', change.before.state, change.after)
  return text
}

/** A table at a moment, in the chosen format. */
export function exportTable(table: TableAt, format: ExportFormat): string {
  if (format === 'csv') return tableToCsv(table.sockets)
  return JSON.stringify({ takenAt: new Date(table.takenAt).toISOString(), tick: table.tick, sockets: table.sockets }, null, 2) + '\n'
}

/** A diff, in the chosen format. */
export function exportDiff(diff: TableDiff, format: ExportFormat): string {
  if (format === 'csv') return diffToCsv(diff)
  return (
    JSON.stringify(
      {
        from: new Date(diff.from).toISOString(),
        to: new Date(diff.to).toISOString(),
        opened: diff.opened,
        closed: diff.closed,
        changed: diff.changed
      },
      null,
      2
    ) + '\n'
  )
}
