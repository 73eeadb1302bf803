// @vitest-environment happy-dom
/** The probe store against a real backend: forms become requests, results land in the history, samples fill the chart data. */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import { emptySocketEntry, type SocketEntry } from '../../../shared/model/socket'
import { useProbeStore } from '../../../renderer/src/stores/probe'
import { useHolderStore } from '../../../renderer/src/stores/holder'
import { useLayoutStore } from '../../../renderer/src/stores/layout'
import { socketRowActions } from '../../../renderer/src/row-actions'
import { setBackendClient } from '../../../renderer/src/transport'
import { createInProcessClient } from '../../support/in-process-client'
import { closedTcpPort, startTcpServer, type LoopbackTcpServer } from '../../support/loopback-servers'
import { waitFor } from '../../support/wait-for'
import { elementAt } from '../../../shared/element-at'

let backend: Backend
let server: LoopbackTcpServer | null = null

beforeEach(() => {
  setActivePinia(createPinia())
  backend = createBackend({ autoStart: false, resolveNames: false })
  setBackendClient(createInProcessClient(backend))
})
afterEach(async () => {
  await backend.dispose()
  await server?.close()
  server = null
})

describe('useProbeStore', () => {
  it('runs the TCP form and records the result in the history', async () => {
    server = await startTcpServer()
    const probe = useProbeStore()
    await probe.start()
    probe.forms.tcp.target = `127.0.0.1:${server.port}`
    const result = await probe.runTcp()
    expect(result?.ok).toBe(true)
    expect(probe.history).toHaveLength(1)
    expect(probe.selectedEntry?.kind).toBe('tcp')
    expect(probe.formErrors.tcp).toBeNull()
    expect(JSON.parse(probe.entryJson(elementAt(probe.history, 0)))).toMatchObject({ kind: 'tcp', ok: true, port: server.port })
  })

  it('shows invalid input under the form without calling the backend', async () => {
    const probe = useProbeStore()
    probe.forms.tcp.target = '::1:80'
    expect(await probe.runTcp()).toBeNull()
    expect(probe.formErrors.tcp).toContain('brackets')
    probe.forms.tcp.target = '127.0.0.1:80'
    probe.forms.tcp.send = true
    probe.forms.tcp.payload.encoding = 'hex'
    probe.forms.tcp.payload.value = 'xyz'
    expect(await probe.runTcp()).toBeNull()
    expect(probe.formErrors.tcp).toContain('not a hex digit')
    expect(probe.history).toHaveLength(0)
  })

  it('records failures with their kind', async () => {
    const port = await closedTcpPort()
    const probe = useProbeStore()
    probe.forms.tcp.target = `127.0.0.1:${port}`
    const result = await probe.runTcp()
    expect(result?.error?.kind).toBe('refused')
    expect(elementAt(probe.history, 0).ok).toBe(false)
  })

  it('fills the chart data from pushed samples and files the run in the history when it ends', async () => {
    server = await startTcpServer()
    const probe = useProbeStore()
    await probe.start()
    probe.forms.repeat.target = `127.0.0.1:${server.port}`
    probe.forms.repeat.count = '5'
    probe.forms.repeat.intervalMs = '20'
    await probe.startRepeat()
    expect(probe.repeatRunning).toBe(true)
    await waitFor(() => !probe.repeatRunning)
    expect(probe.latencyPoints).toHaveLength(5)
    expect(probe.repeatStatistics).toMatchObject({ sent: 5, received: 5 })
    expect(probe.history[0]).toMatchObject({ kind: 'repeat', ok: true })
  })

  it('offers "probe this remote" and "probe this listener" on socket rows that fit', () => {
    const base: SocketEntry = {
      ...emptySocketEntry('tcp', 4),
      id: 'x',
      localAddress: '0.0.0.0',
      localPort: 8080,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTEN',
      inode: 1,
      uid: 0,
      pid: 1,
      ownerVisibility: 'known'
    }
    const connected: SocketEntry = { ...base, localPort: 50000, remoteAddress: '::1', remotePort: 443, family: 6, localAddress: '::1', state: 'ESTABLISHED' }
    const action = (id: string) => socketRowActions.find((candidate) => candidate.id === id)!
    expect(action('probe-listener').appliesTo(base)).toBe(true)
    expect(action('probe-remote').appliesTo(base)).toBe(false)
    expect(action('probe-remote').appliesTo(connected)).toBe(true)
    expect(action('probe-listener').appliesTo(connected)).toBe(false)

    const probe = useProbeStore()
    action('probe-listener').run(base)
    expect(probe.forms.tcp.target).toBe('127.0.0.1:8080')
    expect(useLayoutStore().activeView).toBe('probe')
    action('probe-remote').run(connected)
    expect(probe.forms.tls.target).toBe('[::1]:443')
    // The Holder tab's form lives in its own store and is filled too.
    expect(useHolderStore().form.target).toBe('[::1]:443')
  })
})
