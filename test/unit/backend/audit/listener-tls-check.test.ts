/**
 * The audit's TLS check: where each probe is aimed (never beyond this machine), how many run at
 * once and per run, and what a probe result means. The probe itself is replaced by a recorder.
 */
import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../../shared/model/socket'
import type { TlsProbeRequest, TlsProbeResult } from '../../../../shared/model/probe'
import { listenerKey } from '../../../../shared/model/audit'
import { checkListenersTls, tlsCheckFrom, tlsTargetFor } from '../../../../electron/backend/audit/listener-tls-check'
import { TlsCheckGate } from '../../../../electron/backend/audit/tls-check-gate'
import { runTlsProbe } from '../../../../electron/backend/probe/tls-probe'
import { buildSocket } from '../../../support/socket-builder'
import { startTcpServer } from '../../../support/loopback-servers'

const HOME = 4026531840
const LOCAL = new Set(['127.0.0.1', '::1', '192.168.1.20'])

describe('where a probe is aimed', () => {
  it('aims at loopback for a listener on every address, and at its own address otherwise', () => {
    expect(tlsTargetFor({ localAddress: '0.0.0.0', family: 4 }, LOCAL)).toEqual({ host: '127.0.0.1' })
    expect(tlsTargetFor({ localAddress: '::', family: 6 }, LOCAL)).toEqual({ host: '::1' })
    expect(tlsTargetFor({ localAddress: '127.0.0.53', family: 4 }, LOCAL)).toEqual({ host: '127.0.0.53' })
    expect(tlsTargetFor({ localAddress: '192.168.1.20', family: 4 }, LOCAL)).toEqual({ host: '192.168.1.20' })
  })

  it('never aims at an address that is not one of this machine', () => {
    // A listener bound with IP_FREEBIND to an address no interface has: a probe would leave the machine.
    const target = tlsTargetFor({ localAddress: '203.0.113.7', family: 4 }, LOCAL)
    expect(target).toEqual({ skip: "203.0.113.7 is not an address of this machine's interfaces, so a probe of it might leave the machine; it was not probed." })
  })
})

/** A probe that records its requests and the most in flight at once, answering after `delayMs`. */
function recordingProbe(delayMs = 20) {
  const requests: TlsProbeRequest[] = []
  let inFlight = 0
  let mostInFlight = 0
  const probe = (async (request: TlsProbeRequest): Promise<TlsProbeResult> => {
    requests.push(request)
    inFlight++
    mostInFlight = Math.max(mostInFlight, inFlight)
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    inFlight--
    return { ...notTlsResult, host: request.host, port: request.port }
  }) as typeof runTlsProbe
  return { probe, requests, mostInFlight: () => mostInFlight }
}

const notTlsResult = {
  kind: 'tls',
  host: '',
  port: 0,
  protocol: null,
  certificates: [],
  error: { kind: 'closed', phase: 'tls-handshake', detail: null, code: null, message: 'closed' }
} as unknown as TlsProbeResult

const listeners = (count: number): SocketEntry[] =>
  Array.from({ length: count }, (_, index) => buildSocket({ netns: HOME, localAddress: '0.0.0.0', localPort: 20000 + index, inode: 100 + index }))

describe('checkListenersTls', () => {
  it('probes each TCP listener of this namespace once, at most `concurrency` at a time', async () => {
    const recorder = recordingProbe()
    const sockets = [...listeners(10), buildSocket({ protocol: 'udp', state: 'UNCONN', localPort: 53, netns: HOME, inode: 1 })]
    const checks = await checkListenersTls(sockets, {
      homeNetns: HOME,
      localAddresses: LOCAL,
      probe: recorder.probe,
      limits: { concurrency: 3, timeoutMs: 500, maxListeners: 100 }
    })
    expect(recorder.requests.map((request) => request.port).sort()).toEqual(Array.from({ length: 10 }, (_, index) => 20000 + index))
    expect(recorder.requests.every((request) => request.host === '127.0.0.1' && request.timeoutMs === 500 && request.insecure === true)).toBe(true)
    expect(recorder.mostInFlight()).toBe(3)
    expect(checks.size).toBe(10)
  })

  it('probes at most `maxListeners` per run and says so for the rest', async () => {
    const recorder = recordingProbe(1)
    const checks = await checkListenersTls(listeners(6), {
      homeNetns: HOME,
      localAddresses: LOCAL,
      probe: recorder.probe,
      limits: { concurrency: 2, timeoutMs: 500, maxListeners: 5 }
    })
    expect(recorder.requests).toHaveLength(5)
    const skipped = checks.get(listenerKey({ protocol: 'tcp', netns: HOME, localAddress: '0.0.0.0', localPort: 20005 }))
    expect(skipped).toEqual({ tls: null, verdict: 'not-probed', note: 'Not probed: one run probes at most 5 listeners.' })
  })

  it('leaves listeners of other namespaces and of foreign addresses alone', async () => {
    const recorder = recordingProbe(1)
    const sockets = [
      buildSocket({ netns: HOME + 1, container: 'docker:1', localAddress: '127.0.0.1', localPort: 8080, inode: 1 }),
      buildSocket({ netns: HOME, localAddress: '203.0.113.7', localPort: 443, inode: 2 })
    ]
    const checks = await checkListenersTls(sockets, { homeNetns: HOME, localAddresses: LOCAL, probe: recorder.probe })
    expect(recorder.requests).toEqual([])
    expect([...checks.values()].map((check) => check.verdict)).toEqual(['not-probed', 'not-probed'])
    expect(checks.get(listenerKey({ protocol: 'tcp', netns: HOME + 1, localAddress: '127.0.0.1', localPort: 8080 }))?.note).toContain('another network namespace')
  })
})

describe('what a probe result means', () => {
  it('reads a real cleartext server as cleartext and a silent one as not TLS', async () => {
    const http = await startTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')))
    const silent = await startTcpServer()
    try {
      const cleartext = tlsCheckFrom(await runTlsProbe({ host: '127.0.0.1', port: http.port, insecure: true, timeoutMs: 2000 }))
      expect(cleartext).toEqual({
        tls: { speaksTls: false, version: null, subject: null, daysLeft: null },
        verdict: 'cleartext',
        note: `Cleartext: 127.0.0.1:${http.port} answered the TLS ClientHello with bytes that are not TLS.`
      })
      const quiet = tlsCheckFrom(await runTlsProbe({ host: '127.0.0.1', port: silent.port, insecure: true, timeoutMs: 300 }))
      expect(quiet).toEqual({
        tls: { speaksTls: false, version: null, subject: null, daysLeft: null },
        verdict: 'not-tls',
        note: `Not TLS: 127.0.0.1:${silent.port} accepted the connection but sent nothing back to the TLS hello within 300 ms: the service on this port does not speak TLS (a plain TCP service waiting for its own protocol stays silent like this).`
      })
    } finally {
      await http.close()
      await silent.close()
    }
  })

  it('reads a listener that starts a record and never finishes the handshake as not TLS, saying so', async () => {
    // One byte of a TLS handshake record, then silence.
    const stalled = await startTcpServer((socket) => socket.once('data', () => socket.write(Buffer.from([0x16]))))
    try {
      const check = tlsCheckFrom(await runTlsProbe({ host: '127.0.0.1', port: stalled.port, insecure: true, timeoutMs: 300 }))
      expect(check).toEqual({
        tls: { speaksTls: false, version: null, subject: null, daysLeft: null },
        verdict: 'not-tls',
        note: 'Not TLS: it started a handshake and did not finish it in time'
      })
    } finally {
      await stalled.close()
    }
  })

  it('counts a listener that went away before the probe as not probed', () => {
    const refused = {
      ...notTlsResult,
      error: { kind: 'refused', phase: 'connect', detail: null, code: 'ECONNREFUSED', message: '127.0.0.1:9 refused the connection.' }
    } as TlsProbeResult
    expect(tlsCheckFrom(refused)).toEqual({ tls: null, verdict: 'not-probed', note: 'Not probed: 127.0.0.1:9 refused the connection.' })
  })
})

describe('TlsCheckGate', () => {
  it('admits one probing run at a time', async () => {
    const gate = new TlsCheckGate(0)
    let release: () => void = () => undefined
    const first = gate.run(() => new Promise<void>((resolve) => (release = resolve)))
    await expect(gate.run(async () => 'second')).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('already running') })
    release()
    await first
    await expect(gate.run(async () => 'third')).resolves.toBe('third')
  })

  it('refuses a run until the interval since the last start has passed, and takes it exactly then', async () => {
    let now = 1_000
    const gate = new TlsCheckGate(10_000, () => now)
    await gate.run(async () => undefined)
    now += 9_999
    await expect(gate.run(async () => undefined)).rejects.toMatchObject({ code: 'busy', message: 'The listeners were probed for TLS moments ago; try again in 1 s.' })
    now += 1
    await expect(gate.run(async () => 'again')).resolves.toBe('again')
  })
})
