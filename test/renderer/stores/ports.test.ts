// @vitest-environment happy-dom
/**
 * The ports store against a real backend and real loopback listeners: "Who holds this port"
 * shows the port helper with the report, "Tell me when it is free" ends in a notice once the test
 * closes the listener, and a port another page watches gives this page no notice.
 */
import { createServer, type Server } from 'node:net'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { usePortsStore } from '../../../renderer/src/stores/ports'
import { useLayoutStore } from '../../../renderer/src/stores/layout'
import { socketRowActions } from '../../../renderer/src/row-actions'
import { setBackendClient } from '../../../renderer/src/transport'
import { createInProcessClient } from '../../support/in-process-client'
import { waitFor } from '../../support/wait-for'

let backend: Backend
const servers: Server[] = []

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer()
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as { port: number }).port }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

beforeEach(() => {
  setActivePinia(createPinia())
  backend = createBackend({ resolveNames: false, intervalMs: 200 })
  setBackendClient(createInProcessClient(backend))
})
afterEach(async () => {
  await backend.dispose()
  await Promise.all(servers.splice(0).map((server) => (server.listening ? close(server) : Promise.resolve())))
})

describe('usePortsStore', () => {
  it('opens the helper from a socket row, watches the port, and says when it is free', async () => {
    const { server, port } = await listen()
    await backend.sockets.ready()
    const row = backend.sockets.current().sockets.find((socket) => socket.state === 'LISTEN' && socket.localPort === port && socket.protocol === 'tcp')
    expect(row, 'the listener in the table').toBeDefined()
    const action = socketRowActions.find((candidate) => candidate.id === 'port-holders')
    expect(action?.appliesTo(row!)).toBe(true)
    action?.run(row!)

    const ports = usePortsStore()
    expect(useLayoutStore().activeView).toBe('ports')
    await waitFor(() => ports.report !== null, 10_000, 'the report')
    expect(ports.report).toMatchObject({ port, protocol: 'tcp', verdict: 'listening', free: false })
    expect(ports.report?.holders[0]).toMatchObject({ role: 'listener', pid: process.pid })

    await ports.watch()
    expect(ports.isWatching(port, 'tcp')).toBe(true)
    expect(ports.freed).toEqual([])
    await close(server)
    await waitFor(() => ports.freed.length > 0, 10_000, 'the free notice')
    expect(ports.freed[0]).toMatchObject({ port, protocol: 'tcp' })
    expect(ports.isWatching(port, 'tcp')).toBe(false)
    await waitFor(() => ports.report?.free === true, 10_000, 'the report to say free')
  })

  it('ignores a port another page watches', async () => {
    const { server, port } = await listen()
    const ports = usePortsStore()
    ports.start()
    const answer = await backend.handle('ports/watch', { port })
    expect(answer.ok && (answer.value as { verdict: string }).verdict).toBe('listening')
    await close(server)
    await waitFor(
      async () => {
        const watched = await backend.handle('ports/watched', {})
        return watched.ok && (watched.value as unknown[]).length === 0
      },
      10_000,
      'the other watch to end'
    )
    expect(ports.freed).toEqual([])
  })
})
