import { afterEach, describe, expect, it } from 'vitest'
import { ConnectionHolder } from '../../../../electron/backend/holder/connection-holder'
import type { HolderStatus } from '../../../../shared/model/probe'
import { closedTcpPort, socketTableLines, startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { waitFor } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

describe('ConnectionHolder against a real loopback server', () => {
  let server: LoopbackTcpServer | null = null
  let holder = new ConnectionHolder()
  afterEach(async () => {
    holder.releaseAll()
    holder = new ConnectionHolder()
    await server?.close()
    server = null
  })

  it('holds N connections that show in the socket table, then releases them all', async () => {
    server = await startTcpServer()
    const statuses: HolderStatus[] = []
    holder = new ConnectionHolder({ onChange: (status) => statuses.push(status) })
    const opened = await holder.open({ host: 'localhost', port: server.port, count: 25 })
    if (!opened.ok) throw new Error(opened.error.message)
    const group = await holder.whenSettled(opened.group.id)
    expect(group).toMatchObject({ requested: 25, open: 25, pending: 0, failed: 0, address: '127.0.0.1', released: false })
    await waitFor(() => server?.accepted.length === 25)

    const established = (await socketTableLines('tcp', server.port, false)).filter((line) => line.startsWith('ESTAB'))
    const ours = established.filter((line) => line.includes(`pid=${process.pid}`))
    expect(ours.length).toBeGreaterThanOrEqual(25)
    expect(holder.status()).toMatchObject({ totalOpen: 25, limit: 1000 })

    const released = holder.release(opened.group.id)
    expect(released).toMatchObject({ released: true, open: 0 })
    expect(holder.status().groups).toEqual([])
    await waitFor(() => server?.accepted.every((socket) => socket.readableEnded || socket.destroyed) === true)
    expect(statuses.at(-1)?.totalOpen).toBe(0)
  })

  it('counts connections the server closes', async () => {
    server = await startTcpServer()
    const opened = await holder.open({ host: '127.0.0.1', port: server.port, count: 4 })
    if (!opened.ok) throw new Error(opened.error.message)
    await holder.whenSettled(opened.group.id)
    await waitFor(() => server?.accepted.length === 4)
    for (const socket of server.accepted.slice(0, 2)) socket.destroy()
    await waitFor(() => elementAt(holder.status().groups, 0).closedByPeer === 2)
    expect(elementAt(holder.status().groups, 0).open).toBe(2)
  })

  it('counts failures by kind', async () => {
    const port = await closedTcpPort()
    const opened = await holder.open({ host: '127.0.0.1', port, count: 3 })
    if (!opened.ok) throw new Error(opened.error.message)
    const group = await holder.whenSettled(opened.group.id)
    expect(group).toMatchObject({ open: 0, failed: 3, failures: { refused: 3 } })
    expect(group?.firstError?.kind).toBe('refused')
  })

  it('refuses a non-loopback target unless confirmed, without connecting', async () => {
    // 192.0.2.1 is TEST-NET-1: documentation only. The check happens before any packet is sent.
    const refused = await holder.open({ host: '192.0.2.1', port: 80, count: 1 })
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error).toMatchObject({ kind: 'invalid-input', detail: 'needs-confirmation' })
    expect(holder.status().groups).toEqual([])
  })

  it('refuses to go past its limit and bad counts', async () => {
    server = await startTcpServer()
    holder = new ConnectionHolder({ limit: 5 })
    const first = await holder.open({ host: '127.0.0.1', port: server.port, count: 4 })
    expect(first.ok).toBe(true)
    const second = await holder.open({ host: '127.0.0.1', port: server.port, count: 2 })
    expect(second.ok).toBe(false)
    if (!second.ok) expect(second.error.message).toContain('limit of 5')
    const tooMany = await holder.open({ host: '127.0.0.1', port: server.port, count: 5000 })
    expect(tooMany.ok).toBe(false)
    const zero = await holder.open({ host: '127.0.0.1', port: server.port, count: 0 })
    expect(zero.ok).toBe(false)
  })
})
