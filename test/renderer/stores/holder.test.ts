// @vitest-environment happy-dom
/** The holder store against a real backend: the form holds real connections, the policy decides about other machines. */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { useHolderStore } from '../../../renderer/src/stores/holder'
import { setBackendClient } from '../../../renderer/src/transport'
import { ALLOW_REMOTE_TARGETS_HINT, servePolicy } from '../../../electron/cli/commands/serve'
import { createInProcessClient } from '../../support/in-process-client'
import { startTcpServer, type LoopbackTcpServer } from '../../support/loopback-servers'
import { waitFor } from '../../support/wait-for'

let backend: Backend
let server: LoopbackTcpServer | null = null

function useBackend(created: Backend): void {
  backend = created
  setBackendClient(createInProcessClient(backend))
}

beforeEach(() => {
  setActivePinia(createPinia())
  useBackend(createBackend({ autoStart: false, resolveNames: false }))
})
afterEach(async () => {
  await backend.dispose()
  await server?.close()
  server = null
})

describe('useHolderStore', () => {
  it("holds the form's connections, follows pushed status and releases them", async () => {
    server = await startTcpServer()
    const holder = useHolderStore()
    await holder.start()
    holder.form.target = `127.0.0.1:${server.port}`
    holder.form.count = '3'
    await holder.openHolder()
    expect(holder.formError).toBeNull()
    await waitFor(() => holder.status?.totalOpen === 3, 5_000, 'three held connections in the pushed status')
    await waitFor(() => server!.accepted.length === 3, 5_000, 'the server to accept three connections')
    await holder.releaseHolder()
    expect(holder.status?.groups).toEqual([])
  })

  it('says why another machine is refused, without offering a confirmation that cannot help', async () => {
    await backend.dispose()
    useBackend(createBackend({ autoStart: false, resolveNames: false, actionPolicy: servePolicy(false) }))
    const holder = useHolderStore()
    await holder.start()
    holder.form.target = '192.0.2.1:80'
    holder.form.count = '1'
    holder.form.allowNonLoopback = true
    await holder.openHolder()
    expect(holder.needsConfirmation).toBe(false)
    expect(holder.formError).toContain(ALLOW_REMOTE_TARGETS_HINT)
    expect(holder.status?.groups).toEqual([])
  })

  it('asks for confirmation before holding connections to another machine where the policy allows them', async () => {
    await backend.dispose()
    useBackend(createBackend({ autoStart: false, resolveNames: false, actionPolicy: servePolicy(true) }))
    const holder = useHolderStore()
    holder.form.target = '192.0.2.1:80'
    holder.form.count = '1'
    await holder.openHolder()
    expect(holder.needsConfirmation).toBe(true)
    expect(holder.formError).toContain('not a loopback address')
  })
})
