/** The live monitor on real sockets: one opened between two ticks arrives as added, one closed as removed. */
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { SocketDiff } from '../../../../shared/model/socket'
import { SocketMonitor } from '../../../../electron/backend/sockets/socket-monitor'
import { createSocketProvider } from '../../../../electron/backend/platform/create-platform'
import { elementAt } from '../../../../shared/element-at'

const monitors: SocketMonitor[] = []
afterEach(() => monitors.splice(0).forEach((monitor) => monitor.stop()))

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

function isListenerOn(port: number) {
  return (socket: { protocol: string; localAddress: string; localPort: number | null; state: string }) =>
    socket.protocol === 'tcp' && socket.localAddress === '127.0.0.1' && socket.localPort === port && socket.state === 'LISTEN'
}

describe('SocketMonitor', () => {
  it('diffs consecutive reads: added, then removed', async () => {
    const monitor = new SocketMonitor(createSocketProvider())
    monitors.push(monitor)
    await monitor.refresh()
    const server = await listen()
    const port = (server.address() as { port: number }).port

    const diffs: SocketDiff[] = []
    monitor.onTick((diff) => diffs.push(diff))
    await monitor.refresh()
    const added = elementAt(diffs, 0).added.filter(isListenerOn(port))
    expect(added).toHaveLength(1)
    expect(elementAt(added, 0).pid).toBe(process.pid)

    await new Promise<void>((resolve) => server.close(() => resolve()))
    await monitor.refresh()
    expect(elementAt(diffs, 1).removed).toContain(elementAt(added, 0).id)
    expect(elementAt(diffs, 1).previousTick).toBe(elementAt(diffs, 0).tick)
  })

  it('polls on its own, pauses and resumes', async () => {
    const monitor = new SocketMonitor(createSocketProvider(), { intervalMs: 100 })
    monitors.push(monitor)
    const ticks: number[] = []
    monitor.onTick((diff) => ticks.push(diff.tick))
    monitor.start()
    await expect.poll(() => ticks.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    expect(monitor.pause().paused).toBe(true)
    const atPause = ticks.length
    // Only a read already under way may still land; at 100 ms a running poll would add several.
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(ticks.length).toBeLessThanOrEqual(atPause + 1)
    const whilePaused = ticks.length
    monitor.resume()
    await expect.poll(() => ticks.length, { timeout: 10_000 }).toBeGreaterThan(whilePaused)
  })

  it('reads at once when started, or one interval on when told a read was just taken', async () => {
    const startedAt = (readNow: boolean): Promise<number> => {
      const monitor = new SocketMonitor(createSocketProvider(), { intervalMs: 5000 })
      monitors.push(monitor)
      const begun = Date.now()
      const firstTick = new Promise<number>((resolve) => monitor.onTick(() => resolve(Date.now() - begun)))
      monitor.start({ readNow })
      return firstTick
    }
    // A read takes far less than the 5 s interval, so the two cases sit on either side of it.
    expect(await startedAt(true)).toBeLessThan(5000)
    expect(await startedAt(false)).toBeGreaterThanOrEqual(5000)
  })
})
