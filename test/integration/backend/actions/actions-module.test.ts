/*
 * The actions domain in a backend in this process, on real loopback connections: the desktop
 * app's "ask" policy puts a question naming the connection and its process (as the backend's own
 * table has them, not as a page claims) and closes only on a yes; the log names the caller.
 */
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import type { SystemActionQuestion } from '../../../../electron/backend/actions/system-action-gate'
import type { ActionLogEntry, ActionResult } from '../../../../shared/model/action'
import type { SocketSnapshot } from '../../../../shared/model/socket'
import { carriesBytes, openKnownConnection, type KnownConnection } from '../../../support/netlink/loopback-connection'
import { waitFor } from '../../../support/wait-for'

const isRoot = process.getuid?.() === 0
const DESKTOP = { actor: 'desktop', label: 'desktop window' } as const

async function value<T>(answer: Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>): Promise<T> {
  const settled = await answer
  if (!settled.ok) throw new Error(settled.error?.message)
  return settled.value as T
}

describe.skipIf(process.platform !== 'linux')('the actions module', () => {
  let backend: Backend | null = null
  const connections: KnownConnection[] = []
  afterEach(async () => {
    await backend?.dispose()
    backend = null
    for (const connection of connections.splice(0)) await connection.close()
  })

  async function clientRow(connection: KnownConnection): Promise<string> {
    let id: string | undefined
    await waitFor(
      async () => {
        const snapshot = await value<SocketSnapshot>(backend!.handle('sockets/snapshot', {}))
        id = snapshot.sockets.find((row) => row.localPort === connection.clientPort && row.remotePort === connection.serverPort)?.id
        return id !== undefined
      },
      10_000,
      'the connection in the table'
    )
    return id!
  }

  async function open(): Promise<KnownConnection> {
    const connection = await openKnownConnection(1, 1)
    connections.push(connection)
    return connection
  }

  it("asks the host with the backend's own names for the connection and its process; a no closes nothing", async () => {
    const questions: SystemActionQuestion[] = []
    backend = createBackend({ intervalMs: 100, resolveNames: false, systemActions: { actions: 'ask', ask: async (question) => (questions.push(question), false) } })
    const connection = await open()
    const result = await value<ActionResult>(backend.handle('actions/close-connection', { socketId: await clientRow(connection) }, DESKTOP))

    expect(questions).toEqual([
      {
        action: 'close-connection',
        target: `tcp 127.0.0.1:${connection.clientPort} → 127.0.0.1:${connection.serverPort} of node (${process.pid})`,
        process: `node (${process.pid})`
      }
    ])
    expect(result).toMatchObject({ outcome: 'refused', reason: 'declined', entry: { actor: 'desktop', client: 'desktop window', outcome: 'refused' } })
    expect(await carriesBytes(connection)).toBe(true)
  })

  it.skipIf(!isRoot)('a yes closes it: the peer sees ECONNRESET, the entry is pushed and kept in the session log', async () => {
    backend = createBackend({ intervalMs: 100, resolveNames: false, systemActions: { actions: 'ask', ask: async () => true } })
    const pushed: ActionLogEntry[] = []
    backend.subscribe((event, payload) => {
      if (event === 'actions/logged') pushed.push(payload as ActionLogEntry)
    })
    const connection = await open()
    const peerError = new Promise<string | undefined>((resolve) => connection.accepted.once('error', (error: NodeJS.ErrnoException) => resolve(error.code)))
    const result = await value<ActionResult>(backend.handle('actions/close-connection', { socketId: await clientRow(connection) }, DESKTOP))
    expect(result).toMatchObject({ outcome: 'done', reason: null, message: 'closed; the peer was sent a reset' })
    expect(await peerError).toBe('ECONNRESET')
    expect(pushed).toEqual([result.entry])
    expect(await value<ActionLogEntry[]>(backend.handle('actions/log', {}))).toEqual([result.entry])
  })

  it('never asks about a socket that is not a connection, nor about one no longer in the table', async () => {
    const questions: SystemActionQuestion[] = []
    backend = createBackend({ intervalMs: 100, resolveNames: false, systemActions: { actions: 'ask', ask: async (question) => (questions.push(question), true) } })
    const connection = await open()
    await clientRow(connection)
    const snapshot = await value<SocketSnapshot>(backend.handle('sockets/snapshot', {}))
    const listener = snapshot.sockets.find((row) => row.localPort === connection.serverPort && row.state === 'LISTEN')!
    expect(await value<ActionResult>(backend.handle('actions/close-connection', { socketId: listener.id }))).toMatchObject({
      outcome: 'refused',
      reason: 'not-a-connection',
      message: 'a listening socket is not a connection; stop its process instead',
      entry: { actor: 'in-process' }
    })
    expect(await value<ActionResult>(backend.handle('actions/close-connection', { socketId: 'tcp4 127.0.0.1|1 127.0.0.1|2 #1' }))).toMatchObject({
      outcome: 'failed',
      reason: 'already-gone'
    })
    expect(questions).toEqual([])
  })

  it("never stops a process this backend's own process started (its capture helper, its own parts)", async () => {
    backend = createBackend({ intervalMs: 100, resolveNames: false, systemActions: { actions: 'allow' } })
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' })
    try {
      const result = await value<ActionResult>(backend.handle('actions/stop-process', { pid: child.pid! }))
      expect(result).toMatchObject({ outcome: 'refused', reason: 'protected', message: 'sockscope started this process (its capture helper or one of its own parts)' })
      expect(child.exitCode).toBeNull()
      expect(child.signalCode).toBeNull()
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('a backend whose host chose no rule refuses every action', async () => {
    backend = createBackend({ intervalMs: 100, resolveNames: false })
    const connection = await open()
    expect(await value<ActionResult>(backend.handle('actions/close-connection', { socketId: await clientRow(connection) }))).toMatchObject({
      outcome: 'refused',
      reason: 'actions-off'
    })
    expect(await carriesBytes(connection)).toBe(true)
  })
})
