/** CSV and JSON forms of a socket table or of a diff between two moments. */
import type { SocketEntry } from '../../../shared/model/socket'
import type { ExportFormat, TableAt, TableDiff } from '../../../shared/model/recording'

const columns: ReadonlyArray<[string, (socket: SocketEntry) => string | number | null]> = [
  ['protocol', (socket) => socket.protocol],
  ['family', (socket) => socket.family],
  ['local_address', (socket) => socket.localAddress],
  ['local_port', (socket) => socket.localPort],
  ['remote_address', (socket) => socket.remoteAddress],
  ['remote_port', (socket) => socket.remotePort],
  ['state', (socket) => socket.state],
  ['recv_q', (socket) => socket.recvQueue],
  ['send_q', (socket) => socket.sendQueue],
  ['pid', (socket) => socket.pid],
  ['process', (socket) => socket.process],
  ['user', (socket) => socket.user],
  ['uid', (socket) => socket.uid],
  ['inode', (socket) => socket.inode],
  ['owners', (socket) => socket.owners.map((owner) => `${owner.process}(${owner.pid})`).join(' ')],
  ['id', (socket) => socket.id]
]

/** One CSV field as RFC 4180 wants it: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

function csvLine(fields: ReadonlyArray<string | number | null>): string {
  return fields.map(csvField).join(',') + '\r\n'
}

/** The table as CSV, one socket a row, with a header row. */
export function tableToCsv(sockets: readonly SocketEntry[]): string {
  let text = csvLine(columns.map(([name]) => name))
  for (const socket of sockets) text += csvLine(columns.map(([, value]) => value(socket)))
  return text
}

/** The diff as CSV: a `change` column (opened, closed, changed) and `previous_state` for changed rows. */
export function diffToCsv(diff: TableDiff): string {
  let text = csvLine(['change', 'previous_state', ...columns.map(([name]) => name)])
  const row = (change: string, previousState: string | null, socket: SocketEntry): string =>
    csvLine([change, previousState, ...columns.map(([, value]) => value(socket))])
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
