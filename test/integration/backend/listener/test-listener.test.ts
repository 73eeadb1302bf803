import { connect, createServer } from 'node:net'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { TestListenerRegistry } from '../../../../electron/backend/listener/test-listener'
import type { TestListenerInfo } from '../../../../shared/model/probe'
import { socketTableLines, startTcpServer } from '../../../support/loopback-servers'
import { waitFor } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

/** Send bytes over TCP and collect what comes back until the server has answered `expected` bytes. */
async function tcpExchange(port: number, payload: string, expected: number): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.write(payload)
  await waitFor(() => Buffer.concat(chunks).length >= expected)
  socket.end()
  await once(socket, 'close')
  return Buffer.concat(chunks).toString()
}

describe('TestListenerRegistry with real sockets', () => {
  const updates: TestListenerInfo[] = []
  let registry = new TestListenerRegistry((info) => updates.push(info))
  afterEach(async () => {
    await registry.stopAll()
    registry = new TestListenerRegistry((info) => updates.push(info))
    updates.length = 0
  })

  it('echoes over TCP, shows in the socket table under this process and counts peer bytes', async () => {
    const started = await registry.start({ protocol: 'tcp', port: 0, mode: 'echo' })
    if (!started.ok) throw new Error(started.error.message)
    const { listener } = started
    expect(listener).toMatchObject({ protocol: 'tcp', address: '127.0.0.1', family: 4, pid: process.pid, stoppedAt: null })
    expect(listener.port).toBeGreaterThan(0)
    const table = await socketTableLines('tcp', listener.port, true)
    expect(table.join('\n')).toContain(`pid=${process.pid}`)

    expect(await tcpExchange(listener.port, 'hello', 5)).toBe('hello')
    await waitFor(() => elementAt(registry.list(), 0).peers.some((peer) => !peer.connected))
    const info = elementAt(registry.list(), 0)
    expect(info.totalPeers).toBe(1)
    expect(elementAt(info.peers, 0)).toMatchObject({ remoteAddress: '127.0.0.1', bytesIn: 5, bytesOut: 5, connected: false })
    expect(info.bytesIn).toBe(5)
    await waitFor(() => updates.some((update) => update.bytesIn === 5))

    const stopped = await registry.stop(listener.id)
    expect(stopped?.stoppedAt).not.toBeNull()
    expect(registry.list()).toEqual([])
    expect(await socketTableLines('tcp', listener.port, true)).toEqual([])
  })

  it('answers with a fixed reply, or discards', async () => {
    const replying = await registry.start({ protocol: 'tcp', port: 0, mode: 'reply', reply: { encoding: 'text', value: 'OK\\n', escapes: true } })
    if (!replying.ok) throw new Error(replying.error.message)
    expect(replying.listener.replyBytes).toBe(3)
    expect(await tcpExchange(replying.listener.port, 'anything', 3)).toBe('OK\n')

    const discarding = await registry.start({ protocol: 'tcp', port: 0, mode: 'discard' })
    if (!discarding.ok) throw new Error(discarding.error.message)
    const socket = connect(discarding.listener.port, '127.0.0.1')
    await once(socket, 'connect')
    let replied = false
    socket.on('data', () => (replied = true))
    socket.write('into the void')
    await waitFor(() => registry.list().some((info) => info.id === discarding.listener.id && info.bytesIn === 13))
    expect(replied).toBe(false)
    socket.destroy()
  })

  it('closes the connections it accepted when stopped', async () => {
    const started = await registry.start({ protocol: 'tcp', port: 0, mode: 'discard' })
    if (!started.ok) throw new Error(started.error.message)
    const socket = connect(started.listener.port, '127.0.0.1')
    socket.on('error', () => {})
    await once(socket, 'connect')
    await waitFor(() => elementAt(registry.list(), 0).peers.length === 1)
    expect(elementAt(elementAt(registry.list(), 0).peers, 0).connected).toBe(true)
    await registry.stopAll()
    await once(socket, 'close')
  })

  it('echoes UDP datagrams and lists the sender as a peer', async () => {
    const started = await registry.start({ protocol: 'udp', address: '127.0.0.1', port: 0, mode: 'echo' })
    if (!started.ok) throw new Error(started.error.message)
    const client = createSocket('udp4')
    client.send('marco', started.listener.port, '127.0.0.1')
    const [reply] = (await once(client, 'message')) as [Buffer]
    expect(reply.toString()).toBe('marco')
    const table = await socketTableLines('udp', started.listener.port, true)
    expect(table.join('\n')).toContain(`pid=${process.pid}`)
    const info = elementAt(registry.list(), 0)
    expect(info.peers).toHaveLength(1)
    expect(elementAt(info.peers, 0)).toMatchObject({ remotePort: client.address().port, bytesIn: 5, bytesOut: 5, connected: false })
    client.close()
  })

  it('never answers a UDP datagram with more bytes than it carried, so it cannot amplify a forged sender', async () => {
    const reply = 'R'.repeat(100)
    const started = await registry.start({ protocol: 'udp', address: '127.0.0.1', port: 0, mode: 'reply', reply: { encoding: 'text', value: reply } })
    if (!started.ok) throw new Error(started.error.message)
    const client = createSocket('udp4')
    try {
      // Just under, at and just over the reply's size, and a one-byte ping.
      for (const sent of [1, 99, 100, 101, 500]) {
        const answered = once(client, 'message') as Promise<[Buffer]>
        client.send(Buffer.alloc(sent, 0x71), started.listener.port, '127.0.0.1')
        const [answer] = await answered
        expect(answer.length, `answer to ${sent} bytes`).toBe(Math.min(sent, reply.length))
        expect(answer.toString()).toBe(reply.slice(0, sent))
      }
      await waitFor(() => registry.list()[0]?.bytesIn === 1 + 99 + 100 + 101 + 500)
      expect(elementAt(registry.list(), 0).bytesOut).toBe(1 + 99 + 100 + 100 + 100)
    } finally {
      client.close()
    }
  })

  it('answers a UDP datagram with no reply at all when it is empty', async () => {
    const started = await registry.start({ protocol: 'udp', address: '127.0.0.1', port: 0, mode: 'reply', reply: { encoding: 'text', value: 'pong' } })
    if (!started.ok) throw new Error(started.error.message)
    const client = createSocket('udp4')
    try {
      let answers = 0
      client.on('message', () => (answers += 1))
      client.send(Buffer.alloc(0), started.listener.port, '127.0.0.1')
      client.send('ping', started.listener.port, '127.0.0.1')
      await waitFor(() => answers === 1 && registry.list()[0]?.peers[0]?.bytesIn === 4)
      // The second datagram's answer arrived, so the first one's would have arrived before it.
      expect(answers).toBe(1)
    } finally {
      client.close()
    }
  })

  it('reports a port already in use and refuses a host name as the address', async () => {
    const occupied = await startTcpServer()
    const clash = await registry.start({ protocol: 'tcp', address: '127.0.0.1', port: occupied.port, mode: 'echo' })
    expect(clash.ok).toBe(false)
    if (!clash.ok) expect(clash.error).toMatchObject({ kind: 'address-in-use', phase: 'listen', code: 'EADDRINUSE' })
    await occupied.close()
    const named = await registry.start({ protocol: 'tcp', address: 'localhost', port: 0, mode: 'echo' })
    expect(named.ok).toBe(false)
    if (!named.ok) expect(named.error.kind).toBe('invalid-input')
    const noReply = await registry.start({ protocol: 'udp', port: 0, mode: 'reply' })
    expect(noReply.ok).toBe(false)
  })

  it('frees the port on stopAll so it can be bound again', async () => {
    const started = await registry.start({ protocol: 'tcp', port: 0, mode: 'echo' })
    if (!started.ok) throw new Error(started.error.message)
    await registry.stopAll()
    const again = createServer()
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject)
      again.listen(started.listener.port, '127.0.0.1', resolve)
    })
    await new Promise((resolve) => again.close(resolve))
  })
})
