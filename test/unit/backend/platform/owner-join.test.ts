/*
 * The owner join every provider shares, on a table and an owner lookup made up here: which
 * owner a row shows, how a missing owner is explained, and when no process is looked at.
 */
import { describe, expect, it } from 'vitest'
import type { SocketEntry, SocketOwner, TableIssue } from '../../../../shared/model/socket'
import { JoinedSocketProvider, TABLE_FIELDS, withOwners } from '../../../../electron/backend/platform/owner-join'
import type { OwnerLookup, SocketOwnerLookup, SocketTableReader } from '../../../../electron/backend/platform/platform'
import { buildSocket, socketSamples } from '../../../support/socket-builder'

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

/** A table whose rows the test replaces between reads, made afresh on each read as a real reader's are. */
function changingTable(): SocketTableReader & { rows: SocketEntry[] } {
  return {
    kind: 'changing',
    rows: [],
    read() {
      return Promise.resolve({ rows: this.rows.map((entry) => ({ ...entry })), issues: [] })
    }
  }
}

/** A value of each table field other than {@link listener}'s; the id stays, so the row is the same socket. */
const OTHER_VALUES: { readonly [Key in (typeof TABLE_FIELDS)[number]]: SocketEntry[Key] } = {
  id: listener.id,
  protocol: 'udp',
  family: 6,
  localAddress: '127.0.0.2',
  localPort: 8081,
  remoteAddress: '10.0.0.1',
  remotePort: 1,
  state: 'ESTABLISHED',
  recvQueue: 1,
  sendQueue: 2,
  inode: 101,
  uid: 0,
  timer: { kind: 'keepalive', expiresInMs: 5 },
  retransmits: 3,
  unixType: 'stream',
  rawProtocol: 1,
  peerInode: 7,
  tcpInfo: socketSamples().find((sample) => sample.tcpInfo !== null)?.tcpInfo ?? null,
  throughput: { sendBytesPerSecond: 1, receiveBytesPerSecond: 2 },
  netns: 4026531999,
  container: 'docker:0123456789ab'
}

describe('JoinedSocketProvider handing back unchanged rows', () => {
  const quiet = row({ id: listener.id, inode: listener.inode, uid: 1000, localPort: 8080, timer: { kind: 'keepalive', expiresInMs: 9 } })
  // Both inodes the rows use have the same owner, so a changed inode alone must make a new row.
  const serverOnly = [server]
  const owners = new FixedOwners({
    ownersByInode: new Map([
      [listener.inode, serverOnly],
      [OTHER_VALUES.inode, serverOnly]
    ]),
    restricted: false
  })

  it('gives a socket whose row and owners did not change as the same object as the read before', async () => {
    const table = changingTable()
    table.rows = [quiet, timeWait]
    const provider = new JoinedSocketProvider('test', table, owners)
    const first = await provider.read({ withProcesses: true })
    const second = await provider.read({ withProcesses: true })
    expect(second.sockets).toHaveLength(2)
    second.sockets.forEach((socket, index) => expect(socket).toBe(first.sockets[index]))
    expect(second.sockets[0]).toMatchObject({ pid: 10, user: 'alice', ownerVisibility: 'known' })
  })

  it.each(TABLE_FIELDS.filter((field) => field !== 'id'))('gives a new row with the new value when %s changes', async (field) => {
    const table = changingTable()
    table.rows = [quiet]
    const provider = new JoinedSocketProvider('test', table, owners)
    const [before] = (await provider.read({ withProcesses: true })).sockets
    expect(quiet[field]).not.toEqual(OTHER_VALUES[field])
    table.rows = [{ ...quiet, [field]: OTHER_VALUES[field] }]
    const [after] = (await provider.read({ withProcesses: true })).sockets
    expect(after).not.toBe(before)
    expect(after?.[field]).toEqual(OTHER_VALUES[field])
  })

  it('gives a new row when only the timer countdown or the tcp_info object differs', async () => {
    const table = changingTable()
    table.rows = [quiet]
    const provider = new JoinedSocketProvider('test', table, owners)
    const [before] = (await provider.read({ withProcesses: true })).sockets
    table.rows = [{ ...quiet, timer: { kind: 'keepalive', expiresInMs: 8 } }]
    const [ticked] = (await provider.read({ withProcesses: true })).sockets
    expect(ticked).not.toBe(before)
    expect(ticked?.timer).toEqual({ kind: 'keepalive', expiresInMs: 8 })
    const info = socketSamples().find((sample) => sample.tcpInfo !== null)?.tcpInfo ?? null
    table.rows = [{ ...quiet, timer: { kind: 'keepalive', expiresInMs: 8 }, tcpInfo: info }]
    const [withInfo] = (await provider.read({ withProcesses: true })).sockets
    table.rows = [{ ...quiet, timer: { kind: 'keepalive', expiresInMs: 8 }, tcpInfo: info === null ? null : { ...info } }]
    const [again] = (await provider.read({ withProcesses: true })).sockets
    expect(withInfo).not.toBe(ticked)
    expect(again).not.toBe(withInfo)
  })

  it('gives a new row when its owners, their visibility or its user name change', async () => {
    const table = changingTable()
    table.rows = [quiet]
    const answer = { ownersByInode: new Map<number, readonly SocketOwner[]>([[listener.inode, [server]]]), restricted: false }
    const provider = new JoinedSocketProvider('test', table, new FixedOwners(answer))
    const [first] = (await provider.read({ withProcesses: true })).sockets
    answer.ownersByInode.set(listener.inode, [server, worker])
    const [shared] = (await provider.read({ withProcesses: true })).sockets
    expect(shared).not.toBe(first)
    expect(shared?.owners.map((owner) => owner.pid)).toEqual([10, 11])
    answer.ownersByInode.set(listener.inode, [{ ...server, command: 'server --port 8081' }, worker])
    const [renamed] = (await provider.read({ withProcesses: true })).sockets
    expect(renamed).not.toBe(shared)
    expect(renamed?.command).toBe('server --port 8081')
    const [unlooked] = (await provider.read({ withProcesses: false })).sockets
    expect(unlooked).toMatchObject({ pid: null, ownerVisibility: 'hidden' })
    table.rows = [{ ...quiet, uid: 0 }]
    const [root] = (await provider.read({ withProcesses: false })).sockets
    expect(root).not.toBe(unlooked)
    expect(root?.user).toBe('root')
  })

  it('gives a new row when only the owner visibility or the user name changes', async () => {
    const table = changingTable()
    table.rows = [quiet]
    const answer = { ownersByInode: new Map<number, readonly SocketOwner[]>(), restricted: false }
    const lookup = new FixedOwners(answer)
    const names = new Map(users)
    lookup.userNames = () => Promise.resolve(names)
    const provider = new JoinedSocketProvider('test', table, lookup)
    const [unowned] = (await provider.read({ withProcesses: true })).sockets
    answer.restricted = true
    const [hidden] = (await provider.read({ withProcesses: true })).sockets
    expect(hidden).not.toBe(unowned)
    expect([unowned?.ownerVisibility, hidden?.ownerVisibility]).toEqual(['none', 'hidden'])
    names.set(1000, 'alice2')
    const [renamed] = (await provider.read({ withProcesses: true })).sockets
    expect(renamed).not.toBe(hidden)
    expect(renamed?.user).toBe('alice2')
  })

  it('starts afresh after dispose', async () => {
    const table = changingTable()
    table.rows = [quiet]
    const provider = new JoinedSocketProvider('test', table, owners)
    const [before] = (await provider.read({ withProcesses: true })).sockets
    provider.dispose()
    const [after] = (await provider.read({ withProcesses: true })).sockets
    expect(after).not.toBe(before)
    expect(after).toEqual(before)
  })
})

describe('JoinedSocketProvider over a reader that hands back its previous rows', () => {
  /** An owner lookup whose answer the test swaps, recording each question as asked (not copied). */
  class SwappableOwners extends FixedOwners {
    readonly questions: Iterable<number>[] = []
    constructor(public current: OwnerLookup) {
      super(current)
    }
    override findOwners(inodes: Iterable<number>): Promise<OwnerLookup> {
      this.questions.push(inodes)
      return Promise.resolve(this.current)
    }
  }

  it('hands back its previous sockets, asking about the same inodes, while the lookup answers the same', async () => {
    const rows = [listener, hiddenListener, timeWait]
    const table = fixedTable(rows)
    const owners = new SwappableOwners({ ownersByInode: new Map([[listener.inode, [server]]]), restricted: false })
    const provider = new JoinedSocketProvider('test', table, owners)
    const first = await provider.read({ withProcesses: true })
    const second = await provider.read({ withProcesses: true })
    expect(second.sockets).toBe(first.sockets)
    expect(owners.questions[1]).toBe(owners.questions[0])
    expect([...owners.questions[0]!]).toEqual([listener.inode, hiddenListener.inode])
    // A new answer about the same sockets (a worker now shares the listener) is shown at once.
    owners.current = { ownersByInode: new Map([[listener.inode, [server, worker]]]), restricted: false }
    const third = await provider.read({ withProcesses: true })
    expect(third.sockets).not.toBe(second.sockets)
    expect(third.sockets.find((socket) => socket.inode === listener.inode)?.owners).toEqual([server, worker])
    // So is a lookup that can no longer see every process.
    owners.current = { ...owners.current, restricted: true }
    const fourth = await provider.read({ withProcesses: true })
    expect(fourth.partialOwnership).toBe(true)
    expect(fourth.sockets.find((socket) => socket.inode === hiddenListener.inode)?.ownerVisibility).toBe('hidden')
    // And reading without processes is another question altogether.
    const without = await provider.read({ withProcesses: false })
    expect(without.sockets.find((socket) => socket.inode === listener.inode)).toMatchObject({ pid: null, ownerVisibility: 'hidden' })
  })
})

describe('withOwners', () => {
  it('leaves the user unknown when the row has no uid or the uid has no name', () => {
    expect(withOwners(row({ uid: null }), users, [server], 'known')).toMatchObject({ user: null, pid: 10 })
    expect(withOwners(row({ uid: 4242 }), users, [], 'hidden')).toMatchObject({ user: null, pid: null, ownerVisibility: 'hidden' })
  })
})
