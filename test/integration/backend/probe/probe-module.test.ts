import { connect } from 'node:net'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import type { HeldConnectionGroup, RepeatedProbeSampleBatch, TcpProbeResult, TestListenerInfo } from '../../../../shared/model/probe'
import { startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { waitFor } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

describe('the probe module behind the backend', () => {
  let backend: Backend | null = null
  let server: LoopbackTcpServer | null = null
  afterEach(async () => {
    await backend?.dispose()
    await server?.close()
    backend = null
    server = null
  })

  it('runs a TCP probe through the contract and refuses unknown keys', async () => {
    backend = createBackend({ autoStart: false, resolveNames: false })
    server = await startTcpServer()
    const answer = await backend.handle('probe/tcp', { host: '127.0.0.1', port: server.port })
    expect(answer.ok).toBe(true)
    if (answer.ok) expect(elementAt((answer.value as TcpProbeResult).attempts, 0).connected).toBe(true)
    const unknownKey = await backend.handle('probe/tcp', { host: '127.0.0.1', port: server.port, extra: 1 })
    expect(unknownKey).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
    const badPort = await backend.handle('probe/tcp', { host: '127.0.0.1', port: 70000 })
    expect(badPort).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
  })

  it('pushes repeated-probe samples in batches and ends with the final figures', async () => {
    backend = createBackend({ autoStart: false, resolveNames: false })
    server = await startTcpServer()
    const batches: RepeatedProbeSampleBatch[] = []
    backend.subscribe((event, payload) => {
      if (event === 'probe/samples') batches.push(payload as RepeatedProbeSampleBatch)
    })
    const started = await backend.handle('probe/repeat-start', { host: '127.0.0.1', port: server.port, count: 6, intervalMs: 20 })
    if (!started.ok) throw new Error(started.error.message)
    await waitFor(() => batches.some((batch) => batch.endedBy !== null))
    const samples = batches.flatMap((batch) => batch.samples)
    expect(samples.map((sample) => sample.sequence)).toEqual([1, 2, 3, 4, 5, 6])
    expect(batches.at(-1)).toMatchObject({ endedBy: 'count', statistics: { sent: 6, received: 6 } })
    const list = await backend.handle('probe/repeat-list', {})
    expect(list.ok && (list.value as unknown[]).length).toBe(1)
  })

  it('stops a running repeated probe on request', async () => {
    backend = createBackend({ autoStart: false, resolveNames: false })
    server = await startTcpServer()
    const started = await backend.handle('probe/repeat-start', { host: '127.0.0.1', port: server.port, count: null, intervalMs: 50 })
    if (!started.ok) throw new Error(started.error.message)
    const runId = (started.value as { runId: string }).runId
    const stopped = await backend.handle('probe/repeat-stop', { runId })
    expect(stopped).toMatchObject({ ok: true, value: { runId, endedBy: 'stopped' } })
    expect(await backend.handle('probe/repeat-stop', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })

  it('closes listeners and held connections on dispose', async () => {
    backend = createBackend({ autoStart: false, resolveNames: false })
    const started = await backend.handle('listener/start', { protocol: 'tcp', port: 0, mode: 'echo' })
    if (!started.ok) throw new Error(started.error.message)
    const listener = started.value as TestListenerInfo
    const held = await backend.handle('holder/open', { host: '127.0.0.1', port: listener.port, count: 3 })
    if (!held.ok) throw new Error(held.error.message)
    expect((held.value as HeldConnectionGroup).requested).toBe(3)
    await waitFor(async () => {
      const list = await backend!.handle('listener/list', {})
      return list.ok && (list.value as TestListenerInfo[])[0]?.peers.filter((peer) => peer.connected).length === 3
    })
    const remote = await backend.handle('holder/open', { host: '192.0.2.1', port: 80, count: 1 })
    expect(remote).toMatchObject({ ok: false, error: { code: 'permission-denied' } })

    await backend.dispose()
    backend = null
    const client = connect(listener.port, '127.0.0.1')
    const [error] = (await once(client, 'error')) as [NodeJS.ErrnoException]
    expect(error.code).toBe('ECONNREFUSED')
  })

  it('reports a busy port as busy', async () => {
    backend = createBackend({ autoStart: false, resolveNames: false })
    server = await startTcpServer()
    const clash = await backend.handle('listener/start', { protocol: 'tcp', address: '127.0.0.1', port: server.port, mode: 'echo' })
    expect(clash).toMatchObject({ ok: false, error: { code: 'busy' } })
  })
})
