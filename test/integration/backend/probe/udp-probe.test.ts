import { formatMilliseconds } from '../../../../shared/format/probe-text'
import { afterEach, describe, expect, it } from 'vitest'
import { runUdpProbe } from '../../../../electron/backend/probe/udp-probe'
import { answerWithARecord } from '../../../support/capture/dns-message-builder'
import { closedUdpPort, startUdpServer, type LoopbackUdpServer } from '../../../support/loopback-servers'
import { sleepAtLeast } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

describe('runUdpProbe against real loopback sockets', () => {
  let server: LoopbackUdpServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  it('reports the reply of an echo server with its timing', async () => {
    const replyDelayMs = 150
    server = await startUdpServer((message, remote, socket) => void sleepAtLeast(replyDelayMs).then(() => socket.send(message, remote.port, remote.address)))
    const startedAt = performance.now()
    const result = await runUdpProbe({
      host: '127.0.0.1',
      port: server.port,
      payload: { encoding: 'text', value: 'ping' },
      timeoutMs: 2_000,
      maxReplies: 1
    })
    expect(result.ok).toBe(true)
    expect(result.error).toBeNull()
    expect(result.sentBytes).toBe(4)
    expect(result.address).toBe('127.0.0.1')
    expect(result.localPort).toBeGreaterThan(0)
    expect(result.replies).toHaveLength(1)
    expect(result.replies[0]).toMatchObject({ fromAddress: '127.0.0.1', fromPort: server.port, dns: null })
    expect(elementAt(result.replies, 0).data).toEqual({ byteLength: 4, hex: '70696e67', text: 'ping', truncated: false })
    // The echo leaves no sooner than the delay after the datagram arrived.
    expect(elementAt(result.replies, 0).receivedMs).toBeGreaterThanOrEqual(replyDelayMs)
    expect(elementAt(result.replies, 0).receivedMs).toBeLessThanOrEqual(performance.now() - startedAt)
  })

  it('collects several replies until the reply limit', async () => {
    server = await startUdpServer((_message, remote, socket) => {
      for (const word of ['one', 'two', 'three']) socket.send(word, remote.port, remote.address)
    })
    const result = await runUdpProbe({
      host: '127.0.0.1',
      port: server.port,
      payload: { encoding: 'hex', value: '00' },
      maxReplies: 2,
      timeoutMs: 2_000
    })
    expect(result.replies.map((reply) => reply.data.text)).toEqual(['one', 'two'])
  })

  it.runIf(process.platform === 'linux')('reports a closed UDP port as refused (ICMP port unreachable)', async () => {
    const port = await closedUdpPort()
    const result = await runUdpProbe({ host: '127.0.0.1', port, payload: { encoding: 'text', value: 'hello' }, timeoutMs: 2_000 })
    expect(result.ok).toBe(false)
    expect(result.error).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' })
    expect(result.error?.message).toContain('ICMP port unreachable')
    // The refusal's time is measured from the send: after it, and well inside the probe's whole run.
    expect(result.refusedMs).toBeGreaterThan(0)
    expect(result.refusedMs).toBeLessThanOrEqual(result.durationMs)
    expect(result.error?.message).toContain(`after ${formatMilliseconds(result.refusedMs)}`)
  })

  it('times out when the server stays silent', async () => {
    const received: string[] = []
    server = await startUdpServer((message) => received.push(message.toString()))
    const result = await runUdpProbe({ host: '127.0.0.1', port: server.port, payload: { encoding: 'text', value: 'anyone?' }, timeoutMs: 150 })
    expect(result.ok).toBe(false)
    expect(result.error).toMatchObject({ kind: 'timeout', phase: 'receive' })
    expect(result.replies).toEqual([])
    expect(received).toEqual(['anyone?'])
  })

  it('sends a DNS query from the preset and decodes the answer', async () => {
    const questions: Buffer[] = []
    server = await startUdpServer((message, remote, socket) => {
      questions.push(message)
      socket.send(answerWithARecord(message), remote.port, remote.address)
    })
    const result = await runUdpProbe({
      host: '127.0.0.1',
      port: server.port,
      dnsQuery: { name: 'example.test', type: 'A' },
      maxReplies: 1,
      timeoutMs: 2_000
    })
    expect(result.ok).toBe(true)
    expect(result.dnsQuery).toEqual({ name: 'example.test', type: 'A' })
    expect(elementAt(questions, 0).subarray(12).toString('latin1')).toContain('\x07example\x04test\x00')
    const dns = elementAt(result.replies, 0).dns
    expect(dns).toMatchObject({ id: elementAt(questions, 0).readUInt16BE(0), isResponse: true, responseCode: 'NOERROR', answerCount: 1 })
    expect(dns?.answers).toEqual([{ name: 'example.test', type: 'A', ttl: 3600, data: '192.0.2.7' }])
  })

  it('rejects a missing payload and bad hex before sending', async () => {
    const received: Buffer[] = []
    server = await startUdpServer((message) => received.push(message))
    const missing = await runUdpProbe({ host: '127.0.0.1', port: server.port })
    expect(missing.error?.kind).toBe('invalid-input')
    const badHex = await runUdpProbe({ host: '127.0.0.1', port: server.port, payload: { encoding: 'hex', value: 'zz' } })
    expect(badHex.error).toMatchObject({ kind: 'invalid-input', phase: 'input' })
    expect(badHex.error?.message).toContain('not a hex digit')
    expect(received).toEqual([])
  })
})
