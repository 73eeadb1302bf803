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
    user: userName(row, users),
    pid: first?.pid ?? null,
    process: first?.process ?? null,
    command: first?.command ?? null,
    owners,
    ownerVisibility
  }
}

function userName(row: SocketEntry, users: ReadonlyMap<number, string>): string | null {
  return row.uid === null ? null : (users.get(row.uid) ?? null)
}

/** The fields the owner join sets; every other field comes from the table reader. */
type JoinedField = 'user' | 'pid' | 'process' | 'command' | 'owners' | 'ownerVisibility'

/**
 * Every field a table reader sets, which {@link sameTableFields} compares. The type below fails to
 * compile when a field of `SocketEntry` is in neither this list nor {@link JoinedField}, so a new
 * field cannot be left out of the comparison unnoticed.
 */
export const TABLE_FIELDS = [
  'id',
  'protocol',
  'family',
  'localAddress',
  'localPort',
  'remoteAddress',
  'remotePort',
  'state',
  'recvQueue',
  'sendQueue',
  'inode',
  'uid',
  'timer',
  'retransmits',
  'unixType',
  'rawProtocol',
  'peerInode',
  'tcpInfo',
  'throughput',
  'netns',
  'container'
] as const satisfies readonly Exclude<keyof SocketEntry, JoinedField>[]
type UncomparedField = Exclude<keyof SocketEntry, JoinedField | (typeof TABLE_FIELDS)[number]>
const everyFieldCompared: [UncomparedField] extends [never] ? true : UncomparedField = true
void everyFieldCompared

/**
 * Whether a table reader gave the same values for a socket in two reads. Written out field by
 * field rather than looped over {@link TABLE_FIELDS}: it runs for every socket on every tick.
 * Rows with tcp_info never count as the same (its counters and idle times move on every read),
 * unless they share the very object.
 */
export function sameTableFields(before: SocketEntry, after: SocketEntry): boolean {
  return (
    before.id === after.id &&
    before.protocol === after.protocol &&
    before.family === after.family &&
    before.localAddress === after.localAddress &&
    before.localPort === after.localPort &&
    before.remoteAddress === after.remoteAddress &&
    before.remotePort === after.remotePort &&
    before.state === after.state &&
    before.recvQueue === after.recvQueue &&
    before.sendQueue === after.sendQueue &&
    before.inode === after.inode &&
    before.uid === after.uid &&
    sameTimer(before.timer, after.timer) &&
    before.retransmits === after.retransmits &&
    before.unixType === after.unixType &&
    before.rawProtocol === after.rawProtocol &&
    before.peerInode === after.peerInode &&
    before.tcpInfo === after.tcpInfo &&
    before.throughput === after.throughput &&
    before.netns === after.netns &&
    before.container === after.container
  )
}

function sameTimer(before: SocketEntry['timer'], after: SocketEntry['timer']): boolean {
  if (before === after) return true
  return before !== null && after !== null && before.kind === after.kind && before.expiresInMs === after.expiresInMs
}

/**
 * A socket provider made of a table reader and an owner lookup.
 *
 * A socket without a file (inode 0, such as TIME_WAIT) has no owner (`none`). With
 * `withProcesses: false` no process is looked at: sockets with a file are marked `hidden` (an
 * owner exists but was not looked up) and partialOwnership is false. Otherwise a socket whose
 * owner was not found is `hidden` when some processes could not be looked into, else `none`.
 *
 * A socket whose row and owners are what the previous read gave is handed back as the previous
 * read's object: a quiet table then costs no new rows to keep (what the garbage collector pays
 * for), and the live diff can tell it unchanged without comparing a field.
 */
export class JoinedSocketProvider<Owners extends SocketOwnerLookup = SocketOwnerLookup> implements SocketProvider {
  readonly reader: SocketReaderInfo
  /** The previous read's rows by id. */
  private previousRows = new Map<string, SocketEntry>()
  /** What the previous read was made from, and what it gave. */
  private last: JoinedRead | null = null

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
    const withProcesses = options.withProcesses
    const last = this.last
    // The reader hands back its previous array when no row moved: asking again about the same
    // inodes (the same array, which tells the lookup it is the same question) and getting the
    // same answer means last read's sockets stand as they are.
    if (last !== null && table.rows === last.tableRows && users === last.users && withProcesses === last.withProcesses) {
      const lookup = withProcesses ? await this.owners.findOwners(last.inodes) : null
      if (lookup === null || (lookup.ownersByInode === last.ownersByInode && lookup.restricted === last.restricted)) {
        return { sockets: last.sockets, issues: table.issues, partialOwnership: withProcesses && last.restricted }
      }
    }
    // A table read in several chunks (or a dump the kernel restarted) can list a socket twice
    // when it changes in between; the later row wins.
    const byId = new Map<string, SocketEntry>()
    for (const row of table.rows) byId.set(row.id, row)

    let ownersByInode: ReadonlyMap<number, readonly SocketOwner[]> = new Map()
    let restricted = false
    const inodes: number[] = []
    if (withProcesses) {
      for (const row of byId.values()) if (row.inode !== 0) inodes.push(row.inode)
      ;({ ownersByInode, restricted } = await this.owners.findOwners(inodes))
    }
    const sockets: SocketEntry[] = []
    const previous = this.previousRows
    for (const [id, row] of byId) {
      const owners = !withProcesses || row.inode === 0 ? undefined : ownersByInode.get(row.inode)
      let visibility: OwnerVisibility = 'known'
      if (owners === undefined) visibility = row.inode === 0 ? 'none' : !withProcesses || restricted ? 'hidden' : 'none'
      const joined = this.joined(previous.get(id), row, users, owners ?? NO_OWNERS, visibility)
      sockets.push(joined)
      byId.set(id, joined)
    }
    this.previousRows = byId
    this.last = { tableRows: table.rows, users, withProcesses, inodes, ownersByInode, restricted, sockets }
    return { sockets, issues: table.issues, partialOwnership: withProcesses && restricted }
  }

  dispose(): void {
    this.previousRows = new Map()
    this.last = null
    this.tables.dispose?.()
    this.owners.clear()
  }

  /** The previous read's row when nothing about the socket changed, else a new joined row. */
  private joined(earlier: SocketEntry | undefined, row: SocketEntry, users: ReadonlyMap<number, string>, owners: readonly SocketOwner[], visibility: OwnerVisibility): SocketEntry {
    if (
      earlier !== undefined &&
      earlier.ownerVisibility === visibility &&
      sameOwners(earlier.owners, owners) &&
      earlier.user === userName(row, users) &&
      sameTableFields(earlier, row)
    ) {
      return earlier
    }
    return withOwners(row, users, owners, visibility)
  }
}

/** A read of the join: the table rows, user names and owners it was made from, and its sockets. */
interface JoinedRead {
  readonly tableRows: readonly SocketEntry[]
  readonly users: ReadonlyMap<number, string>
  readonly withProcesses: boolean
  readonly inodes: readonly number[]
  readonly ownersByInode: ReadonlyMap<number, readonly SocketOwner[]>
  readonly restricted: boolean
  readonly sockets: readonly SocketEntry[]
}

/** The same owners: the same objects in the same order (lookups hand back the owner they cached per process). */
function sameOwners(before: readonly SocketOwner[], after: readonly SocketOwner[]): boolean {
  if (before === after) return true
  if (before.length !== after.length) return false
  for (let index = 0; index < before.length; index++) if (before[index] !== after[index]) return false
  return true
}
