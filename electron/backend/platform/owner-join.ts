/**
 * The owner join, the same on every OS: socket rows from a table reader, the processes holding
 * them from an owner lookup, and what to say about a socket whose owner is not known.
 */
import type { OwnerVisibility, SocketEntry, SocketOwner, SocketReaderInfo } from '../../../shared/model/socket'
import type { ProviderRead, SnapshotOptions, SocketOwnerLookup, SocketProvider, SocketTableReader } from './platform'

const NO_OWNERS: readonly SocketOwner[] = Object.freeze([])

/** A row with its owners (the lowest pid first gives pid, process and command) and its user's name. */
export function withOwners(row: SocketEntry, users: ReadonlyMap<number, string>, owners: readonly SocketOwner[], ownerVisibility: OwnerVisibility): SocketEntry {
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

/**
 * A socket provider made of a table reader and an owner lookup.
 *
 * A socket without a file (inode 0, such as TIME_WAIT) has no owner (`none`). With
 * `withProcesses: false` no process is looked at: sockets with a file are marked `hidden` (an
 * owner exists but was not looked up) and partialOwnership is false. Otherwise a socket whose
 * owner was not found is `hidden` when some processes could not be looked into, else `none`.
 */
export class JoinedSocketProvider<Owners extends SocketOwnerLookup = SocketOwnerLookup> implements SocketProvider {
  readonly reader: SocketReaderInfo

  /** `readerNote`: why `tables` is the reader in use, when it is not the usual choice. */
  constructor(
    readonly platform: string,
    readonly tables: SocketTableReader,
    readonly owners: Owners,
    readerNote: string | null = null
  ) {
    this.reader = { kind: tables.kind, note: readerNote, homeNetns: tables.homeNamespace ?? null }
  }

  async read(options: SnapshotOptions): Promise<ProviderRead> {
    const [table, users] = await Promise.all([this.tables.read({ tcpInfo: options.tcpInfo !== false }), this.owners.userNames()])
    // A table read in several chunks (or a dump the kernel restarted) can list a socket twice
    // when it changes in between; the later row wins.
    const byId = new Map<string, SocketEntry>()
    for (const row of table.rows) byId.set(row.id, row)

    if (!options.withProcesses) {
      const sockets: SocketEntry[] = []
      for (const row of byId.values()) {
        sockets.push(withOwners(row, users, NO_OWNERS, row.inode === 0 ? 'none' : 'hidden'))
      }
      return { sockets, issues: table.issues, partialOwnership: false }
    }

    const inodes: number[] = []
    for (const row of byId.values()) if (row.inode !== 0) inodes.push(row.inode)
    const { ownersByInode, restricted } = await this.owners.findOwners(inodes)
    const sockets: SocketEntry[] = []
    for (const row of byId.values()) {
      const owners = row.inode === 0 ? undefined : ownersByInode.get(row.inode)
      if (owners !== undefined) sockets.push(withOwners(row, users, owners, 'known'))
      else sockets.push(withOwners(row, users, NO_OWNERS, restricted && row.inode !== 0 ? 'hidden' : 'none'))
    }
    return { sockets, issues: table.issues, partialOwnership: restricted }
  }

  dispose(): void {
    this.tables.dispose?.()
    this.owners.clear()
  }
}
