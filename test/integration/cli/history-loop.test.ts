/**
 * The loop behind `watch` and `check`, on the real socket tables: the backend's socket monitor
 * paces the reads, the filter applies before the history, the duration ends with one last read
 * and a stop signal ends without one.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createSocketProvider, HistorySession, type SessionTick } from '../../../electron/backend'
import { runHistoryLoop } from '../../../electron/cli/history-loop'
import { startTcpServer, type LoopbackTcpServer } from '../../support/loopback-servers'
import { elementAt } from '../../../shared/element-at'

let server: LoopbackTcpServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

describe('runHistoryLoop', () => {
  it('reads every interval into the session, keeps only matching sockets, and reads once more at the end of the duration', async () => {
    server = await startTcpServer()
    const port = server.port
    // How long one read of the whole socket table takes right now bounds how many reads fit.
    const provider = createSocketProvider()
    const readStartedAt = Date.now()
    await provider.read({ withProcesses: true })
    const readMs = Date.now() - readStartedAt
    provider.dispose?.()
    const ticks: SessionTick[] = []
    const session = new HistorySession()
    const startedAt = Date.now()
    const durationMs = 600
    const count = await runHistoryLoop({
      session,
      intervalMs: 100,
      durationMs,
      matches: (socket) => socket.protocol === 'tcp' && socket.localPort === port,
      onTick: (tick) => ticks.push(tick),
      onError: (error) => {
        throw error
      }
    })
    expect(count).toBe(ticks.length)
    // Numbered by the monitor, one after the other, each one handled by the session.
    expect(ticks.map((tick) => tick.snapshot.tick)).toEqual(Array.from({ length: count }, (_, index) => index + 1))
    expect(session.store.info().points).toBe(count)
    // At 100 ms over 600 ms a few reads happen when a read is quick (fewer when the machine makes it slow),
    // and never more than one per interval.
    expect(count).toBeGreaterThanOrEqual(Math.max(1, Math.min(3, Math.floor(durationMs / Math.max(100, 2 * readMs)))))
    expect(count).toBeLessThanOrEqual(durationMs / 100 + 2)
    for (const tick of ticks) expect(tick.snapshot.sockets.every((socket) => socket.localPort === port)).toBe(true)
    expect(ticks.at(-1)!.snapshot.sockets.some((socket) => socket.state === 'LISTEN')).toBe(true)
    expect(ticks.at(-1)!.snapshot.takenAt).toBeGreaterThanOrEqual(startedAt + durationMs)
    for (let index = 1; index < ticks.length; index++) {
      expect(elementAt(ticks, index).snapshot.takenAt - elementAt(ticks, index - 1).snapshot.takenAt).toBeGreaterThanOrEqual(ticks.length - 1 === index ? 0 : 99)
    }
  })

  it('stops at a stop signal without a last read', async () => {
    const stop = new AbortController()
    const ticks: SessionTick[] = []
    let abortedAt = Infinity
    const count = await runHistoryLoop({
      session: new HistorySession(),
      intervalMs: 100,
      signal: stop.signal,
      onTick: (tick) => {
        ticks.push(tick)
        if (tick.snapshot.tick === 2) {
          abortedAt = Date.now()
          stop.abort()
        }
      }
    })
    // Reads taken before the signal that the session was still catching up with count too (a busy
    // machine makes the session lag); none starts after it (1 ms: clock granularity).
    expect(count).toBeGreaterThanOrEqual(2)
    expect(ticks.map((tick) => tick.snapshot.tick)).toEqual(Array.from({ length: count }, (_, index) => index + 1))
    for (const { snapshot } of ticks) expect(snapshot.takenAt - snapshot.refreshMs).toBeLessThanOrEqual(abortedAt + 1)
  })

  it('reads nothing when the stop signal came before the start', async () => {
    const stop = new AbortController()
    stop.abort()
    const ticks: number[] = []
    const count = await runHistoryLoop({
      session: new HistorySession(),
      intervalMs: 100,
      durationMs: 1000,
      signal: stop.signal,
      onTick: ({ snapshot }) => ticks.push(snapshot.tick)
    })
    expect(count).toBe(0)
    expect(ticks).toEqual([])
  })
})
