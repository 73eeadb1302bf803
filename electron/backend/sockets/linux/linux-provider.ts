/**
 * The Linux socket provider: the /proc/net tables joined with the owners found in /proc/PID/fd.
 */
import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'
import type { OwnerVisibility, SocketEntry, SocketOwner, TableIssue } from '../../../../shared/model/socket'
import type { ProviderRead, SnapshotOptions, SocketProvider } from '../socket-provider'
import { parseInetTable, parseUnixTable } from './proc-net-parser'
import type { ParsedTable } from './proc-net-parser'
import { ProcessTable } from './process-table'
import { errorMessage } from '../../../../shared/error-message'

/** Settings for the Linux provider; the defaults read the real host. */
export interface LinuxSocketProviderOptions {
  /** Where procfs is mounted. */
  readonly procRoot?: string
  /** The owner lookup to use; one is made from `procRoot` when absent. */
  readonly processTable?: ProcessTable
}

type TableKind =
  | { readonly file: string; readonly protocol: 'tcp' | 'udp' | 'raw'; readonly family: 4 | 6 }
  | { readonly file: string; readonly protocol: 'unix' }

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

const NO_OWNERS: readonly SocketOwner[] = Object.freeze([])

/**
 * Reads /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,unix} concurrently and joins owners.
 *
 * A missing table (no IPv6, no raw support) is skipped silently; an unreadable one becomes
 * an issue with line 0. With `withProcesses: false` no process is looked at: sockets with a
 * file are marked `hidden` (an owner exists but was not looked up) and partialOwnership is false.
 */
export class LinuxSocketProvider implements SocketProvider {
  readonly platform = 'linux'
  private readonly procRoot: string
  private readonly processTable: ProcessTable
  private readonly byteOrder: 'little' | 'big' = endianness() === 'BE' ? 'big' : 'little'

  constructor(options: LinuxSocketProviderOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc'
    this.processTable = options.processTable ?? new ProcessTable({ procRoot: this.procRoot })
  }

  /** The owner lookup, exposed so callers can see what the last walk cost. */
  get processes(): ProcessTable {
    return this.processTable
  }

  async read(options: SnapshotOptions): Promise<ProviderRead> {
    const [tables, users] = await Promise.all([
      Promise.all(TABLES.map((table) => this.readTable(table))),
      this.processTable.userNames()
    ])
    const issues: TableIssue[] = []
    const byId = new Map<string, SocketEntry>()
    for (const table of tables) {
      for (const issue of table.issues) issues.push(issue)
      // A table read in several chunks can list a socket twice when it moves in between.
      for (const row of table.rows) byId.set(row.id, row)
    }

    if (!options.withProcesses) {
      const sockets: SocketEntry[] = []
      for (const row of byId.values()) {
        sockets.push(withOwners(row, users, NO_OWNERS, row.inode === 0 ? 'none' : 'hidden'))
      }
      return { sockets, issues, partialOwnership: false }
    }

    const inodes: number[] = []
    for (const row of byId.values()) if (row.inode !== 0) inodes.push(row.inode)
    const { ownersByInode, restricted } = await this.processTable.findOwners(inodes)
    const sockets: SocketEntry[] = []
    for (const row of byId.values()) {
      const owners = row.inode === 0 ? undefined : ownersByInode.get(row.inode)
      if (owners !== undefined) sockets.push(withOwners(row, users, owners, 'known'))
      else sockets.push(withOwners(row, users, NO_OWNERS, restricted && row.inode !== 0 ? 'hidden' : 'none'))
    }
    return { sockets, issues, partialOwnership: restricted }
  }

  dispose(): void {
    this.processTable.clear()
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
    if (table.protocol === 'unix') return parseUnixTable(text, source)
    return parseInetTable(text, { source, protocol: table.protocol, family: table.family, byteOrder: this.byteOrder })
  }
}

function withOwners(
  row: SocketEntry,
  users: ReadonlyMap<number, string>,
  owners: SocketEntry['owners'],
  ownerVisibility: OwnerVisibility
): SocketEntry {
  const first = owners[0]
  return {
    ...row,
    user: row.uid === null ? null : (users.get(row.uid) ?? null),
    pid: first?.pid ?? null,
    process: first?.process ?? null,
    command: first?.command ?? null,
    owners,
    ownerVisibility
  }
}
