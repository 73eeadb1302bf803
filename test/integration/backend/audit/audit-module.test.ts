/*
 * The audit domain through the backend's own request entry. Its socket table is made up (so the
 * TLS check can reach nothing but the loopback server this test starts), its probe and its data
 * folder are real: the check is bounded per backend, and reasons are saved and read back.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend'
import type { SocketProvider } from '../../../../electron/backend/platform/platform'
import type { SocketEntry } from '../../../../shared/model/socket'
import { ask, refusal } from '../../../support/backend-requests'
import { startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { buildSocket } from '../../../support/socket-builder'

const HOME = 4026531840

function tableProvider(sockets: () => SocketEntry[]): SocketProvider {
  return {
    platform: 'linux',
    reader: { kind: 'test', note: null, homeNetns: HOME },
    read: async () => ({ sockets: sockets(), issues: [], partialOwnership: false })
  }
}

let directory = ''
let backend: Backend
let server: LoopbackTcpServer

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-audit-module-'))
  server = await startTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')))
  const sockets = () => [buildSocket({ netns: HOME, localAddress: '0.0.0.0', localPort: server.port, pid: 5, process: 'web', inode: 1 })]
  backend = createBackend({ autoStart: false, resolveNames: false, dataDirectory: directory, provider: tableProvider(sockets) })
})

afterAll(async () => {
  await backend.dispose()
  await server.close()
  await rm(directory, { recursive: true, force: true })
})

describe('audit module', () => {
  it('audits without probing unless asked, then probes once and refuses a second run straight after', async () => {
    const plain = await ask(backend, 'audit/run', {})
    expect(plain.probedTls).toBe(false)
    expect(plain.listeners).toEqual([expect.objectContaining({ localPort: server.port, reach: 'all', tls: null, tlsVerdict: null })])
    expect(server.accepted).toHaveLength(0)

    const probed = await ask(backend, 'audit/run', { probeTls: true })
    expect(probed.listeners).toEqual([expect.objectContaining({ tls: { speaksTls: false, version: null, subject: null, daysLeft: null }, tlsVerdict: 'cleartext' })])
    expect(server.accepted).toHaveLength(1)

    const again = await refusal(backend, 'audit/run', { probeTls: true })
    expect(again.code).toBe('busy')
    expect(again.message).toMatch(/^The listeners were probed for TLS moments ago; try again in (10|9) s\.$/)
    expect(server.accepted).toHaveLength(1)
    // Without the probe, a run is never held back.
    expect((await ask(backend, 'audit/run', {})).listeners).toHaveLength(1)
  })

  it('saves a reason privately, applies it, takes it back, and refuses junk', async () => {
    const reasons = await ask(backend, 'audit/set-reason', { protocol: 'tcp', port: server.port, process: 'web', reason: '  shared with the LAN  ' })
    expect(reasons).toEqual([{ protocol: 'tcp', port: server.port, process: 'web', reason: 'shared with the LAN' }])
    const file = join(directory, 'exposure-reasons.json')
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(reasons)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await ask(backend, 'audit/run', {})).listeners).toEqual([expect.objectContaining({ reason: 'shared with the LAN', warnings: [] })])

    const next = createBackend({ autoStart: false, resolveNames: false, dataDirectory: directory, provider: tableProvider(() => []) })
    try {
      expect(await ask(next, 'audit/reasons', {})).toEqual(reasons)
    } finally {
      await next.dispose()
    }

    expect(await ask(backend, 'audit/set-reason', { protocol: 'tcp', port: server.port, process: 'web', reason: null })).toEqual([])
    expect((await refusal(backend, 'audit/set-reason', { protocol: 'tcp', port: 70000, process: null, reason: 'x' })).code).toBe('invalid-arguments')
    expect((await refusal(backend, 'audit/set-reason', { protocol: 'tcp', port: 80, process: null, reason: '   ' })).message).toBe('The reason must not be empty.')
    expect((await refusal(backend, 'audit/run', { probeTls: 'yes' })).code).toBe('invalid-arguments')
  })
})
