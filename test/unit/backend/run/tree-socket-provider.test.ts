/*
 * sockscope run's view of one process tree: a TCP connection the tree held keeps its kernel-held
 * end (TIME_WAIT, no owner) in the tree, but only in the network namespace it lived in.
 */
import { describe, expect, it } from 'vitest'
import type { ProviderRead, SocketProvider, SystemReader } from '../../../../electron/backend/platform/platform'
import { ProcessTree } from '../../../../electron/backend/run/process-tree'
import { TreeSocketProvider } from '../../../../electron/backend/run/tree-socket-provider'
import type { SocketEntry } from '../../../../shared/model/socket'
import { buildSocket } from '../../../support/socket-builder'

const HOST = 4026531840
const CONTAINER = 4026532301
const ROOT_PID = 100

/** The tree's one process, as every listing shows it. */
const system = {
  listProcesses: async () => [{ pid: ROOT_PID, parentPid: 1, sessionId: ROOT_PID, startTime: 5, name: 'app', state: 'S' }],
  countOpenFileDescriptors: async () => 3,
  readSoftOpenFilesLimit: async () => 1024
} as unknown as SystemReader

/** A base provider that answers each read with the next of `reads`. */
function providerOf(reads: readonly (readonly SocketEntry[])[]): SocketProvider {
  let next = 0
  return {
    platform: 'linux',
    reader: { kind: 'test', note: null, homeNetns: HOST },
    read: async (): Promise<ProviderRead> => ({ sockets: reads[next++]!, issues: [], partialOwnership: false })
  }
}

const connection = { localAddress: '127.0.0.1', localPort: 50_000, remoteAddress: '127.0.0.1', remotePort: 8080 }
const ownerless = { pid: null, process: null, command: null, owners: [], ownerVisibility: 'none' as const, inode: 0 }

describe('TreeSocketProvider', () => {
  it("keeps the TIME_WAIT end of a connection the tree held only in that connection's namespace", async () => {
    const held = buildSocket({
      ...connection,
      state: 'ESTABLISHED',
      inode: 10,
      pid: ROOT_PID,
      owners: [{ pid: ROOT_PID, process: 'app', command: 'app', user: 'root' }],
      netns: HOST
    })
    const hostEnd = buildSocket({ ...connection, ...ownerless, state: 'TIME_WAIT', netns: HOST, id: 'host-end' })
    const containerEnd = buildSocket({ ...connection, ...ownerless, state: 'TIME_WAIT', netns: CONTAINER, id: 'container-end' })
    const tree = new TreeSocketProvider(providerOf([[held], [hostEnd, containerEnd]]), system, new ProcessTree(ROOT_PID, { ownSession: false }), 1)
    expect((await tree.read({ withProcesses: true })).sockets.map((socket) => socket.inode)).toEqual([10])
    expect((await tree.read({ withProcesses: true })).sockets.map((socket) => socket.id)).toEqual(['host-end'])
  })
})
