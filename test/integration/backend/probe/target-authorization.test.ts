/**
 * Every action shows its resolved target to the authorizer before it sends or binds anything:
 * with real loopback servers, an authorizer that refuses leaves them untouched, and one that
 * allows lets the action through. Without this, a policy could be asked and then ignored.
 */
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { ActionTarget, TargetAuthorizer } from '../../../../electron/backend/action-policy'
import { ConnectionHolder } from '../../../../electron/backend/holder/connection-holder'
import { startRepeatedProbe } from '../../../../electron/backend/probe/repeated-probe'
import { runTcpProbe } from '../../../../electron/backend/probe/tcp-probe'
import { TestListener } from '../../../../electron/backend/listener/test-listener'
import { runTlsProbe } from '../../../../electron/backend/probe/tls-probe'
import { runUdpProbe } from '../../../../electron/backend/probe/udp-probe'
import type { ProbeError } from '../../../../shared/model/probe'
import { closedTcpPort, startTcpServer, startUdpServer, type LoopbackTcpServer } from '../../../support/loopback-servers'

const REFUSAL: ProbeError = { kind: 'not-allowed', phase: 'connect', detail: 'test', code: null, message: 'refused by the test' }

/** An authorizer that records what it was shown and answers `verdict`. */
function recordingAuthorizer(verdict: ProbeError | null): { authorize: TargetAuthorizer; seen: ActionTarget[] } {
  const seen: ActionTarget[] = []
  return {
    seen,
    authorize: async (target) => {
      seen.push(target)
      return verdict
    }
  }
}

describe('actions ask their authorizer before touching the target', () => {
  let server: LoopbackTcpServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  it('TCP probe: every address it would try, then nothing connects when refused', async () => {
    server = await startTcpServer()
    const refusing = recordingAuthorizer(REFUSAL)
    const refused = await runTcpProbe({ host: '127.0.0.1', port: server.port }, { authorize: refusing.authorize })
    expect(refused.error).toEqual(REFUSAL)
    expect(refused.attempts).toEqual([])
    expect(refusing.seen).toEqual([{ action: 'tcp-probe', host: '127.0.0.1', addresses: ['127.0.0.1'], port: server.port }])
    const allowing = recordingAuthorizer(null)
    const allowed = await runTcpProbe({ host: '127.0.0.1', port: server.port }, { authorize: allowing.authorize })
    expect(allowed.ok).toBe(true)
    expect(server.accepted).toHaveLength(1)
  })

  it('TLS probe: refused before the TCP connect', async () => {
    server = await startTcpServer()
    const refusing = recordingAuthorizer(REFUSAL)
    const refused = await runTlsProbe({ host: '127.0.0.1', port: server.port, timeoutMs: 1_000 }, { authorize: refusing.authorize })
    expect(refused.error).toEqual(REFUSAL)
    expect(refused.connect).toBeNull()
    expect(refusing.seen).toMatchObject([{ action: 'tls-probe', addresses: ['127.0.0.1'], port: server.port }])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.accepted).toHaveLength(0)
  })

  it('UDP probe: refused before the datagram is sent', async () => {
    const received: Buffer[] = []
    const udp = await startUdpServer((message) => received.push(message))
    try {
      const refusing = recordingAuthorizer(REFUSAL)
      const refused = await runUdpProbe({ host: '127.0.0.1', port: udp.port, payload: { encoding: 'text', value: 'hello' }, timeoutMs: 200 }, { authorize: refusing.authorize })
      expect(refused.error).toEqual(REFUSAL)
      expect(refused.sentBytes).toBe(0)
      expect(refusing.seen).toMatchObject([{ action: 'udp-probe', addresses: ['127.0.0.1'], port: udp.port }])
      const allowed = await runUdpProbe(
        { host: '127.0.0.1', port: udp.port, payload: { encoding: 'text', value: 'hello' }, timeoutMs: 200 },
        { authorize: recordingAuthorizer(null).authorize }
      )
      expect(allowed.sentBytes).toBe(5)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(received.map((message) => message.toString())).toEqual(['hello'])
    } finally {
      await udp.close()
    }
  })

  it('repeated probe: refused before the first attempt, and ready says so', async () => {
    server = await startTcpServer()
    const refusing = recordingAuthorizer(REFUSAL)
    const run = startRepeatedProbe({ host: '127.0.0.1', port: server.port, count: 3, intervalMs: 10 }, { authorize: refusing.authorize })
    await run.ready
    expect(run.summary()).toMatchObject({ endedBy: 'failed', error: REFUSAL })
    const summary = await run.finished
    expect(summary.statistics.sent).toBe(0)
    expect(server.accepted).toHaveLength(0)
    expect(refusing.seen).toMatchObject([{ action: 'repeated-probe', addresses: ['127.0.0.1'], port: server.port }])
  })

  it('holder: refused before any connection, with the count and the client’s confirmation shown', async () => {
    server = await startTcpServer()
    const refusing = recordingAuthorizer(REFUSAL)
    const holder = new ConnectionHolder({ authorize: refusing.authorize })
    const refused = await holder.open({ host: '127.0.0.1', port: server.port, count: 4, allowNonLoopback: true })
    expect(refused).toEqual({ ok: false, error: REFUSAL })
    expect(refusing.seen).toEqual([{ action: 'holder', host: '127.0.0.1', addresses: ['127.0.0.1'], port: server.port, count: 4, clientConfirmed: true }])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.accepted).toHaveLength(0)
    expect(holder.status().groups).toEqual([])
  })

  it('listener: refused before the bind, so the port stays free', async () => {
    const port = await closedTcpPort()
    const refusing = recordingAuthorizer(REFUSAL)
    const refused = await TestListener.start({ protocol: 'tcp', address: '127.0.0.1', port, mode: 'echo' }, () => {}, refusing.authorize)
    expect(refused).toEqual({ ok: false, error: REFUSAL })
    expect(refusing.seen).toEqual([{ action: 'listener', host: '127.0.0.1', addresses: ['127.0.0.1'], port }])
    const probe = createServer()
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', resolve)
    })
    await new Promise((resolve) => probe.close(resolve))
  })
})
