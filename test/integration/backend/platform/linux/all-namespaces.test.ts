/*
 * Sockets of every network namespace in the socket table: the test makes its own namespace with
 * `ip netns add`, starts a listener in it with `ip netns exec` on the same 127.0.0.1 port this
 * process listens on at home, and reads the table through netlink (entering the namespace), through
 * /proc/PID/net (the /proc reader, and what is left when entering is refused, also for real: the
 * built CLI run as nobody sees the namespace of a process of its own). The namespace is deleted
 * afterwards, whatever happened.
 */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KernelClosedSocket } from '../../../../../shared/model/closed-connection'
import type { SocketEntry } from '../../../../../shared/model/socket'
import { compileSocketFilter } from '../../../../../shared/query/socket-fields'
import { LinuxPlatform, type SocketReaderChoice } from '../../../../../electron/backend/platform/linux/linux-platform'
import { LinuxCloseEventSource } from '../../../../../electron/backend/platform/linux/linux-close-events'
import { NamespacedTableReader } from '../../../../../electron/backend/platform/linux/namespaced-table-reader'
import { NetlinkTableReader } from '../../../../../electron/backend/platform/linux/netlink-table-reader'
import { ProcNetTableReader } from '../../../../../electron/backend/platform/linux/proc-net-tables'
import { diffSnapshots } from '../../../../../electron/backend/sockets/snapshot-diff'
import { closeConnection } from '../../../../../electron/backend/actions/close-connection'
import { AS_NOBODY, canRunAsNobody, copyBuildForOtherUsers, makeSharedFolder } from '../../../../support/other-user'
import { waitFor } from '../../../../support/wait-for'

const runFile = promisify(execFile)
const isRoot = process.getuid?.() === 0
const hasIp = spawnSync('ip', ['-V']).status === 0
const namespace = `sockscope-test-${randomBytes(4).toString('hex')}`

/** Listens on 127.0.0.1 at the port given, and says so; a connection closed under it is shrugged off. */
const LISTENER = `
const server = require('node:net').createServer((socket) => socket.on('error', () => {}))
server.listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('listening\\n'))
`

/** A port nothing on the host's loopback uses right now. */
async function freePort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * Puts a process in a cgroup shaped like one Docker makes (`…/docker/<64 hex>`), under a folder
 * of the test's own in the pids hierarchy (cgroup v1) or the unified one (v2); null where neither
 * can be written.
 */
function placeInDockerLikeCgroup(pid: number): { readonly label: string; readonly remove: () => void } | null {
  const hierarchy = existsSync('/sys/fs/cgroup/pids/cgroup.procs') ? '/sys/fs/cgroup/pids' : existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : null
  if (hierarchy === null) return null
  const id = randomBytes(32).toString('hex')
  const parent = `${hierarchy}/${namespace}`
  const folder = `${parent}/docker/${id}`
  try {
    mkdirSync(folder, { recursive: true })
    writeFileSync(`${folder}/cgroup.procs`, String(pid))
  } catch {
    return null
  }
  return {
    label: `docker:${id.slice(0, 12)}`,
    // A cgroup can go once its processes have: the caller ends the process first.
    remove: () => [folder, `${parent}/docker`, parent].forEach((path) => rmdirSync(path))
  }
}

const inodeOf = (path: string): number => Number(/^net:\[(\d+)\]$/.exec(readlinkSync(path))![1])

describe.skipIf(!isRoot || !hasIp)('sockets of every network namespace (root)', () => {
  let hostServer: net.Server
  let child: ChildProcess | undefined
  let namespaceMade = false
  let port = 0
  let childPid = 0
  let hostNamespace = 0
  let childNamespace = 0
  let cgroup: ReturnType<typeof placeInDockerLikeCgroup> = null

  beforeAll(async () => {
    hostServer = net.createServer()
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve))
    port = (hostServer.address() as net.AddressInfo).port
    execFileSync('ip', ['netns', 'add', namespace])
    namespaceMade = true
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    // `ip netns exec` enters the namespace and then runs node in its own place, so the pid is node's.
    child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', LISTENER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.once('data', () => resolve())
      child!.once('exit', (code) => reject(new Error(`the listener in ${namespace} exited with ${code}`)))
    })
    childPid = child.pid!
    cgroup = placeInDockerLikeCgroup(childPid)
    hostNamespace = inodeOf('/proc/self/ns/net')
    childNamespace = inodeOf(`/proc/${childPid}/ns/net`)
  })

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    cgroup?.remove()
    if (namespaceMade) execFileSync('ip', ['netns', 'del', namespace])
    await new Promise((resolve) => hostServer?.close(resolve))
  })

  /** The rows listening on the shared port, the host's first. */
  function listeners(sockets: readonly SocketEntry[]): SocketEntry[] {
    return sockets
      .filter((socket) => socket.protocol === 'tcp' && socket.state === 'LISTEN' && socket.localAddress === '127.0.0.1' && socket.localPort === port)
      .sort((a, b) => (a.netns === hostNamespace ? -1 : b.netns === hostNamespace ? 1 : 0))
  }

  async function readWith(socketReader: SocketReaderChoice): Promise<readonly SocketEntry[]> {
    const platform = new LinuxPlatform({ socketReader })
    try {
      return (await platform.sockets.read({ withProcesses: true })).sockets
    } finally {
      platform.dispose()
    }
  }

  it.each(['netlink', 'proc'] as const)("lists the namespace's listener with its pid beside the host's on the same port (%s)", async (reader) => {
    expect(childNamespace).not.toBe(hostNamespace)
    const sockets = await readWith(reader)
    const [host, inside] = listeners(sockets)
    expect(listeners(sockets)).toHaveLength(2)
    expect(host).toMatchObject({ netns: hostNamespace, container: null, pid: process.pid })
    expect(inside).toMatchObject({ netns: childNamespace, container: cgroup?.label ?? null, pid: childPid })
    expect(inside!.id).not.toBe(host!.id)
    // Every row of the host's own tables says where it lives too.
    expect(sockets.every((socket) => socket.netns !== null)).toBe(true)
    // netns: picks the namespace's row alone.
    const filter = compileSocketFilter(`netns:${childNamespace} lport:${port}`)
    if (!filter.ok) throw new Error(filter.error.message)
    expect(sockets.filter(filter.query.matches).map((socket) => socket.pid)).toEqual([childPid])
  })

  it("labels the namespace's rows with the container its process's cgroup names", async (context) => {
    // Without a writable cgroup hierarchy no process can be put in a container's cgroup.
    if (cgroup === null) return context.skip()
    const sockets = await readWith('netlink')
    const filter = compileSocketFilter(`container:docker lport:${port}`)
    if (!filter.ok) throw new Error(filter.error.message)
    expect(sockets.filter(filter.query.matches).map((socket) => [socket.pid, socket.container])).toEqual([[childPid, cgroup.label]])
  })

  it.each(['netlink', 'proc'] as const)('keeps apart two sockets without a file on the same ends in two namespaces (%s)', async (reader) => {
    // A client that closes first leaves its end in TIME_WAIT, without an inode: only the namespace tells the two apart.
    const clientPort = await freePort()
    await new Promise<void>((resolve, reject) => {
      const client = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: clientPort }, () => client.end())
      client.on('error', reject)
      client.on('close', () => resolve())
      client.resume()
    })
    const connect = `const c = require('node:net').connect({ port: ${port}, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: ${clientPort} }, () => c.end()); c.resume(); c.on('close', () => process.exit(0))`
    execFileSync('ip', ['netns', 'exec', namespace, process.execPath, '-e', connect])
    const waiting = (await readWith(reader)).filter(
      (socket) => socket.state === 'TIME_WAIT' && socket.localPort === clientPort && socket.remotePort === port && socket.localAddress === '127.0.0.1'
    )
    expect(waiting.map((socket) => socket.netns).sort()).toEqual([hostNamespace, childNamespace].sort())
    expect(waiting.every((socket) => socket.inode === 0)).toBe(true)
  })

  it('closes a connection inside the namespace from inside it, and the client there sees it aborted', async () => {
    // A client in the namespace that stays connected to the namespace's listener and says how its connection ended.
    const script = `const c = require('node:net').connect(${port}, '127.0.0.1', () => process.stdout.write(c.localPort + '\\n')); c.on('error', (e) => { process.stdout.write(e.code + '\\n'); process.exit(0) }); c.on('close', () => process.exit(0))`
    const client = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines: string[] = []
    client.stdout!.on('data', (data: Buffer) =>
      lines.push(
        ...data
          .toString()
          .split('\n')
          .filter((line) => line !== '')
      )
    )
    const platform = new LinuxPlatform({ socketReader: 'netlink' })
    try {
      await waitFor(() => lines.length > 0, 5_000, 'the client in the namespace to connect')
      const clientPort = Number(lines[0])
      const row = (await platform.sockets.read({ withProcesses: true })).sockets.find(
        (socket) => socket.state === 'ESTABLISHED' && socket.localPort === clientPort && socket.remotePort === port && socket.netns === childNamespace
      )
      expect(row?.pid).toBe(client.pid)
      expect(closeConnection(platform.actions, row!)).toMatchObject({ outcome: 'done' })
      await waitFor(() => lines.length > 1, 5_000, 'the client to hear its connection end')
      expect(lines[1]).toBe('ECONNABORTED')
    } finally {
      platform.dispose()
      if (client.exitCode === null && client.signalCode === null) client.kill('SIGKILL')
    }
  })

  it('keeps the two rows apart from one read to the next', async () => {
    const platform = new LinuxPlatform({ socketReader: 'netlink' })
    try {
      const first = await platform.sockets.read({ withProcesses: true })
      const second = await platform.sockets.read({ withProcesses: true })
      const snapshot = (tick: number, read: typeof first) => ({ tick, takenAt: tick, refreshMs: 0, ...read })
      const diff = diffSnapshots(snapshot(1, first), snapshot(2, second))
      const ids = new Set(listeners(second.sockets).map((socket) => socket.id))
      expect(ids.size).toBe(2)
      expect(diff.added.filter((socket) => ids.has(socket.id))).toEqual([])
      expect(diff.removed.filter((id) => ids.has(id))).toEqual([])
    } finally {
      platform.dispose()
    }
  })

  it('reads the namespace from /proc/PID/net when entering it is refused, and says why', async () => {
    const procRoot = '/proc'
    const hostNamespaceRow = NamespacedTableReader.hostNamespace(procRoot)
    const reader = new NamespacedTableReader(new NetlinkTableReader(new ProcNetTableReader(procRoot, hostNamespaceRow), hostNamespaceRow), {
      procRoot,
      access: 'netlink',
      openInside: () => {
        throw new Error('entering network namespace needs CAP_SYS_ADMIN (run as root)')
      }
    })
    try {
      const { rows } = await reader.read()
      const inside = listeners(rows).filter((row) => row.netns === childNamespace)
      expect(inside).toHaveLength(1)
      expect(reader.namespaceAccess()).toEqual({ access: 'proc', reason: 'entering network namespace needs CAP_SYS_ADMIN (run as root)' })
    } finally {
      reader.dispose()
    }
  })

  it.skipIf(!canRunAsNobody)('shows a user who is not root the namespace of its own process, read from /proc since it may not enter', async () => {
    // A process of nobody's inside the namespace, listening beside root's listener there.
    const nobodyPort = await freePort()
    const nobodyChild = spawn('ip', ['netns', 'exec', namespace, ...AS_NOBODY, process.execPath, '-e', LISTENER, String(nobodyPort)], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const shared = await makeSharedFolder('sockscope-netns-nobody')
    try {
      await new Promise<void>((resolve, reject) => {
        nobodyChild.stdout!.once('data', () => resolve())
        nobodyChild.once('exit', (code) => reject(new Error(`nobody's listener in ${namespace} exited with ${code}`)))
      })
      // The built CLI as a user runs it, with the packages it loads (koffi, so netlink works for the home namespace).
      const build = await copyBuildForOtherUsers(shared.path)
      const { stdout, stderr } = await runFile(process.execPath, [build.cli, 'list', '--json', '--no-resolve', '--verbose', '--filter', 'state:listen'], {
        uid: 65534,
        gid: 65534,
        cwd: shared.path,
        timeout: 30_000,
        maxBuffer: 64 * 1024 * 1024
      })
      expect(stderr).toContain('socket reader: netlink')
      const rows = JSON.parse(stdout) as SocketEntry[]
      const inside = rows.filter((row) => row.netns === childNamespace && row.localAddress === '127.0.0.1')
      // Its own listener with its owner; root's listener there too, its owner hidden from nobody.
      expect(inside.find((row) => row.localPort === nobodyPort)).toMatchObject({ pid: nobodyChild.pid, user: 'nobody', ownerVisibility: 'known', container: null })
      expect(inside.find((row) => row.localPort === port)).toMatchObject({ pid: null, user: 'root', ownerVisibility: 'hidden' })
      // The host's own listener on the same port is a row of its own.
      expect(rows.find((row) => row.netns === hostNamespace && row.localPort === port && row.localAddress === '127.0.0.1')).toMatchObject({ ownerVisibility: 'hidden' })
    } finally {
      if (nobodyChild.exitCode === null && nobodyChild.signalCode === null) {
        const exited = new Promise((resolve) => nobodyChild.once('exit', resolve))
        nobodyChild.kill('SIGKILL')
        await exited
      }
      await shared.remove()
    }
  })

  it('hears a connection inside the namespace close, named with that namespace', async () => {
    const events: KernelClosedSocket[] = []
    const feed = new LinuxCloseEventSource({ namespaceScanMs: 100 }).start({
      closed: (sockets) => events.push(...sockets),
      lost: () => undefined,
      failed: (error) => {
        throw error
      }
    })
    // A short connection to the namespace's listener, from inside it; it prints its own port.
    const connect = `const c = require('node:net').connect(${port}, '127.0.0.1', () => { process.stdout.write(String(c.localPort)); c.end() }); c.resume(); c.on('close', () => process.exit(0))`
    const clientPorts: number[] = []
    const heard = (): KernelClosedSocket | undefined =>
      events.find((event) => event.localAddress === '127.0.0.1' && event.remotePort === port && clientPorts.includes(event.localPort) && event.netns === childNamespace)
    try {
      // The namespace is found by the feed's next scan: connect until one close is heard.
      await waitFor(
        () => {
          clientPorts.push(Number(execFileSync('ip', ['netns', 'exec', namespace, process.execPath, '-e', connect], { encoding: 'utf8' })))
          return heard() !== undefined
        },
        10_000,
        'a close inside the namespace to be heard'
      )
      expect(heard()).toMatchObject({ state: expect.any(String), netns: childNamespace, tcpInfo: expect.objectContaining({ bytesSent: 0 }) })
      // The host's own namespace never claims a connection of the other's.
      expect(events.filter((event) => clientPorts.includes(event.localPort) && event.remotePort === port && event.netns !== childNamespace)).toEqual([])
    } finally {
      feed.close()
    }
  })

  it('listens inside a namespace only while some process is in it, so it never keeps one alive', async () => {
    const feed = new LinuxCloseEventSource({ namespaceScanMs: 100 }).start({ closed: () => undefined, lost: () => undefined, failed: () => undefined })
    const watched = (): number[] => (feed as unknown as { watchedNamespaces(): number[] }).watchedNamespaces()
    // A namespace of this test's own with one process in it, which the test then ends.
    const second = `${namespace}-b`
    execFileSync('ip', ['netns', 'add', second])
    const visitor = spawn('ip', ['netns', 'exec', second, process.execPath, '-e', 'process.stdout.write("in\\n"); setInterval(() => {}, 1000)'], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    try {
      await new Promise((resolve) => visitor.stdout!.once('data', resolve))
      const secondNamespace = inodeOf(`/proc/${visitor.pid}/ns/net`)
      await waitFor(() => watched().includes(secondNamespace), 5_000, 'the namespace to be listened to')
      expect(watched()).toContain(childNamespace)
      const visitorGone = new Promise((resolve) => visitor.once('exit', resolve))
      visitor.kill('SIGKILL')
      await visitorGone
      await waitFor(() => !watched().includes(secondNamespace), 5_000, 'the empty namespace to be let go')
      expect(watched()).toContain(childNamespace)
    } finally {
      feed.close()
      if (visitor.exitCode === null && visitor.signalCode === null) visitor.kill('SIGKILL')
      execFileSync('ip', ['netns', 'del', second])
    }
    expect(watched()).toEqual([])
  })

  it('lets a deleted namespace go as soon as its last process exits, not at the next scan', async () => {
    // The periodic scan is put out of reach: only the processes' exits can end the subscription.
    const feed = new LinuxCloseEventSource({ namespaceScanMs: 600_000 })
    const third = `${namespace}-c`
    execFileSync('ip', ['netns', 'add', third])
    const visit = (): ChildProcess =>
      spawn('ip', ['netns', 'exec', third, process.execPath, '-e', 'process.stdout.write("in\\n"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const visitors = [visit(), visit()]
    let started: ReturnType<LinuxCloseEventSource['start']> | null = null
    const end = async (visitor: ChildProcess): Promise<void> => {
      if (visitor.exitCode !== null || visitor.signalCode !== null) return
      const gone = new Promise((resolve) => visitor.once('exit', resolve))
      visitor.kill('SIGKILL')
      await gone
    }
    try {
      await Promise.all(visitors.map((visitor) => new Promise((resolve) => visitor.stdout!.once('data', resolve))))
      const thirdNamespace = inodeOf(`/proc/${visitors[0]!.pid}/ns/net`)
      started = feed.start({ closed: () => undefined, lost: () => undefined, failed: () => undefined })
      const watched = (): number[] => (started as unknown as { watchedNamespaces(): number[] }).watchedNamespaces()
      expect(watched()).toContain(thirdNamespace)
      // Deleted, the namespace lives on through its processes (and whatever socket is open inside).
      execFileSync('ip', ['netns', 'del', third])
      // One of two processes ending leaves the other: the namespace is still listened to.
      await end(visitors[0]!)
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(watched()).toContain(thirdNamespace)
      await end(visitors[1]!)
      await waitFor(() => !watched().includes(thirdNamespace), 5_000, 'the namespace to be let go once its last process exited')
      expect(watched()).toContain(childNamespace)
    } finally {
      started?.close()
      for (const visitor of visitors) await end(visitor)
      if (existsSync(`/run/netns/${third}`)) execFileSync('ip', ['netns', 'del', third])
    }
  })

  it('keeps one socket per namespace it entered, and closes it once the namespace has no process left', async () => {
    const procRoot = '/proc'
    const hostNamespaceRow = NamespacedTableReader.hostNamespace(procRoot)
    const reader = new NamespacedTableReader(new NetlinkTableReader(new ProcNetTableReader(procRoot, hostNamespaceRow), hostNamespaceRow), {
      procRoot,
      access: 'netlink'
    })
    // A namespace of our own, with one process in it, that this test ends.
    const second = `${namespace}-b`
    execFileSync('ip', ['netns', 'add', second])
    let sleeper: ChildProcess | undefined
    try {
      sleeper = spawn('ip', ['netns', 'exec', second, 'sleep', '60'], { stdio: 'ignore' })
      await waitFor(
        () => {
          try {
            return inodeOf(`/proc/${sleeper!.pid}/ns/net`) !== hostNamespace
          } catch {
            return false
          }
        },
        5_000,
        'the sleeper to enter its namespace'
      )
      const secondNamespace = inodeOf(`/proc/${sleeper.pid}/ns/net`)
      await reader.read()
      await reader.read()
      expect(reader.enteredNamespaces()).toContain(childNamespace)
      expect(reader.enteredNamespaces()).toContain(secondNamespace)
      expect(reader.enteredNamespaces().filter((inode) => inode === secondNamespace)).toHaveLength(1)
      const exited = new Promise((resolve) => sleeper!.once('exit', resolve))
      sleeper.kill('SIGKILL')
      await exited
      await reader.read()
      expect(reader.enteredNamespaces()).toContain(childNamespace)
      expect(reader.enteredNamespaces()).not.toContain(secondNamespace)
    } finally {
      if (sleeper !== undefined && sleeper.exitCode === null && sleeper.signalCode === null) sleeper.kill('SIGKILL')
      execFileSync('ip', ['netns', 'del', second])
      reader.dispose()
    }
  })
})
