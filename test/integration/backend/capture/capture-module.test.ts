import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import type { CaptureInterfaceList, CaptureStatus, CaptureTick } from '../../../../shared/model/live-capture'
import type { PacketListPage } from '../../../../shared/model/capture-view'
import { hasTool } from '../../../support/capture/wireshark-tools'
import { childProcessesMatching, peakChildProcesses } from '../../../support/child-processes'
import { runningAsRoot } from './live-traffic'
import { waitFor } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

describe.skipIf(!runningAsRoot || !hasTool('tcpdump'))('capture domain', () => {
  let backend: Backend
  let dataDirectory: string
  let server: Server
  let port: number
  const ticks: CaptureTick[] = []
  const statuses: CaptureStatus[] = []

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'sockscope-capture-module-'))
    backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory })
    backend.subscribe((event, payload) => {
      if (event === 'capture/tick') ticks.push(payload as CaptureTick)
      if (event === 'capture/status') statuses.push(payload as CaptureStatus)
    })
    server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as { port: number }).port
  })

  afterAll(async () => {
    await backend.dispose()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(dataDirectory, { recursive: true, force: true })
  })

  it('lists interfaces and says capture is allowed', async () => {
    const answer = await backend.handle('capture/interfaces', {})
    expect(answer.ok).toBe(true)
    const list = (answer as { value: CaptureInterfaceList }).value
    expect(list.captureAllowed).toBe(true)
    expect(list.advice).toBeNull()
    expect(list.interfaces.find((device) => device.name === 'lo')?.linkType).toBe(1)
  })

  it("checks filters with libpcap's own words", async () => {
    expect(await backend.handle('capture/check-filter', { interface: 'lo', filter: `tcp port ${port}` })).toEqual({ ok: true, value: { ok: true, linkType: 1 } })
    const bad = await backend.handle('capture/check-filter', { interface: 'lo', filter: 'tcp and and' })
    expect(bad).toMatchObject({ ok: true, value: { ok: false } })
    expect((bad as { value: { message: string } }).value.message).toContain('syntax error')
  })

  it('refuses a bad filter, a missing interface and bad arguments with codes a client can act on', async () => {
    const badFilter = await backend.handle('capture/start', { interface: 'lo', filter: 'port notaport' })
    expect(badFilter).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
    expect(JSON.stringify(badFilter)).toContain("unknown port 'notaport'")
    expect(await backend.handle('capture/start', { interface: 'sockscope-none0' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect(await backend.handle('capture/start', { interface: 'lo', snaplen: -1 })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
    expect(await backend.handle('capture/status', {})).toMatchObject({ ok: true, value: { state: 'idle' } })
  })

  it('captures, attributes the traffic to this process, and pushes batched ticks', async () => {
    const started = await backend.handle('capture/start', { interface: 'lo', filter: `tcp port ${port}` })
    expect(started).toMatchObject({ ok: true, value: { state: 'running', opened: { interface: 'lo', linkType: 1 } } })
    expect(await backend.handle('capture/start', { interface: 'lo' })).toMatchObject({ ok: false, error: { code: 'busy' } })

    const client = connect(port, '127.0.0.1')
    await once(client, 'connect')
    const clientPort = client.localPort as number
    for (let round = 0; round < 5; round++) {
      client.write(Buffer.alloc(1000, 1))
      await once(client, 'data')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await waitFor(() => ticks.some((tick) => tick.processes.some((traffic) => traffic.pid === process.pid)), 5000, 'traffic attributed to this process')
    client.end()
    await once(client, 'close')

    const page = await backend.handle('capture/packet-page', { start: 0, count: 100 })
    expect(page.ok).toBe(true)
    const rows = (page as { value: PacketListPage }).value.rows
    expect(rows.length).toBeGreaterThan(5)
    expect(elementAt(rows, 0).index).toBe(0)
    expect(rows.every((row) => row.transport === 'tcp')).toBe(true)
    expect(rows.filter((row) => row.sourcePort === clientPort).every((row) => row.pid === process.pid && row.direction === 'sent')).toBe(true)

    const stopped = await backend.handle('capture/stop', {})
    expect(stopped).toMatchObject({ ok: true, value: { state: 'ended', end: { reason: 'stopped' } } })
    const final = elementAt(ticks, ticks.length - 1)
    expect(final.final).toBe(true)
    expect(final.counters.packets).toBe((stopped as { value: CaptureStatus }).value.counters?.packets)
    expect(ticks.reduce((total, tick) => total + tick.newPackets, 0)).toBe(final.counters.packets)
    expect(ticks.length).toBeLessThan(final.counters.packets)
    const ours = ticks
      .flatMap((tick) => tick.connections)
      .filter((connection) => connection.pid === process.pid && connection.localPort === clientPort && connection.remotePort === port)
    // Five writes of 1000 bytes, plus headers, all sent by this process's client socket.
    expect(ours.reduce((total, connection) => total + connection.bytesSent, 0)).toBeGreaterThan(5000)
    expect(statuses.map((status) => status.state)).toEqual(expect.arrayContaining(['starting', 'running', 'ended']))
  })

  it('takes no ring or spill settings: every packet goes to the shown capture, its bytes to one private file', async () => {
    const withRing = await backend.handle('capture/start', { interface: 'lo', filter: `tcp port ${port}`, ring: { maxPackets: 5 } })
    expect(withRing).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
    expect(statuses.at(-1)?.state).not.toBe('running')

    const started = (await backend.handle('capture/start', { interface: 'lo', filter: `tcp port ${port}` })) as { ok: true; value: CaptureStatus }
    expect(started).toMatchObject({ ok: true, value: { state: 'running' } })
    expect(Object.keys(started.value.settings!).sort()).toEqual(['bufferSize', 'filter', 'interface', 'limits', 'promiscuous', 'snaplen'])
    const client = connect(port, '127.0.0.1')
    await once(client, 'connect')
    for (let round = 0; round < 5; round++) {
      client.write(Buffer.alloc(500, 2))
      await once(client, 'data')
    }
    client.end()
    await once(client, 'close')
    const captured = async () => ((await backend.handle('capture/status', {})) as { ok: true; value: CaptureStatus }).value.counters?.packets ?? 0
    let seen = 0
    await waitFor(async () => (seen = await captured()) >= 10, 5000, 'the exchange to be captured')
    const stopped = (await backend.handle('capture/stop', {})) as { ok: true; value: CaptureStatus }
    const counters = stopped.value.counters!
    expect(Object.keys(counters).sort()).toEqual(['bytes', 'packets'])
    expect(counters.packets).toBeGreaterThanOrEqual(seen)
    const page = (await backend.handle('capture/packet-page', { start: 0, count: 1000 })) as { ok: true; value: PacketListPage }
    expect(page.value.total).toBe(counters.packets)
    expect(page.value.rows.reduce((sum, row) => sum + row.length, 0)).toBe(counters.bytes)
    // One file in the backend's private temporary folder holds the bytes: no spill file beside it.
    const folders = (await readdir(dataDirectory)).filter((name) => name.startsWith(`temporary-${process.pid}-`))
    expect(folders).toHaveLength(1)
    expect(await readdir(join(dataDirectory, elementAt(folders, 0)))).toHaveLength(1)
    expect((await readdir(dataDirectory, { recursive: true })).filter((name) => name.endsWith('.pcapng') || name.endsWith('.pcap'))).toEqual([])
  })

  it('lets only one of two simultaneous starts through, with one helper running', async () => {
    const helpers = (): Promise<number[]> => childProcessesMatching('capture-helper')
    expect(await helpers()).toEqual([])
    const results = await Promise.all([
      backend.handle('capture/start', { interface: 'lo', filter: `tcp port ${port}` }),
      backend.handle('capture/start', { interface: 'lo', filter: `tcp port ${port}` })
    ])
    expect(results.filter((result) => result.ok)).toHaveLength(1)
    expect(results.filter((result) => !result.ok)).toMatchObject([{ ok: false, error: { code: 'busy' } }])
    expect(await helpers()).toHaveLength(1)
    expect(await backend.handle('capture/stop', {})).toMatchObject({ ok: true, value: { state: 'ended' } })
    await waitFor(async () => (await helpers()).length === 0, 5000, 'the helper to exit')
  })

  it('runs at most two capture helpers at once however many filter checks come in together', async () => {
    // Each check starts a privileged helper process; ten at once from one client must not mean ten processes.
    expect(await childProcessesMatching('capture-helper')).toEqual([])
    const { result: answers, peak } = await peakChildProcesses('capture-helper', () =>
      Promise.all(Array.from({ length: 10 }, (_, offset) => backend.handle('capture/check-filter', { interface: 'lo', filter: `udp port ${port + offset}` })))
    )
    expect(peak).toBe(2)
    // Eight wait their turn; on a loaded machine a wait may run out, which is said in words.
    const answered = answers.filter((answer) => answer.ok)
    const refused = answers.filter((answer) => !answer.ok)
    expect(answered.length).toBeGreaterThanOrEqual(2)
    expect(answered).toEqual(answered.map(() => ({ ok: true, value: { ok: true, linkType: 1 } })))
    for (const answer of refused) expect(answer).toMatchObject({ ok: false, error: { code: 'busy', message: expect.stringMatching(/capture helper .*busy.*try again/) } })
    await waitFor(async () => (await childProcessesMatching('capture-helper')).length === 0, 5000, 'every helper to exit')
  })
})
