/*
 * The process table's bookkeeping on a small procfs-shaped tree in a temporary folder: fd
 * entries are symlinks whose targets read like the kernel's ("socket:[N]", "pipe:[N]").
 * Real processes are covered in test/integration/backend/platform/linux/linux-socket-provider.test.ts.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatCommandLine, parsePasswd, ProcessTable, SearchBudget } from '../../../../../electron/backend/platform/linux/process-table'

let root: string

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sockscope-proc-'))
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

interface FakeProcess {
  readonly comm: string
  readonly cmdline: string
  readonly links: Record<string, string>
}

async function addProcess(pid: number, process: FakeProcess): Promise<void> {
  const directory = join(root, 'proc', String(pid))
  await mkdir(join(directory, 'fd'), { recursive: true })
  await writeFile(join(directory, 'comm'), `${process.comm}\n`)
  await writeFile(join(directory, 'cmdline'), process.cmdline)
  for (const [fd, target] of Object.entries(process.links)) await symlink(target, join(directory, 'fd', fd))
}

/** The tests' clock, in milliseconds: it moves only when a test moves it. */
let now = 0

function table(): ProcessTable {
  now = 0
  return new ProcessTable({ procRoot: join(root, 'proc'), passwdPath: join(root, 'passwd'), clock: () => now })
}

/** A lookup a second after the previous one: past the search interval, well before the next full walk. */
function aSecondLater(processes: ProcessTable, inodes: Iterable<number>): ReturnType<ProcessTable['findOwners']> {
  now += 1000
  return processes.findOwners(inodes)
}

describe('ProcessTable on a procfs-shaped tree', () => {
  beforeEach(async () => {
    // The fake tree belongs to whoever runs the test; call that user alice.
    await writeFile(join(root, 'passwd'), `alice:x:${process.getuid?.() ?? 0}:100::/home/alice:/bin/sh\n`)
    await mkdir(join(root, 'proc', 'self'), { recursive: true })
    await addProcess(10, { comm: 'server', cmdline: 'server\0--port\x008080\0', links: { '0': '/dev/null', '3': 'socket:[100]', '4': 'socket:[101]', '5': 'pipe:[7]' } })
    await addProcess(11, { comm: 'worker', cmdline: 'server\0--worker\0', links: { '3': 'socket:[100]', '4': 'socket:[100]' } })
    await addProcess(12, { comm: 'kworker', cmdline: '', links: { '3': 'socket:[102]' } })
  })

  it('maps inodes to every holder, lowest pid first, once per process', async () => {
    const { ownersByInode } = await table().findOwners([100, 101, 102, 0])
    expect(ownersByInode.get(100)).toEqual([
      { pid: 10, process: 'server', command: 'server --port 8080', user: 'alice' },
      { pid: 11, process: 'worker', command: 'server --worker', user: 'alice' }
    ])
    expect(ownersByInode.get(101)?.map((owner) => owner.pid)).toEqual([10])
    expect(ownersByInode.get(102)?.[0]?.command).toBe('[kworker]')
    expect(ownersByInode.has(0)).toBe(false)
  })

  it('treats a process without an fd directory as gone, silently', async () => {
    await mkdir(join(root, 'proc', '13'))
    const { ownersByInode } = await table().findOwners([100])
    expect(ownersByInode.get(100)?.length).toBe(2)
  })

  it('reads only new processes when every inode asked for is known', async () => {
    const processes = table()
    await processes.findOwners([100, 101])
    expect(processes.lastWalk).toEqual({ processCount: 3, walkedCount: 3, changedCount: 0, linkCount: 7, fullWalk: true, searched: false, searchDeferred: false })
    await addProcess(20, { comm: 'late', cmdline: 'late\0', links: { '3': 'socket:[101]' } })
    const { ownersByInode } = await aSecondLater(processes, [100, 101])
    expect(processes.lastWalk).toEqual({ processCount: 4, walkedCount: 1, changedCount: 0, linkCount: 1, fullWalk: false, searched: false, searchDeferred: false })
    expect(ownersByInode.get(101)?.map((owner) => owner.pid)).toEqual([10, 20])
  })

  it('looks for an unknown inode in processes holding sockets first, and stops once found', async () => {
    const processes = table()
    await processes.findOwners([100])
    await symlink('socket:[200]', join(root, 'proc', '10', 'fd', '9'))
    const { ownersByInode } = await aSecondLater(processes, [100, 200])
    expect(ownersByInode.get(200)?.map((owner) => owner.pid)).toEqual([10])
    // pid 10 holds the most sockets, so it is read first and the search ends there.
    expect(processes.lastWalk.walkedCount).toBe(1)
  })

  it('names a process anew once it holds new sockets, since it may have renamed itself; the same sockets keep the name read before', async () => {
    const processes = table()
    expect((await processes.findOwners([100])).ownersByInode.get(100)?.[0]?.process).toBe('server')
    // A rename alone (process.title, prctl) changes nothing the table watches: the name read before stays.
    await writeFile(join(root, 'proc', '10', 'comm'), 'renamed\n')
    expect((await aSecondLater(processes, [100])).ownersByInode.get(100)?.[0]?.process).toBe('server')
    // A new socket makes the table read the process again, name included.
    await symlink('socket:[300]', join(root, 'proc', '10', 'fd', '9'))
    const { ownersByInode } = await aSecondLater(processes, [100, 300])
    expect(ownersByInode.get(300)?.[0]?.process).toBe('renamed')
    expect(ownersByInode.get(100)?.[0]?.process).toBe('renamed')
  })

  it('re-reads only the new fds of a process that holds many sockets', async () => {
    const links: Record<string, string> = {}
    for (let fd = 3; fd < 53; fd++) links[String(fd)] = `socket:[${1000 + fd}]`
    await addProcess(40, { comm: 'busy', cmdline: 'busy\0', links })
    const live = Object.values(links).map((link) => Number(link.slice(8, -1)))
    const processes = table()
    await processes.findOwners(live)
    await symlink('socket:[2000]', join(root, 'proc', '40', 'fd', '60'))
    const { ownersByInode } = await aSecondLater(processes, [...live, 2000])
    expect(ownersByInode.get(2000)?.map((owner) => owner.pid)).toEqual([40])
    expect(processes.lastWalk).toMatchObject({ walkedCount: 1, linkCount: 1, fullWalk: false })
  })

  it('reads an fd again once the socket it held left the table, since the fd may be reused', async () => {
    await addProcess(40, { comm: 'busy', cmdline: 'busy\0', links: { '3': 'socket:[300]' } })
    const processes = table()
    await processes.findOwners([300])
    await rm(join(root, 'proc', '40', 'fd', '3'))
    await symlink('socket:[400]', join(root, 'proc', '40', 'fd', '3'))
    const { ownersByInode } = await aSecondLater(processes, [400])
    expect(ownersByInode.get(400)?.map((owner) => owner.pid)).toEqual([40])
  })

  it('does not trust an fd whose socket other fds also hold', async () => {
    await addProcess(50, { comm: 'parent', cmdline: 'parent\0', links: { '3': 'socket:[500]' } })
    await addProcess(51, { comm: 'child', cmdline: 'child\0', links: { '3': 'socket:[500]' } })
    const processes = table()
    await processes.findOwners([500])
    // The parent closes its copy and the fd number goes to a new socket; 500 lives on in the child.
    await rm(join(root, 'proc', '50', 'fd', '3'))
    await symlink('socket:[600]', join(root, 'proc', '50', 'fd', '3'))
    const { ownersByInode } = await aSecondLater(processes, [500, 600])
    expect(ownersByInode.get(600)?.map((owner) => owner.pid)).toEqual([50])
    expect(ownersByInode.get(500)?.map((owner) => owner.pid)).toEqual([51])
  })

  it('remembers an inode no process holds, after missing it twice, instead of searching on every lookup', async () => {
    const processes = table()
    await processes.findOwners([999])
    await aSecondLater(processes, [999])
    expect(processes.lastWalk.walkedCount).toBe(3)
    await aSecondLater(processes, [999])
    expect(processes.lastWalk.walkedCount).toBe(0)
    // Once it appears in a new process, that process is read and the inode found.
    await addProcess(30, { comm: 'holder', cmdline: 'holder\0', links: { '3': 'socket:[999]' } })
    const { ownersByInode } = await aSecondLater(processes, [999])
    expect(ownersByInode.get(999)?.map((owner) => owner.pid)).toEqual([30])
  })

  it('searches again for an inode whose fd was not there yet on the first try', async () => {
    // accept() numbers the socket a moment before it installs the fd.
    const processes = table()
    await processes.findOwners([100, 777])
    await symlink('socket:[777]', join(root, 'proc', '11', 'fd', '7'))
    const { ownersByInode } = await aSecondLater(processes, [100, 777])
    expect(ownersByInode.get(777)?.map((owner) => owner.pid)).toEqual([11])
  })

  it('hands out the same owners array for a socket while no process changed, and a new one once one did', async () => {
    const processes = table()
    const first = await processes.findOwners([100, 101])
    const second = await aSecondLater(processes, [100, 101])
    expect(second.ownersByInode.get(100)).toBe(first.ownersByInode.get(100))
    expect(second.ownersByInode.get(101)).toBe(first.ownersByInode.get(101))
    // A new process sharing socket 100 (a forked worker) is read, and the owners say so.
    await addProcess(13, { comm: 'worker2', cmdline: 'server\0--worker\0', links: { '3': 'socket:[100]' } })
    const third = await aSecondLater(processes, [100, 101])
    expect(third.ownersByInode.get(100)).not.toBe(second.ownersByInode.get(100))
    expect(third.ownersByInode.get(100)?.map((owner) => owner.pid)).toEqual([10, 11, 13])
    // Only the sockets asked for are answered.
    const fourth = await aSecondLater(processes, [101])
    expect([...fourth.ownersByInode.keys()]).toEqual([101])
  })

  it('answers the very same question with the very same answer while no process changed, and anew once one did', async () => {
    const processes = table()
    const question = [100, 101, 102]
    const first = await processes.findOwners(question)
    const second = await aSecondLater(processes, question)
    expect(second).toBe(first)
    await rm(join(root, 'proc', '11'), { recursive: true })
    const third = await aSecondLater(processes, question)
    expect(third).not.toBe(first)
    expect(third.ownersByInode.get(100)?.map((owner) => owner.pid)).toEqual([10])
    // The same inodes in another array are asked about afresh (the same owners arrays, though).
    const copy = await aSecondLater(processes, [...question])
    expect(copy).not.toBe(third)
    expect(copy.ownersByInode.get(100)).toBe(third.ownersByInode.get(100))
    // A process holding none of the sockets asked about changes nothing in the answer.
    await addProcess(40, { comm: 'bystander', cmdline: 'bystander\0', links: { '3': 'socket:[4000]' } })
    const fifth = await aSecondLater(processes, question)
    expect(processes.lastWalk.walkedCount).toBe(1)
    const sixth = await aSecondLater(processes, question)
    await addProcess(41, { comm: 'bystander', cmdline: 'bystander\0', links: { '3': 'pipe:[9]' } })
    const seventh = await aSecondLater(processes, question)
    expect(processes.lastWalk.walkedCount).toBe(1)
    expect(seventh).toBe(sixth)
    expect(fifth.ownersByInode.get(100)).toBe(third.ownersByInode.get(100))
  })

  it('searches for a socket whose only holder exited, and finds it in the process it was handed to', async () => {
    const processes = table()
    await processes.findOwners([100, 102])
    // 12 passed socket 102 to 10 and exited (a fake process's fd count never changes: only a search finds it).
    await rm(join(root, 'proc', '12'), { recursive: true })
    await symlink('socket:[102]', join(root, 'proc', '10', 'fd', '9'))
    const { ownersByInode } = await aSecondLater(processes, [100, 102])
    expect(ownersByInode.get(102)?.map((owner) => owner.pid)).toEqual([10])
  })

  it('forgets processes that exited', async () => {
    const processes = table()
    await processes.findOwners([100])
    await rm(join(root, 'proc', '11'), { recursive: true })
    const { ownersByInode } = await aSecondLater(processes, [100])
    expect(ownersByInode.get(100)?.map((owner) => owner.pid)).toEqual([10])
  })

  it('searches for an unknown inode at most every 250 ms', async () => {
    const processes = table()
    await processes.findOwners([100])
    // The fd count of a fake process never changes, so only a search can find this one.
    await symlink('socket:[200]', join(root, 'proc', '10', 'fd', '9'))
    now = 249
    const early = await processes.findOwners([100, 200])
    expect(early.ownersByInode.has(200)).toBe(false)
    expect(processes.lastWalk).toMatchObject({ searched: false, searchDeferred: true, walkedCount: 0 })
    now = 250
    const due = await processes.findOwners([100, 200])
    expect(due.ownersByInode.get(200)?.map((owner) => owner.pid)).toEqual([10])
    expect(processes.lastWalk).toMatchObject({ searched: true, searchDeferred: false })
  })

  it('takes a process that exits after its fds were read and before its name was: no owner, no error', async () => {
    await addProcess(60, { comm: 'brief', cmdline: 'brief\0', links: { '3': 'socket:[6000]' } })
    await rm(join(root, 'proc', '60', 'comm'))
    await rm(join(root, 'proc', '60', 'cmdline'))
    const { ownersByInode } = await table().findOwners([100, 6000])
    expect(ownersByInode.has(6000)).toBe(false)
    expect(ownersByInode.get(100)?.length).toBe(2)
  })

  it('walks everything again after clear()', async () => {
    const processes = table()
    await processes.findOwners([100])
    processes.clear()
    await processes.findOwners([100])
    expect(processes.lastWalk.fullWalk).toBe(true)
  })
})

describe('SearchBudget', () => {
  it('lets a search start 250 ms after the previous one started, not sooner', () => {
    const budget = new SearchBudget()
    expect(budget.allows(0)).toBe(true)
    budget.spend(1000, 1010)
    expect(budget.allows(1249)).toBe(false)
    expect(budget.allows(1250)).toBe(true)
  })

  it('keeps slow searches to a tenth of the time: after one of 100 ms, the next waits 900 ms', () => {
    const budget = new SearchBudget()
    budget.spend(1000, 1100)
    expect(budget.allows(1999)).toBe(false)
    expect(budget.allows(2000)).toBe(true)
  })

  it('takes other bounds, and forgets the last search on reset', () => {
    const budget = new SearchBudget({ minIntervalMs: 50, maxShare: 0.5 })
    budget.spend(0, 40)
    expect(budget.allows(79)).toBe(false)
    expect(budget.allows(80)).toBe(true)
    budget.spend(100, 110)
    expect(budget.allows(149)).toBe(false)
    budget.reset()
    expect(budget.allows(101)).toBe(true)
  })
})

describe('parsePasswd', () => {
  it('maps uids to names and skips lines it cannot read', () => {
    const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nnobody:x:65534:65534::/:/usr/sbin/nologin\n:x:5:5::/:\nagain:x:0:0::/:\n')
    expect([...users]).toEqual([
      [0, 'root'],
      [65534, 'nobody']
    ])
  })

  it('reads this machine’s user database', async () => {
    const users = parsePasswd(await readFile('/etc/passwd', 'utf8'))
    expect(users.get(0)).toBe('root')
  })
})

describe('formatCommandLine', () => {
  it('joins NUL-separated arguments with spaces and drops trailing NULs', () => {
    expect(formatCommandLine(Buffer.from('node\0-e\0console.log(1)\0'))).toBe('node -e console.log(1)')
    expect(formatCommandLine(Buffer.from('nginx: worker process\0\0\0'))).toBe('nginx: worker process')
    expect(formatCommandLine(Buffer.alloc(0))).toBe('')
  })
})
