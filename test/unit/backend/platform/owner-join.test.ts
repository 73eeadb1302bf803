/*
 * The owner join every provider shares, on a table and an owner lookup made up here: which
 * owner a row shows, how a missing owner is explained, and when no process is looked at.
 */
import { describe, expect, it } from 'vitest'
import type { SocketEntry, SocketOwner, TableIssue } from '../../../../shared/model/socket'
import { JoinedSocketProvider, withOwners } from '../../../../electron/backend/platform/owner-join'
import type { OwnerLookup, SocketOwnerLookup, SocketTableReader } from '../../../../electron/backend/platform/platform'
import { buildSocket } from '../../../support/socket-builder'

/** A row as a table reader gives it: no owner, no user name yet. */
function row(overrides: Partial<SocketEntry>): SocketEntry {
  return buildSocket({ user: null, pid: null, process: null, command: null, owners: [], ownerVisibility: 'none', ...overrides })
}

const server: SocketOwner = { pid: 10, process: 'server', command: 'server --port 8080', user: 'alice' }
const worker: SocketOwner = { pid: 11, process: 'worker', command: 'server --worker', user: 'alice' }
const users = new Map([
  [0, 'root'],
  [1000, 'alice']
])

/** An owner lookup over a fixed answer that counts how often it was asked, and about what. */
class FixedOwners implements SocketOwnerLookup {
  readonly asked: number[][] = []
  cleared = 0

  constructor(private readonly answer: OwnerLookup) {}

  findOwners(inodes: Iterable<number>): Promise<OwnerLookup> {
    this.asked.push([...inodes])
    return Promise.resolve(this.answer)
  }

  userNames(): Promise<ReadonlyMap<number, string>> {
    return Promise.resolve(users)
  }

  clear(): void {
    this.cleared++
  }
}

function fixedTable(rows: readonly SocketEntry[], issues: readonly TableIssue[] = []): SocketTableReader & { disposed: number } {
  return {
    kind: 'fixed',
    disposed: 0,
    read: () => Promise.resolve({ rows, issues }),
    dispose() {
      this.disposed++
    }
  }
}

const listener = row({ inode: 100, uid: 1000, localPort: 8080 })
const hiddenListener = row({ inode: 200, uid: 0, localPort: 9090 })
const timeWait = row({ inode: 0, uid: 0, localPort: 50_000, remotePort: 8080, state: 'TIME_WAIT' })

describe('JoinedSocketProvider', () => {
  it('gives a row every owner, the lowest pid first, and names its user', async () => {
    const owners = new FixedOwners({ ownersByInode: new Map([[100, [server, worker]]]), restricted: false })
    const provider = new JoinedSocketProvider('test', fixedTable([listener, timeWait]), owners)
    const read = await provider.read({ withProcesses: true })
    expect(read.sockets[0]).toMatchObject({ pid: 10, process: 'server', command: 'server --port 8080', user: 'alice', owners: [server, worker], ownerVisibility: 'known' })
    expect(read.sockets[1]).toMatchObject({ pid: null, process: null, command: null, user: 'root', owners: [], ownerVisibility: 'none' })
    expect(read.partialOwnership).toBe(false)
    // Sockets without a file (inode 0) are never looked for.
    expect(owners.asked).toEqual([[100]])
  })

  it('calls an ownerless socket hidden only when some processes could not be looked into', async () => {
    const restricted = new JoinedSocketProvider('test', fixedTable([hiddenListener, timeWait]), new FixedOwners({ ownersByInode: new Map(), restricted: true }))
    const seenAll = new JoinedSocketProvider('test', fixedTable([hiddenListener, timeWait]), new FixedOwners({ ownersByInode: new Map(), restricted: false }))
    const partial = await restricted.read({ withProcesses: true })
    expect(partial.partialOwnership).toBe(true)
    expect(partial.sockets.map((socket) => socket.ownerVisibility)).toEqual(['hidden', 'none'])
    const whole = await seenAll.read({ withProcesses: true })
    expect(whole.partialOwnership).toBe(false)
    expect(whole.sockets.map((socket) => socket.ownerVisibility)).toEqual(['none', 'none'])
  })

  it('looks at no process when asked not to, and says a socket with a file has a hidden owner', async () => {
    const owners = new FixedOwners({ ownersByInode: new Map([[100, [server]]]), restricted: true })
    const read = await new JoinedSocketProvider('test', fixedTable([listener, timeWait]), owners).read({ withProcesses: false })
    expect(owners.asked).toEqual([])
    expect(read.partialOwnership).toBe(false)
    expect(read.sockets.map((socket) => [socket.pid, socket.ownerVisibility, socket.user])).toEqual([
      [null, 'hidden', 'alice'],
      [null, 'none', 'root']
    ])
  })

  it('keeps one row per socket id, the later one, and passes the table issues on', async () => {
    const issue: TableIssue = { source: '/made/up/tcp', line: 3, message: 'bad line', text: 'garbage' }
    const moved = { ...listener, recvQueue: 5 }
    const read = await new JoinedSocketProvider('test', fixedTable([listener, timeWait, moved], [issue]), new FixedOwners({ ownersByInode: new Map(), restricted: false })).read({
      withProcesses: true
    })
    expect(read.sockets.map((socket) => [socket.id, socket.recvQueue])).toEqual([
      [listener.id, 5],
      [timeWait.id, 0]
    ])
    expect(read.issues).toEqual([issue])
  })

  it('lets go of the table reader and the owner cache on dispose', () => {
    const table = fixedTable([])
    const owners = new FixedOwners({ ownersByInode: new Map(), restricted: false })
    const provider = new JoinedSocketProvider('test', table, owners)
    provider.dispose()
    expect([table.disposed, owners.cleared]).toEqual([1, 1])
    expect(provider.platform).toBe('test')
  })
})

describe('withOwners', () => {
  it('leaves the user unknown when the row has no uid or the uid has no name', () => {
    expect(withOwners(row({ uid: null }), users, [server], 'known')).toMatchObject({ user: null, pid: 10 })
    expect(withOwners(row({ uid: 4242 }), users, [], 'hidden')).toMatchObject({ user: null, pid: null, ownerVisibility: 'hidden' })
  })
})
