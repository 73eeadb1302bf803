/**
 * The events domain behind the backend, on real loopback connections: closed connections reach
 * `events/recent` and the `events/closed` push with their final bytes, and a burst of short
 * connections to one port becomes a `connection-churn` finding.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import type { ClosedConnectionsUpdate } from '../../../../shared/model/closed-connection'
import type { FindingsState } from '../../../../shared/model/finding'
import { openKnownConnection } from '../../../support/netlink/loopback-connection'
import { waitFor } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

const CHURN_PROGRAM = join(__dirname, '../../../fixtures/programs/connection-churn.js')

async function ask<T>(backend: Backend, channel: string, args: unknown = {}): Promise<T> {
  const answer = await backend.handle(channel, args)
  if (!answer.ok) throw new Error(answer.error.message)
  return answer.value as T
}

describe.skipIf(process.platform !== 'linux')('the events module behind the backend', () => {
  let backend: Backend | null = null
  afterEach(async () => {
    await backend?.dispose()
    backend = null
  })

  it('keeps and pushes closed connections with their final bytes', async () => {
    backend = createBackend({ resolveNames: false, intervalMs: 500 })
    const pushed: ClosedConnectionsUpdate[] = []
    backend.subscribe((event, payload) => {
      if (event === 'events/closed') pushed.push(payload as ClosedConnectionsUpdate)
    })
    const connection = await openKnownConnection(30, 70)
    await connection.close()
    const ours = (update: ClosedConnectionsUpdate) =>
      update.connections.filter((closed) => closed.localPort === connection.clientPort && closed.remotePort === connection.serverPort)
    await waitFor(() => pushed.some((update) => ours(update).length > 0), 10_000, 'the push')
    const recent = await ask<ClosedConnectionsUpdate>(backend, 'events/recent')
    expect(ours(recent)).toHaveLength(1)
    expect(elementAt(ours(recent), 0).tcpInfo).toMatchObject({ bytesSent: 30 })
    expect(recent.status).toMatchObject({ available: true, capacity: 10_000, unavailableReason: null })
    expect(recent.status.receiveBufferBytes).toBeGreaterThan(0)
    expect(await backend.handle('events/recent', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
  })

  it('raises a connection-churn finding for a burst of short connections to one port', async () => {
    backend = createBackend({ resolveNames: false, intervalMs: 250 })
    await ask(backend, 'leaks/update-settings', { raiseAfterSeconds: 0, churnMinimumShortLivedPerMinute: 100 })
    // 300 connections over 3 s: the polls see the listener early, so its clients' ends are told
    // from the server's whichever of the two ephemeral ports is lower.
    const churn = spawn(process.execPath, [CHURN_PROGRAM, '300', '100'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const port = await new Promise<number>((resolve) =>
      churn.stdout.once('data', (data: Buffer) => resolve((JSON.parse(elementAt(data.toString().split('\n'), 0)) as { port: number }).port))
    )
    await new Promise((resolve) => churn.once('exit', resolve))
    const finding = async () => (await ask<FindingsState>(backend!, 'leaks/findings')).active.find((candidate) => candidate.id === `connection-churn:127.0.0.1:${port}`)
    await waitFor(async () => (await finding()) !== undefined, 20_000, 'the churn finding')
    expect((await finding())!.evidence.numbers.shortLived).toBeGreaterThanOrEqual(100)
  }, 45_000)
})
