/**
 * The shown capture of a real live capture on lo: every packet of the capture is stored
 * and paged, attributed to this test's process, filtered in the backend (proc: and pid: too),
 * grouped into conversations, followed, and exported as pcapng with the process as each
 * packet's comment, which tshark reads back.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../../../electron/backend/backend'
import type { CaptureViewState, ConversationList, FollowedStream, PacketListPage } from '../../../../shared/model/capture-view'
import type { ExportChunk, ExportTicket } from '../../../../shared/model/capture-transfer'
import { openLoopbackPeers, runningAsRoot, sendDatagrams, tcpExchange, waitFor, type LoopbackPeers } from './live-traffic'
import { elementAt } from '../../../../shared/element-at'

const run = promisify(execFile)

describe.skipIf(!runningAsRoot)('capture view on a live capture', () => {
  let backend: Backend
  let directory: string
  let peers: LoopbackPeers
  let state: CaptureViewState | null = null

  async function call<T>(channel: string, args: unknown): Promise<T> {
    const result = await backend.handle(channel, args)
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
    return result.value as T
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sockscope-capture-view-'))
    backend = createBackend({ intervalMs: 200, resolveNames: false, dataDirectory: directory })
    backend.subscribe((event, payload) => {
      if (event === 'capture/view-state') state = payload as CaptureViewState
    })
    await backend.sockets.ready()
    peers = await openLoopbackPeers()
    await call('capture/start', { interface: 'lo', filter: `port ${peers.port}` })
    await tcpExchange(peers.port, [100, 200, 300])
    await sendDatagrams(peers.port, [10, 20, 30, 40])
    await waitFor(() => (state?.source?.packets ?? 0) >= 14, 10_000, 'the packets in the view')
    await call('capture/stop', {})
    await waitFor(() => state?.source?.state === 'ended', 10_000, 'the end of the capture')
    // The connection came and went between two socket-table reads; its flows are attributed
    // once the read that the first unknown packet asked for is done.
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      const page = await call<PacketListPage>('capture/packet-page', { start: 0, count: 1000 })
      if (page.rows.every((row) => row.process !== null)) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })

  afterAll(async () => {
    await peers?.close()
    await backend?.dispose()
    await rm(directory, { recursive: true, force: true })
  })

  it('stores every packet the capture counted and reads them in pages', async () => {
    const status = await call<{ counters: { packets: number } }>('capture/status', {})
    const view = await call<CaptureViewState>('capture/view-state', {})
    expect(view.source?.kind).toBe('live')
    expect(view.source?.label).toBe('lo')
    expect(view.source?.packets).toBe(status.counters.packets)
    const page = await call<PacketListPage>('capture/packet-page', { start: 0, count: 1000 })
    expect(page.rows).toHaveLength(status.counters.packets)
    expect(page.rows.map((row) => row.index)).toEqual(page.rows.map((_, position) => position))
    expect(elementAt(page.rows, 0).info).toContain('[SYN]')
    expect(page.rows.filter((row) => row.protocol === 'UDP')).toHaveLength(4)
    // This process owns both ends, so every packet is attributed to it.
    expect(page.rows.every((row) => row.process?.endsWith(`(${process.pid})`))).toBe(true)
  })

  it('filters by process in the backend', async () => {
    await call('capture/set-display-filter', { filter: `pid:${process.pid} proto:udp` })
    await waitFor(() => state?.filter === `pid:${process.pid} proto:udp` && !state.filtering, 10_000, 'the filter')
    const view = await call<CaptureViewState>('capture/view-state', {})
    expect(view.matched).toBe(4)
    await call('capture/set-display-filter', { filter: '' })
  })

  it('lists the conversations with their handshake and follows the TCP stream', async () => {
    const list = await call<ConversationList>('capture/conversations', { limit: 100 })
    expect(list.total).toBe(2)
    const tcp = list.conversations.find((row) => row.transport === 'tcp')!
    expect(tcp).toMatchObject({ portB: peers.port, handshake: true, fin: true, reset: false, pid: process.pid })
    const stream = await call<FollowedStream>('capture/follow-stream', { conversationId: tcp.id })
    expect(stream.clientBytes).toBe(600)
    expect(stream.serverBytes).toBe(3)
    expect(stream.chunks.filter((chunk) => chunk.fromClient).map((chunk) => Buffer.from(chunk.data, 'base64').length)).toEqual([100, 200, 300])
  })

  it('exports pcapng with the owning process as each packet comment', async () => {
    const ticket = await call<ExportTicket>('capture/export-begin', { format: 'pcapng', scope: 'all' })
    const parts: Buffer[] = []
    for (let offset = 0; ;) {
      const chunk = await call<ExportChunk>('capture/export-chunk', { exportId: ticket.exportId, offset })
      const bytes = Buffer.from(chunk.data, 'base64')
      parts.push(bytes)
      offset += bytes.length
      if (chunk.done) break
    }
    const path = join(directory, 'export.pcapng')
    await writeFile(path, Buffer.concat(parts))
    expect(Buffer.concat(parts).length).toBe(ticket.totalBytes)
    const { stdout } = await run('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.comment'])
    const comments = stdout.trim().split('\n')
    expect(comments).toHaveLength(ticket.packets)
    expect(comments.every((comment) => comment.includes(`(pid ${process.pid})`))).toBe(true)
    expect((await call<{ closed: boolean }>('capture/export-end', { exportId: ticket.exportId })).closed).toBe(true)
  })

  it('refuses to open a file over a running live capture, which goes on', async () => {
    await call('capture/start', { interface: 'lo', filter: `port ${peers.port}` })
    await waitFor(() => state?.source?.state === 'running', 10_000, 'the new live capture')
    const liveId = state?.source?.id
    const refused = await backend.handle('capture/import-begin', { fileName: 'other.pcapng', size: 100 })
    expect(refused).toMatchObject({ ok: false, error: { code: 'busy' } })
    await sendDatagrams(peers.port, [10])
    await waitFor(() => (state?.source?.packets ?? 0) >= 1, 10_000, 'a packet of the live capture')
    expect(state?.source?.id).toBe(liveId)
    await call('capture/stop', {})
  })
})
