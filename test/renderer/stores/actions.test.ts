// @vitest-environment happy-dom
/**
 * The actions store against a real backend: off where the host said so (the row actions say why),
 * a confirmation in the page that names the connection and its process before anything is sent,
 * none in the page where the host confirms natively, and SIGKILL offered when SIGTERM was not enough.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend, type CreateBackendOptions } from '../../../electron/backend/backend'
import type { SystemActionQuestion } from '../../../electron/backend/actions/system-action-gate'
import { useActionsStore } from '../../../renderer/src/stores/actions'
import { socketRowActions } from '../../../renderer/src/row-actions'
import { setBackendClient } from '../../../renderer/src/transport'
import { createInProcessClient } from '../../support/in-process-client'
import { openKnownConnection, type KnownConnection } from '../../support/netlink/loopback-connection'
import { waitFor } from '../../support/wait-for'
import type { SocketEntry } from '../../../shared/model/socket'

let backend: Backend | null = null
const connections: KnownConnection[] = []
const orphans: number[] = []

async function useBackend(options: CreateBackendOptions): Promise<ReturnType<typeof useActionsStore>> {
  backend = createBackend({ intervalMs: 100, resolveNames: false, ...options })
  setBackendClient(createInProcessClient(backend))
  const actions = useActionsStore()
  await actions.start()
  return actions
}

async function connectionRow(): Promise<{ connection: KnownConnection; row: SocketEntry }> {
  const connection = await openKnownConnection(1, 1)
  connections.push(connection)
  let row: SocketEntry | undefined
  await waitFor(
    () => {
      row = backend!.sockets.current().sockets.find((socket) => socket.localPort === connection.clientPort && socket.remotePort === connection.serverPort)
      return row !== undefined
    },
    10_000,
    'the connection in the table'
  )
  return { connection, row: row! }
}

/**
 * A process that ignores SIGTERM and is not this test's descendant (bash starts it and exits, so
 * it is re-parented): the backend in this process refuses to stop its own descendants.
 */
function orphanIgnoringSigterm(): number {
  const program = join(__dirname, '../../fixtures/programs/idle-process.js')
  const pid = Number(execFileSync('bash', ['-c', `"${process.execPath}" "${program}" ignore-sigterm > /dev/null 2>&1 < /dev/null & echo $!`], { encoding: 'utf8' }).trim())
  orphans.push(pid)
  return pid
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(async () => {
  await backend?.dispose()
  backend = null
  for (const connection of connections.splice(0)) await connection.close()
  for (const pid of orphans.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
})

describe('useActionsStore', () => {
  it("with actions off, the row actions are shown disabled with the host's reason and nothing is proposed", async () => {
    const actions = await useBackend({ systemActions: { actions: 'deny', howToAllow: 'Start it with --allow-actions.' } })
    const { row } = await connectionRow()
    const close = socketRowActions.find((action) => action.id === 'close-connection')!
    expect(close.appliesTo(row)).toBe(true)
    expect(close.unavailable?.(row)).toBe('Start it with --allow-actions.')
    await actions.proposeClose(row)
    expect(actions.pending).toBeNull()
    expect(actions.log).toEqual([])
  })

  it('asks in the page, naming the connection and its process; cancel sends nothing, confirm closes it', async () => {
    const actions = await useBackend({ systemActions: { actions: 'allow' } })
    const { connection, row } = await connectionRow()
    expect(socketRowActions.find((action) => action.id === 'close-connection')!.unavailable?.(row)).toBeNull()

    await actions.proposeClose(row)
    expect(actions.pending?.subject).toEqual({
      action: 'close-connection',
      target: `tcp 127.0.0.1:${connection.clientPort} → 127.0.0.1:${connection.serverPort} of node (${process.pid})`,
      process: `node (${process.pid})`
    })
    actions.cancel()
    expect(actions.pending).toBeNull()
    expect(await backend!.handle('actions/log', {})).toEqual({ ok: true, value: [] })

    await actions.proposeClose(row)
    await actions.confirm()
    expect(actions.log).toHaveLength(1)
    expect(actions.log[0]).toMatchObject({ action: 'close-connection', actor: 'in-process' })
    expect(actions.notice).toMatchObject({ action: 'close-connection' })
    // Root closes it; anyone else is told CAP_NET_ADMIN is missing.
    expect(actions.notice?.message).toBe(process.getuid?.() === 0 ? 'closed; the peer was sent a reset' : 'closing a connection needs CAP_NET_ADMIN (run sockscope as root)')
  })

  it('where the host confirms natively, sends at once; SIGTERM ignored leads to a SIGKILL the host confirms again', async () => {
    const questions: SystemActionQuestion[] = []
    const actions = await useBackend({ systemActions: { actions: 'ask', ask: async (question) => (questions.push(question), true) } })
    const pid = orphanIgnoringSigterm()
    await waitFor(() => backend!.sockets.current().sockets.some((socket) => socket.pid === pid && socket.state === 'LISTEN'), 10_000, "the orphan's listener")

    await actions.proposeStop(pid, 'node')
    expect(actions.pending).toBeNull()
    expect(questions.map((question) => [question.action, question.target])).toEqual([
      ['stop-process', `node (${pid})`],
      ['kill-process', `node (${pid})`]
    ])
    expect(actions.log.map((entry) => [entry.action, entry.outcome])).toEqual([
      ['kill-process', 'done'],
      ['stop-process', 'still-running']
    ])
    expect(actions.notice).toMatchObject({ action: 'kill-process', outcome: 'done', message: 'killed with SIGKILL' })
  })

  it('in the page, a stop that SIGTERM did not end offers SIGKILL with the reason', async () => {
    const actions = await useBackend({ systemActions: { actions: 'allow' } })
    const pid = orphanIgnoringSigterm()
    await waitFor(() => backend!.sockets.current().sockets.some((socket) => socket.pid === pid), 10_000, 'the orphan in the table')
    await actions.proposeStop(pid, 'node')
    expect(actions.pending?.subject.action).toBe('stop-process')
    await actions.confirm()
    expect(actions.pending).toMatchObject({
      subject: { action: 'kill-process', target: `node (${pid})` },
      reason: 'still running 3 s after SIGTERM; it can be forced with SIGKILL'
    })
    actions.cancel()
    expect(actions.log.map((entry) => entry.outcome)).toEqual(['still-running'])
  })
})
