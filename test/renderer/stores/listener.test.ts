// @vitest-environment happy-dom
/** The listener store against a real backend: the form starts a real listener, pushed updates follow its peers. */
import { connect } from 'node:net'
import { once } from 'node:events'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { useListenerStore } from '../../../renderer/src/stores/listener'
import { setBackendClient } from '../../../renderer/src/transport'
import { createInProcessClient } from '../../support/in-process-client'
import { waitFor } from '../../support/wait-for'
import { elementAt } from '../../../shared/element-at'

let backend: Backend

beforeEach(() => {
  setActivePinia(createPinia())
  backend = createBackend({ autoStart: false, resolveNames: false })
  setBackendClient(createInProcessClient(backend))
})
afterEach(async () => {
  await backend.dispose()
})

describe('useListenerStore', () => {
  it('starts a listener from the form, follows its peers from pushed updates and stops it', async () => {
    const listeners = useListenerStore()
    await listeners.start()
    listeners.form.port = '0'
    await listeners.startListener()
    expect(listeners.formError).toBeNull()
    expect(listeners.listeners).toHaveLength(1)
    const started = elementAt(listeners.listeners, 0)
    expect(started.port).toBeGreaterThan(0)

    const client = connect(started.port, '127.0.0.1')
    await once(client, 'connect')
    client.write('hello')
    await waitFor(() => listeners.listeners[0]?.bytesIn === 5, 5_000, 'the pushed update with the bytes the listener received')
    expect(listeners.listeners[0]?.peers[0]).toMatchObject({ remoteAddress: '127.0.0.1', remotePort: client.localPort, connected: true })
    client.destroy()

    await listeners.stopListener(started.id)
    expect(listeners.listeners).toEqual([])
  })

  it('shows invalid input under the form without starting anything', async () => {
    const listeners = useListenerStore()
    listeners.form.port = '70000'
    await listeners.startListener()
    expect(listeners.formError).toContain('port')
    expect(await backend.handle('listener/list', {})).toEqual({ ok: true, value: [] })
  })

  it('reads the listeners already running when it starts', async () => {
    const answer = await backend.handle('listener/start', { protocol: 'udp', port: 0, mode: 'discard' })
    expect(answer.ok).toBe(true)
    const listeners = useListenerStore()
    await listeners.start()
    expect(listeners.listeners.map((listener) => listener.protocol)).toEqual(['udp'])
  })
})
