import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { runTcpProbe } from '../../../../electron/backend/probe/tcp-probe'
import type { TcpProbeRequest, TcpProbeResult } from '../../../../shared/model/probe'
import { closedTcpPort, startTcpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'
import { startFullListener, type FullListener } from '../../../support/probes/full-listener'
import { sleepAtLeast, waitFor } from '../../../support/wait-for'
import { elementAt } from '../../../../shared/element-at'

/** Durations are rounded to the microsecond; a measured time may exceed the test's own by that much. */
const ROUNDING_MS = 0.001

/** Runs a probe and measures, around it, how long it took as the test saw it. */
async function timedProbe(request: TcpProbeRequest): Promise<{ result: TcpProbeResult; elapsedMs: number }> {
  const startedAt = performance.now()
  const result = await runTcpProbe(request)
  return { result, elapsedMs: performance.now() - startedAt }
}

/** Client sockets to 127.0.0.1:port whose SYN is still unanswered. */
async function connectsWaitingOn(port: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ss', ['-Htn', 'state', 'syn-sent', `dst 127.0.0.1:${port}`])
  return stdout.split('\n').filter((line) => line.trim() !== '').length
}

describe('runTcpProbe against real loopback servers', () => {
  let server: LoopbackTcpServer | null = null
  let held: FullListener | null = null
  afterEach(async () => {
    await server?.close()
    server = null
    held?.close()
    held = null
  })

  it('connects to a listener and reports the times and the local end it used', async () => {
    server = await startTcpServer()
    const { result, elapsedMs } = await timedProbe({ host: '127.0.0.1', port: server.port })
    expect(result.ok).toBe(true)
    expect(result.error).toBeNull()
    expect(result.dns).toMatchObject({ literal: true, addresses: [{ address: '127.0.0.1', family: 4 }] })
    expect(result.attempts).toHaveLength(1)
    const attempt = elementAt(result.attempts, 0)
    expect(attempt.connected).toBe(true)
    // A loopback handshake is quick but never free, and it is part of the whole probe.
    expect(attempt.connectMs).toBeGreaterThan(0)
    expect(attempt.connectMs).toBeLessThanOrEqual(result.durationMs)
    expect(result.durationMs).toBeLessThanOrEqual(elapsedMs + ROUNDING_MS)
    expect(attempt.localAddress).toBe('127.0.0.1')
    expect(server.accepted.map((socket) => socket.remotePort)).toContain(attempt.localPort)
    expect(result.exchange).toBeNull()
  })

  it('times a connect from its SYN: one that waits on a full accept queue takes at least the wait', async () => {
    held = await startFullListener()
    const holdMs = 300
    const startedAt = performance.now()
    const probing = runTcpProbe({ host: '127.0.0.1', port: held.port, timeoutMs: 10_000 })
    // The kernel dropped the SYN; the connect can only finish with a retransmission after the release.
    await waitFor(async () => (await connectsWaitingOn(held!.port)) === 1, 5_000, 'the probe to send its SYN')
    await sleepAtLeast(holdMs)
    held.release()
    const result = await probing
    const elapsedMs = performance.now() - startedAt
    expect(result.ok).toBe(true)
    expect(elementAt(result.attempts, 0).connected).toBe(true)
    expect(elementAt(result.attempts, 0).connectMs).toBeGreaterThanOrEqual(holdMs)
    expect(elementAt(result.attempts, 0).connectMs).toBeLessThanOrEqual(elapsedMs + ROUNDING_MS)
  })

  it('resolves a name and reports the lookup with every address', async () => {
    server = await startTcpServer()
    const { result, elapsedMs } = await timedProbe({ host: 'localhost', port: server.port, addressChoice: 'all' })
    expect(result.dns?.literal).toBe(false)
    // Even a lookup answered from /etc/hosts goes through the resolver's thread and takes time.
    expect(result.dns?.durationMs).toBeGreaterThan(0)
    expect(result.dns?.durationMs).toBeLessThanOrEqual(result.durationMs)
    expect(result.durationMs).toBeLessThanOrEqual(elapsedMs + ROUNDING_MS)
    expect(result.dns?.addresses.map((entry) => entry.address)).toContain('127.0.0.1')
    expect(result.attempts).toHaveLength(result.dns?.addresses.length ?? -1)
    expect(result.attempts.find((attempt) => attempt.address === '127.0.0.1')?.connected).toBe(true)
  })

  it('classifies a closed port as refused', async () => {
    const port = await closedTcpPort()
    const result = await runTcpProbe({ host: '127.0.0.1', port })
    expect(result.ok).toBe(false)
    expect(result.error).toMatchObject({ kind: 'refused', phase: 'connect', code: 'ECONNREFUSED' })
    expect(result.error?.message).toContain(`127.0.0.1:${port}`)
    expect(elementAt(result.attempts, 0).connected).toBe(false)
  })

  it('stops waiting for a reply at the first-byte time limit when the server never answers', async () => {
    const received: Buffer[] = []
    server = await startTcpServer((socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)))
    const result = await runTcpProbe({
      host: '127.0.0.1',
      port: server.port,
      payload: { encoding: 'text', value: 'hello' },
      readTimeoutMs: 150
    })
    expect(result.ok).toBe(false)
    expect(elementAt(result.attempts, 0).connected).toBe(true)
    expect(result.error).toMatchObject({ kind: 'timeout', phase: 'first-byte' })
    expect(result.error?.message).toContain('150 ms')
    expect(result.exchange).toMatchObject({ sentBytes: 5, firstByteMs: null, reply: null, readTimeoutMs: 150 })
    expect(Buffer.concat(received).toString()).toBe('hello')
  })

  it('sends a hex payload and reports the reply and the time to first byte', async () => {
    const replyDelayMs = 150
    server = await startTcpServer((socket) => socket.on('data', (chunk: Buffer) => void sleepAtLeast(replyDelayMs).then(() => socket.write(chunk))))
    const { result, elapsedMs } = await timedProbe({
      host: '127.0.0.1',
      port: server.port,
      payload: { encoding: 'hex', value: '68 69 0d 0a' }
    })
    expect(result.ok).toBe(true)
    expect(result.exchange?.sentBytes).toBe(4)
    // The server answers no sooner than the delay after the payload arrived.
    expect(result.exchange?.firstByteMs).toBeGreaterThanOrEqual(replyDelayMs)
    expect(result.exchange?.firstByteMs).toBeLessThanOrEqual(elapsedMs + ROUNDING_MS)
    expect(result.exchange?.reply).toEqual({ byteLength: 4, hex: '68690d0a', text: 'hi\r\n', truncated: false })
  })

  it('keeps only the read limit of a longer reply and says it was truncated', async () => {
    server = await startTcpServer((socket) => socket.once('data', () => socket.write(Buffer.alloc(100, 0x41))))
    const result = await runTcpProbe({
      host: '127.0.0.1',
      port: server.port,
      payload: { encoding: 'text', value: 'GET\\r\\n', escapes: true },
      readLimitBytes: 10
    })
    expect(result.ok).toBe(true)
    expect(result.exchange?.reply).toMatchObject({ byteLength: 10, text: 'AAAAAAAAAA', truncated: true })
  })

  it('reports a server that closes without replying as closed', async () => {
    server = await startTcpServer((socket) => socket.once('data', () => socket.end()))
    const result = await runTcpProbe({ host: '127.0.0.1', port: server.port, payload: { encoding: 'text', value: 'x' } })
    expect(result.error).toMatchObject({ kind: 'closed', phase: 'first-byte' })
    expect(result.exchange?.peerClosed).toBe(true)
  })

  it('reports a server that aborts the connection as reset', async () => {
    server = await startTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()))
    const result = await runTcpProbe({ host: '127.0.0.1', port: server.port, payload: { encoding: 'text', value: 'x' } })
    expect(result.error).toMatchObject({ kind: 'reset', code: 'ECONNRESET' })
  })

  it('reports a name that does not exist as a DNS failure', async () => {
    const result = await runTcpProbe({ host: 'nonexistent.invalid', port: 80 })
    expect(result.ok).toBe(false)
    expect(result.error?.kind).toBe('dns')
    expect(result.error?.phase).toBe('dns')
    // The .invalid TLD never exists; a resolver that cannot be reached reports a temporary failure instead.
    expect(['nxdomain', 'servfail']).toContain(result.error?.detail)
    expect(result.error?.message).toContain('nonexistent.invalid')
    expect(result.attempts).toEqual([])
  })

  it('rejects bad input before connecting', async () => {
    server = await startTcpServer()
    const cases = [
      { host: '127.0.0.1', port: 70000 },
      { host: 'bad host', port: server.port },
      { host: '127.0.0.1', port: server.port, payload: { encoding: 'hex' as const, value: 'abc' } },
      { host: '127.0.0.1', port: server.port, payload: { encoding: 'text' as const, value: '' } },
      { host: '127.0.0.1', port: server.port, timeoutMs: 10_000_000 }
    ]
    for (const request of cases) {
      const result = await runTcpProbe(request)
      expect(result.error?.kind, JSON.stringify(request)).toBe('invalid-input')
      expect(result.attempts).toEqual([])
    }
    expect(server.accepted).toHaveLength(0)
  })

  it('stops when cancelled while waiting for a reply', async () => {
    server = await startTcpServer()
    const controller = new AbortController()
    const pending = runTcpProbe({ host: '127.0.0.1', port: server.port, payload: { encoding: 'text', value: 'x' }, readTimeoutMs: 30_000 }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    const result = await pending
    expect(result.error?.kind).toBe('cancelled')
  })
})
