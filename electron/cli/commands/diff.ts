/** `sockscope diff`: what opened, closed and changed between two moments of a recording. */
import type { SocketEntry } from '../../../shared/model/socket'
import type { SocketField } from '../../../shared/socket-field-table'
import { openRecording, parseRecordingTime, diffToCsv, exportDiff } from '../../backend'
import { parseCommandArguments, UsageError, type CliCommand } from '../cli-command'
import { SOCKET_COLUMNS_HELP, socketColumnsOption, socketTextColumns } from '../socket-columns'
import { renderTextTable } from '../text-table'

/** The sockets as a text table; with `before`, changed values read `old → new`. */
function socketTable(sockets: readonly SocketEntry[], columns: readonly SocketField[], before?: (socket: SocketEntry) => SocketEntry | undefined): string {
  return renderTextTable(sockets, socketTextColumns(columns, {}, before))
}

/** Compares two moments of a recording. */
export const diffCommand: CliCommand = {
  help: `Usage: sockscope diff FILE --from T1 --to T2 [--json | --csv] [--columns A,B,...]

Opens a recording (made by "sockscope watch --record" or the app) and compares the socket
table at T1 with the one at T2: which sockets opened, which closed and which changed (a
changed value reads "old → new").

A time is one of: start, end, an offset from the start (90, 90s, 2m, 1h, 500ms), epoch
milliseconds, or an ISO date (2024-01-31T14:25:00Z). The table at a time is the last one
recorded at or before it.

  --json          the diff as JSON
  --csv           the diff as CSV, one socket a row with a "change" column
  --columns LIST  the table's columns, in this order (names below)

${SOCKET_COLUMNS_HELP}
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArguments(
      argv,
      { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' }, columns: { type: 'string' } },
      true
    )
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const [file] = positionals
    if (positionals.length !== 1 || file === undefined) throw new UsageError('give exactly one recording FILE')
    if (values.from === undefined || values.to === undefined) throw new UsageError('--from and --to are both needed')
    if (values.json && values.csv) throw new UsageError('give --json or --csv, not both')
    const columns = socketColumnsOption(values.columns)
    const recording = await openRecording(file)
    const info = recording.info()
    if (info.problem) io.err.write(`warning: ${file}: line ${info.problem.line}: ${info.problem.message}\n`)
    if (info.start === null || info.end === null) {
      io.err.write(`sockscope diff: ${file} holds no socket table\n`)
      return 1
    }
    let from: number
    let to: number
    try {
      from = parseRecordingTime(values.from, info.start, info.end)
      to = parseRecordingTime(values.to, info.start, info.end)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
    const diff = recording.diff(from, to)
    if (values.json) {
      io.out.write(exportDiff(diff, 'json'))
      return 0
    }
    if (values.csv) {
      io.out.write(diffToCsv(diff))
      return 0
    }
    const before = new Map(diff.changed.map((change) => [change.after.id, change.before]))
    io.out.write(
      `From ${new Date(diff.from).toISOString()} to ${new Date(diff.to).toISOString()}: ${diff.opened.length} opened, ${diff.closed.length} closed, ${diff.changed.length} changed\n`
    )
    if (diff.opened.length > 0) io.out.write(`\nOpened (${diff.opened.length})\n${socketTable(diff.opened, columns)}`)
    if (diff.closed.length > 0) io.out.write(`\nClosed (${diff.closed.length})\n${socketTable(diff.closed, columns)}`)
    if (diff.changed.length > 0) {
      io.out.write(
        `\nChanged (${diff.changed.length})\n${socketTable(
          diff.changed.map((change) => change.after),
          columns,
          (socket) => before.get(socket.id)
        )}`
      )
    }
    return 0
  }
}
