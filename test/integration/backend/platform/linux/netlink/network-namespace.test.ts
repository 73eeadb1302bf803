/*
 * Reading another network namespace: the test makes its own with `ip netns add`, starts a
 * listener inside it with `ip netns exec`, and deletes the namespace afterwards.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readdirSync, readlinkSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseEventSubscription } from '../../../../../../electron/backend/platform/linux/netlink/close-events'
import type { InetDiagSocket } from '../../../../../../electron/backend/platform/linux/netlink/inet-diag'
import { currentNetworkNamespaceInode, inNetworkNamespace, namespaceInode } from '../../../../../../electron/backend/platform/linux/netlink/network-namespace'
import { SocketDiagnostics } from '../../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { waitFor } from '../../../../../support/wait-for'
import { elementAt } from '../../../../../../shared/element-at'

const isRoot = process.getuid?.() === 0
const hasIp = spawnSync('ip', ['-V']).status === 0
const namespace = `sockscope-netlink-${process.pid}`

/** Listens on 127.0.0.1, closes every connection it gets, and prints its port. */
const LISTENER = `
const server = require('node:net').createServer((socket) => { socket.on('data', () => {}); socket.on('end', () => socket.end()) })
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

/** Inodes of the sockets a process holds (its listener, and the socket pair of its stdout). */
function socketInodesOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`)
    .map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`)))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
}

describe.skipIf(!isRoot || !hasIp)('reading another network namespace (root)', () => {
  let listener: ChildProcess
  let pid = 0
  let port = 0
  let namespacePath = ''

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', namespace])
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    // `ip netns exec` enters the namespace and then runs node in its own place, so the pid is node's.
    listener = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] })
    port = Number(await new Promise<string>((resolve) => listener.stdout!.once('data', (data: Buffer) => resolve(data.toString()))))
    pid = listener.pid!
    namespacePath = `/proc/${pid}/ns/net`
  })

  afterAll(async () => {
    if (listener !== undefined && listener.exitCode === null) {
      const exited = new Promise((resolve) => listener.once('exit', resolve))
      listener.kill('SIGKILL')
      await exited
    }
    execFileSync('ip', ['netns', 'del', namespace])
  })

  it('sees the listener started in the namespace, which the host dump does not have', () => {
    const home = currentNetworkNamespaceInode()
    expect(namespaceInode(namespacePath)).not.toBe(home)
    const childSockets = socketInodesOf(pid)
    const inside = SocketDiagnostics.open({ networkNamespacePath: namespacePath })
    const host = SocketDiagnostics.open()
    try {
      expect(currentNetworkNamespaceInode()).toBe(home)
      const insideSockets = inside.dumpInet({ family: 4, protocol: 'tcp' }).sockets
      // A fresh namespace holds nothing but the child's listener.
      expect(insideSockets).toHaveLength(1)
      expect(insideSockets[0]).toMatchObject({ state: 'LISTEN', localAddress: '127.0.0.1', localPort: port })
      const listenerInode = elementAt(insideSockets, 0).inode
      expect(childSockets).toContain(listenerInode)
      expect(host.dumpInet({ family: 4, protocol: 'tcp' }).sockets.some((socket) => socket.inode === listenerInode)).toBe(false)
      // The namespace's own name under /run/netns opens it just as well.
      const byName = SocketDiagnostics.open({ networkNamespacePath: `/run/netns/${namespace}` })
      expect(byName.dumpInet({ family: 4, protocol: 'tcp' }).sockets.map((socket) => socket.inode)).toEqual([listenerInode])
      byName.close()
    } finally {
      inside.close()
      host.close()
    }
    expect(currentNetworkNamespaceInode()).toBe(home)
  })

  it("hears the namespace's close events and not the host's", async () => {
    const inside = CloseEventSubscription.start({ networkNamespacePath: namespacePath })
    const host = CloseEventSubscription.start()
    const heard = { inside: [] as InetDiagSocket[], host: [] as InetDiagSocket[] }
    inside.on('closed', (batch) => heard.inside.push(...batch.sockets))
    host.on('closed', (batch) => heard.host.push(...batch.sockets))
    try {
      const connect = `const socket = require('node:net').connect(${port}, '127.0.0.1', () => socket.end('hi')); socket.on('data', () => {}); socket.on('close', () => process.exit(0))`
      execFileSync('ip', ['netns', 'exec', namespace, process.execPath, '-e', connect])
      const ours = (sockets: readonly InetDiagSocket[]): InetDiagSocket[] =>
        sockets.filter((socket) => socket.remotePort === port || (socket.localPort === port && socket.remotePort !== 0))
      await waitFor(() => ours(heard.inside).length === 2, 5_000, 'both close events inside the namespace')
      expect(ours(heard.inside).find((socket) => socket.remotePort === port)?.tcpInfo?.bytesSent).toBe(2)
      // The host's own loopback may close connections on the same port number; none with these ends.
      const insideCookies = new Set(ours(heard.inside).map((socket) => socket.cookie))
      expect(heard.host.filter((socket) => insideCookies.has(socket.cookie) && (socket.remotePort === port || socket.localPort === port))).toEqual([])
    } finally {
      inside.close()
      host.close()
    }
  })

  it('brings the thread home when the work inside throws', () => {
    const home = currentNetworkNamespaceInode()
    let seenInside = 0
    expect(() =>
      inNetworkNamespace(namespacePath, () => {
        seenInside = currentNetworkNamespaceInode()
        throw new Error('failed inside')
      })
    ).toThrow('failed inside')
    expect(seenInside).toBe(namespaceInode(namespacePath))
    expect(currentNetworkNamespaceInode()).toBe(home)
    expect(inNetworkNamespace(namespacePath, () => currentNetworkNamespaceInode())).toBe(namespaceInode(namespacePath))
    expect(currentNetworkNamespaceInode()).toBe(home)
  })

  it('refuses what is not a network namespace, and a process that is gone, and stays home', () => {
    const home = currentNetworkNamespaceInode()
    expect(() => SocketDiagnostics.open({ networkNamespacePath: '/proc/self/ns/uts' })).toThrow('/proc/self/ns/uts is not a network namespace')
    expect(() => SocketDiagnostics.open({ networkNamespacePath: '/proc/999999999/ns/net' })).toThrow(/does not exist/)
    expect(currentNetworkNamespaceInode()).toBe(home)
  })
})
