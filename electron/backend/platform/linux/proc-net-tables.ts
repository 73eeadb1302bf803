/**
 * The Linux socket tables as procfs shows them: /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,unix}.
 */
import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'
import { UNKNOWN_NAMESPACE } from '../../../../shared/model/socket'
import type { SocketEntry, SocketNamespace, TableIssue } from '../../../../shared/model/socket'
import { errorMessage } from '../../../../shared/error-message'
import type { SocketTableRead, SocketTableReader } from '../platform'
import { parseInetTable, parseUnixTable, type ParsedTable } from './proc-net-parser'

/** The name of a socket table, as its /proc/net file is called. */
export type ProcNetTableName = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'raw' | 'raw6' | 'unix'

type TableKind =
  { readonly file: ProcNetTableName; readonly protocol: 'tcp' | 'udp' | 'raw'; readonly family: 4 | 6 } | { readonly file: ProcNetTableName; readonly protocol: 'unix' }

/** Every table read, in the order rows are returned. */
const TABLES: readonly TableKind[] = [
  { file: 'tcp', protocol: 'tcp', family: 4 },
  { file: 'tcp6', protocol: 'tcp', family: 6 },
  { file: 'udp', protocol: 'udp', family: 4 },
  { file: 'udp6', protocol: 'udp', family: 6 },
  { file: 'raw', protocol: 'raw', family: 4 },
  { file: 'raw6', protocol: 'raw', family: 6 },
  { file: 'unix', protocol: 'unix' }
]

/**
 * Reads every /proc/net socket table concurrently.
 *
 * A missing table (no IPv6, no raw support) is skipped silently; an unreadable one becomes an
 * issue with line 0 and the other tables are still read.
 */
export class ProcNetTableReader implements SocketTableReader {
  private readonly byteOrder: 'little' | 'big' = endianness() === 'BE' ? 'big' : 'little'

  /**
   * `procRoot`: where procfs is mounted, or a process's folder (`/proc/PID`) to read the tables
   * of that process's network namespace; `namespace` is put on every row.
   */
  constructor(
    private readonly procRoot: string,
    private readonly namespace: SocketNamespace = UNKNOWN_NAMESPACE
  ) {}

  readonly kind = 'proc'

  /** Reads every table; /proc/net has no TCP internals to leave out. */
  read(): Promise<SocketTableRead> {
    return this.readTables()
  }

  /** Reads every table, or only those named (what another reader could not read itself). */
  async readTables(names?: ReadonlySet<ProcNetTableName>): Promise<SocketTableRead> {
    const chosen = names === undefined ? TABLES : TABLES.filter((table) => names.has(table.file))
    const tables = await Promise.all(chosen.map((table) => this.readTable(table)))
    const rows: SocketEntry[] = []
    const issues: TableIssue[] = []
    for (const table of tables) {
      for (const row of table.rows) rows.push(row)
      for (const issue of table.issues) issues.push(issue)
    }
    return { rows, issues }
  }

  private async readTable(table: TableKind): Promise<ParsedTable> {
    const source = `${this.procRoot}/net/${table.file}`
    let text: string
    try {
      text = await readFile(source, 'utf8')
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
      if (code === 'ENOENT') return { rows: [], issues: [] }
      const message = `could not read the table: ${errorMessage(error)}`
      return { rows: [], issues: [{ source, line: 0, message, text: '' }] }
    }
    if (table.protocol === 'unix') return parseUnixTable(text, source, this.namespace)
    return parseInetTable(text, { source, protocol: table.protocol, family: table.family, byteOrder: this.byteOrder, namespace: this.namespace })
  }
}
