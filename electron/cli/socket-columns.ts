/** The `--columns` option and the text-table columns of socket tables (`list`, `diff`), from the socket field table. */
import type { SocketEntry } from '../../shared/model/socket'
import { closestName } from '../../shared/query/closest-name'
import { DEFAULT_CLI_COLUMNS, findSocketField, SOCKET_FIELDS, socketField, type SocketField, type SocketTextContext } from '../../shared/socket-field-table'
import { UsageError } from './cli-command'
import type { TextColumn } from './text-table'

/** Help for `--columns`: every column's name and header, the default ones marked. */
export const SOCKET_COLUMNS_HELP: string = [
  'Columns for --columns (* = shown by default; "all" for every one):',
  ...SOCKET_FIELDS.map((field) => `  ${field.inCli ? '*' : ' '} ${field.key.padEnd(16)} ${field.label}`)
].join('\n')

/** The fields `--columns a,b,c` names, in its order; the default columns without it. A bad name is a usage error. */
export function socketColumnsOption(text: string | undefined): readonly SocketField[] {
  if (text === undefined) return DEFAULT_CLI_COLUMNS.map(socketField)
  if (text.trim().toLowerCase() === 'all') return SOCKET_FIELDS
  const names = text.split(',').map((name) => name.trim())
  if (names.some((name) => name === '')) throw new UsageError('--columns needs column names separated by commas, e.g. --columns protocol,state,process')
  return names.map((name) => {
    const field = findSocketField(name)
    if (field !== undefined) return field
    const suggestion = closestName(
      name,
      SOCKET_FIELDS.map((candidate) => candidate.key)
    )
    throw new UsageError(`unknown column "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (see --help for the list)`)
  })
}

/**
 * Text-table columns for socket fields. With `before`, a field a change touched shows
 * `old → new` (per-tick fields, which change on every read, show only the new value).
 */
export function socketTextColumns(
  fields: readonly SocketField[],
  context: SocketTextContext = {},
  before?: (socket: SocketEntry) => SocketEntry | undefined
): TextColumn<SocketEntry>[] {
  return fields.map((field) => ({
    title: field.title,
    align: field.align,
    maxWidth: field.maxChars ?? undefined,
    value: (socket) => {
      const text = field.text(socket, context)
      const old = field.changes === 'every-tick' ? undefined : before?.(socket)
      if (old === undefined) return text
      const oldText = field.text(old, context)
      return oldText === text ? text : `${oldText} → ${text}`
    }
  }))
}
