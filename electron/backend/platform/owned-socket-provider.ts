/**
 * The socket provider of an OS whose socket tables name each socket's owner in the same read
 * (macOS's libproc and lsof walk processes; Windows' iphlpapi tables carry a pid per row). There
 * is no inode to join on, so the reader hands over rows with their owners already found, and this
 * provider only keeps them or, when no processes were asked for, leaves them out.
 */
import type { OwnerVisibility, SocketEntry, SocketOwner, SocketReaderInfo, TableIssue } from '../../../shared/model/socket'
import { withOwners } from './owner-join'
import type { ProviderRead, SnapshotOptions, SocketProvider } from './platform'

/** One socket row and the processes found holding it. */
export interface OwnedSocketRow {
  readonly row: SocketEntry
  /** Lowest pid first; empty when no process holds it (TIME_WAIT) or none could be seen. */
  readonly owners: readonly SocketOwner[]
  /** Why `owners` is empty when it is: `none` (no process holds it) or `hidden` (not ours to see). */
  readonly visibility: OwnerVisibility
}

/** One read of the tables with owners. */
export interface OwnedTableRead {
  readonly rows: readonly OwnedSocketRow[]
  readonly issues: readonly TableIssue[]
  /** True when some processes could not be looked into, so some owners are unknown. */
  readonly restricted: boolean
  /** uid → user name, for the rows' `user`; empty when the OS did not say. */
  readonly users: ReadonlyMap<number, string>
}

/** Reads every socket table of one OS once, owners included. */
export interface OwnedTableReader {
  /** What the tables are read through (`libproc`, `lsof`, `iphlpapi`, `netstat`). */
  readonly kind: string
  /** Rejects only when nothing at all could be read. */
  read(): Promise<OwnedTableRead>
  dispose?(): void
}

/** A socket provider over an {@link OwnedTableReader}. */
export class OwnedSocketProvider implements SocketProvider {
  readonly reader: SocketReaderInfo

  constructor(
    readonly platform: string,
    readonly tables: OwnedTableReader,
    readerNote: string | null = null
  ) {
    this.reader = { kind: tables.kind, note: readerNote, homeNetns: null }
  }

  async read(options: SnapshotOptions): Promise<ProviderRead> {
    const table = await this.tables.read()
    // The same socket listed twice (two reads of a table that changed in between): the later row wins.
    const byId = new Map<string, OwnedSocketRow>()
    for (const owned of table.rows) byId.set(owned.row.id, owned)
    const sockets: SocketEntry[] = []
    for (const { row, owners, visibility } of byId.values()) {
      if (options.withProcesses) sockets.push(withOwners(row, table.users, owners, owners.length > 0 ? 'known' : visibility))
      else sockets.push(withOwners(row, table.users, [], visibility === 'none' && owners.length === 0 ? 'none' : 'hidden'))
    }
    return { sockets, issues: table.issues, partialOwnership: options.withProcesses && table.restricted }
  }

  dispose(): void {
    this.tables.dispose?.()
  }
}

/** A reader that cannot work here: every read says why, and nothing is read in its place. */
export class RefusingTableReader implements OwnedTableReader {
  constructor(
    readonly kind: string,
    private readonly reason: string
  ) {}

  read(): Promise<OwnedTableRead> {
    return Promise.reject(new Error(this.reason))
  }
}
