// @vitest-environment happy-dom
/**
 * The Exposure view and the Processes tab's cards on a real backend whose socket table is made up:
 * what they show per listener and per process, that TLS is probed only when the user ticks it for
 * a run, and that a reason given in the view is saved and clears the warning.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../electron/backend/backend'
import type { SocketProvider } from '../../../electron/backend/platform/platform'
import ExposureView from '../../../renderer/src/views/ExposureView.vue'
import ProcessExposureCards from '../../../renderer/src/components/exposure/ProcessExposureCards.vue'
import { useAuditStore } from '../../../renderer/src/stores/audit'
import { useLayoutStore } from '../../../renderer/src/stores/layout'
import { setBackendClient } from '../../../renderer/src/transport'
import { createInProcessClient } from '../../support/in-process-client'
import { buildSocket } from '../../support/socket-builder'
import { startTcpServer, type LoopbackTcpServer } from '../../support/loopback-servers'
import { waitFor } from '../../support/wait-for'

const HOME = 4026531840
let backend: Backend
let folder = ''
let server: LoopbackTcpServer
const requests: Array<{ channel: string; args: unknown }> = []

beforeEach(async () => {
  setActivePinia(createPinia())
  folder = await mkdtemp(join(tmpdir(), 'sockscope-exposure-view-'))
  server = await startTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')))
  const provider: SocketProvider = {
    platform: 'linux',
    reader: { kind: 'test', note: null, homeNetns: HOME },
    read: async () => ({
      sockets: [
        buildSocket({ netns: HOME, localAddress: '0.0.0.0', localPort: server.port, pid: 11, process: 'devserver', inode: 1 }),
        buildSocket({ netns: HOME, localAddress: '0.0.0.0', localPort: 6379, pid: 12, process: 'redis-server', inode: 2 }),
        buildSocket({ netns: HOME, localAddress: '127.0.0.1', localPort: 5432, pid: 13, process: 'postgres', inode: 3 })
      ],
      issues: [],
      partialOwnership: false
    })
  }
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: folder, provider })
  const client = createInProcessClient(backend)
  setBackendClient({
    ...client,
    request: (channel, args) => {
      requests.push({ channel, args })
      return client.request(channel, args)
    }
  } as typeof client)
  requests.length = 0
})

afterEach(async () => {
  await backend.dispose()
  await server.close()
  await rm(folder, { recursive: true, force: true })
})

const rowFor = (view: ReturnType<typeof mount>, port: number) => view.get(`[data-testid="exposure-listener"][data-port="${port}"]`)

describe('ExposureView', () => {
  it('audits when it opens, without probing, and shows reach, holder, service and warnings', async () => {
    const view = mount(ExposureView)
    await waitFor(() => useAuditStore().report !== null)
    await flushPromises()
    expect(requests.filter((request) => request.channel === 'audit/run').map((request) => request.args)).toEqual([{ probeTls: false }])
    expect(view.get('[data-testid="audit-summary"]').text()).toBe('3 listeners, 2 reachable beyond loopback, 2 warnings')
    const redis = rowFor(view, 6379)
    expect(redis.attributes('data-reach')).toBe('all')
    expect(redis.text()).toContain('Redis')
    expect(redis.text()).toContain('redis-server (12)')
    expect(redis.get('[data-testid="exposure-warning"]').text()).toContain('Redis on tcp 0.0.0.0:6379 (redis-server pid 12) is reachable from every network interface')
    expect(rowFor(view, 5432).findAll('[data-testid="exposure-warning"]')).toHaveLength(0)
    expect(rowFor(view, 5432).find('[data-testid="reason-edit"]').exists()).toBe(false)
    expect(server.accepted).toHaveLength(0)
  })

  it('probes TLS only in a run the user ticked it for', async () => {
    const view = mount(ExposureView)
    await waitFor(() => useAuditStore().report !== null)
    await view.get('[data-testid="audit-probe-tls"]').setValue(true)
    await view.get('[data-testid="audit-run"]').trigger('click')
    await waitFor(() => useAuditStore().report?.probedTls === true)
    await flushPromises()
    expect(requests.filter((request) => request.channel === 'audit/run').map((request) => request.args)).toEqual([{ probeTls: false }, { probeTls: true }])
    expect(rowFor(view, server.port).get('[data-testid="exposure-tls"]').text()).toBe('cleartext')
    expect(server.accepted).toHaveLength(1)
  })

  it('saves a reason for an exposed listener, which clears its warning', async () => {
    const view = mount(ExposureView)
    await waitFor(() => useAuditStore().report !== null)
    await flushPromises()
    await rowFor(view, server.port).get('[data-testid="reason-edit"]').trigger('click')
    await rowFor(view, server.port).get('[data-testid="reason-input"]').setValue('shared with the team')
    await rowFor(view, server.port).get('form').trigger('submit')
    await waitFor(() => useAuditStore().listeners.some((listener) => listener.reason === 'shared with the team'))
    await flushPromises()
    expect(rowFor(view, server.port).text()).toContain('shared with the team')
    expect(rowFor(view, server.port).findAll('[data-testid="exposure-warning"]')).toHaveLength(0)
    expect(await backend.handle('audit/reasons', {})).toEqual({ ok: true, value: [{ protocol: 'tcp', port: server.port, process: 'devserver', reason: 'shared with the team' }] })
  })
})

describe('ProcessExposureCards', () => {
  it('shows one card per listening process, the exposed first, and leads to the Exposure view', async () => {
    const cards = mount(ProcessExposureCards)
    await waitFor(() => useAuditStore().report !== null)
    await flushPromises()
    const shown = cards.findAll('[data-testid="process-exposure-card"]')
    expect(shown.map((card) => card.attributes('data-pid'))).toEqual(['11', '12', '13'])
    expect(shown[0]?.text()).toContain('1 of 1 reachable beyond loopback')
    expect(cards.get('[data-pid="13"]').text()).toContain('loopback only')
    expect(cards.get('[data-pid="12"]').text()).toContain('tcp 0.0.0.0:6379 · every interface · Redis')
    await cards.get('button').trigger('click')
    expect(useLayoutStore().activeView).toBe('exposure')
  })
})
