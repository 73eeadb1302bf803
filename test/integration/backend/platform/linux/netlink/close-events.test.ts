/*
 * Close events from the kernel's sock_diag destroy groups, on real loopback connections. The
 * groups carry every TCP close in the namespace, other processes' too, so each test picks out
 * its own connections by port.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseEventSubscription } from '../../../../../../electron/backend/platform/linux/netlink/close-events'
import type { InetDiagSocket } from '../../../../../../electron/backend/platform/linux/netlink/inet-diag'
import { openKnownConnection } from '../../../../../support/netlink/loopback-connection'
import { waitFor } from '../../../../../support/wait-for'
import { elementAt } from '../../../../../../shared/element-at'

const isLinux = process.platform === 'linux'
const isRoot = process.getuid?.() === 0
const pause = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds))

/** The program that opens and closes loopback connections (see its header). */
const CHURN_PROGRAM = join(__dirname, '../../../../../fixtures/programs/connection-churn.js')

/** Sockets of the connections to or from `port` (not the listener) in everything received. */
function connectionEnds(batches: readonly (readonly InetDiagSocket[])[], port: number): InetDiagSocket[] {
  return batches.flat().filter((socket) => (socket.localPort === port && socket.remotePort !== 0) || socket.remotePort === port)
}

describe.skipIf(!isLinux)('close events', () => {
  const subscriptions: CloseEventSubscription[] = []
  afterEach(() => {
    for (const subscription of subscriptions.splice(0)) subscription.close()
  })

  function subscribe(options: Parameters<typeof CloseEventSubscription.start>[0] = {}): { subscription: CloseEventSubscription; batches: InetDiagSocket[][] } {
    const subscription = CloseEventSubscription.start(options)
    subscriptions.push(subscription)
    const batches: InetDiagSocket[][] = []
    subscription.on('closed', (batch) => batches.push([...batch.sockets]))
    return { subscription, batches }
  }

  it('reports a 20 ms connection, both ends, with their final byte counts', async () => {
    const { subscription, batches } = subscribe()
    const startedAt = Date.now()
    let receivedAt = 0
    subscription.on('closed', (batch) => (receivedAt = Math.max(receivedAt, batch.receivedAt)))
    const connection = await openKnownConnection(300, 700)
    await pause(20)
    connection.accepted.on('end', () => connection.accepted.end())
    connection.client.end()
    await waitFor(() => connectionEnds(batches, connection.serverPort).length === 2, 5_000, 'both close events')
    await connection.close()

    const ends = connectionEnds(batches, connection.serverPort)
    const client = ends.find((socket) => socket.localPort === connection.clientPort)
    const server = ends.find((socket) => socket.remotePort === connection.clientPort)
    expect(client).toMatchObject({ protocol: 'tcp', family: 4, state: 'CLOSE', localAddress: '127.0.0.1', remotePort: connection.serverPort, inode: 0 })
    // Each end also received the other's FIN, one byte of sequence space.
    expect(client?.tcpInfo).toMatchObject({ bytesSent: 300, bytesReceived: 701 })
    expect(server?.tcpInfo).toMatchObject({ bytesSent: 700, bytesReceived: 301 })
    expect(receivedAt).toBeGreaterThanOrEqual(startedAt)
    expect(receivedAt).toBeLessThanOrEqual(Date.now())
    expect(subscription.stats()).toMatchObject({ lost: 0, overflows: 0, skipped: 0 })
  })

  it('reports IPv6 closes too', async () => {
    const { batches } = subscribe()
    const connection = await openKnownConnection(5, 6, '::1')
    await connection.close()
    await waitFor(() => connectionEnds(batches, connection.serverPort).length === 2, 5_000, 'both close events')
    expect(connectionEnds(batches, connection.serverPort).every((socket) => socket.family === 6 && socket.localAddress === '::1')).toBe(true)
  })

  it('counts every event it could not keep when its buffer overflows, keeps listening after, and a raised buffer keeps them all', async () => {
    const connections = 300
    const small = subscribe({ receiveBufferBytes: 4096 })
    const large = subscribe()
    let reportedLost = 0
    small.subscription.on('lost', (count, total) => {
      reportedLost += count
      expect(total).toBe(reportedLost)
    })
    // spawnSync holds this event loop while the child opens and closes the connections, so the
    // small buffer fills up and the kernel drops what does not fit.
    const churn = spawnSync(process.execPath, [CHURN_PROGRAM, String(connections)], { encoding: 'utf8', timeout: 60_000 })
    expect(churn.status).toBe(0)
    const port = Number((JSON.parse(elementAt(churn.stdout.split('\n'), 0)) as { port: number }).port)
    await waitFor(() => connectionEnds(large.batches, port).length === 2 * connections, 10_000, 'every close event on the large buffer')
    // Let the small subscription drain what it kept.
    await pause(200)

    const kept = connectionEnds(small.batches, port).length
    const stats = small.subscription.stats()
    expect(stats.overflows).toBeGreaterThanOrEqual(1)
    expect(stats.lost).toBeGreaterThan(0)
    expect(reportedLost).toBe(stats.lost)
    expect(kept).toBeLessThan(2 * connections)
    // Nothing vanished silently: what was kept plus what was counted lost covers every close
    // (lost may also include other processes' closes from the same moment).
    expect(kept + stats.lost).toBeGreaterThanOrEqual(2 * connections)
    expect(large.subscription.stats()).toMatchObject({ lost: 0, overflows: 0 })
    // Root passes net.core.rmem_max with SO_RCVBUFFORCE: the default 8 MiB, which the kernel reports doubled.
    if (isRoot) expect(large.subscription.stats().receiveBufferBytes).toBe(2 * 8 * 1024 * 1024)

    // After the overflow, with the event loop free, a slow churn is still heard (or counted lost).
    const lostBefore = stats.lost
    const later = spawn(process.execPath, [CHURN_PROGRAM, '40', '100'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const laterPort = Number(
      (JSON.parse(await new Promise<string>((resolve) => later.stdout.once('data', (data: Buffer) => resolve(elementAt(data.toString().split('\n'), 0))))) as { port: number }).port
    )
    await new Promise((resolve) => later.once('exit', resolve))
    await waitFor(() => connectionEnds(large.batches, laterPort).length === 80, 10_000, 'the later closes on the large buffer')
    await pause(200)
    const keptLater = connectionEnds(small.batches, laterPort).length
    expect(keptLater).toBeGreaterThan(0)
    expect(keptLater + small.subscription.stats().lost - lostBefore).toBeGreaterThanOrEqual(80)
  })

  it('waits on the event loop without spinning: an idle second costs little CPU', async () => {
    subscribe()
    const before = process.cpuUsage()
    const started = performance.now()
    await pause(1000)
    const elapsedMs = performance.now() - started
    const used = process.cpuUsage(before)
    const cpuMs = (used.user + used.system) / 1000
    // A loop that polled the socket would use the whole second; waiting uses a few milliseconds
    // (plus whatever closes other processes make meanwhile).
    expect(cpuMs).toBeLessThan(elapsedMs * 0.2)
  })

  it('stops on close and, once unreferenced, does not keep a process alive', async () => {
    const { subscription, batches } = subscribe()
    subscription.close()
    subscription.close()
    expect(subscription.isClosed).toBe(true)
    const connection = await openKnownConnection(1, 1)
    await connection.close()
    await pause(100)
    expect(connectionEnds(batches, connection.serverPort)).toEqual([])

    const modulePath = join(__dirname, '../../../../../../electron/backend/platform/linux/netlink/close-events.ts')
    const script = `const { CloseEventSubscription } = require(${JSON.stringify(modulePath)})
      CloseEventSubscription.start().unref()
      setTimeout(() => process.stdout.write('still here'), 50)`
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    const code = await new Promise<number | null>((resolve) => {
      const giveUp = (): void => {
        child.kill('SIGKILL')
        resolve(null)
      }
      // Starting node with tsx is slow on a loaded machine; once the line is out, an unreferenced
      // subscription must let the process end at once, so a few seconds from then is ample.
      let timer = setTimeout(giveUp, 60_000)
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString()
        clearTimeout(timer)
        timer = setTimeout(giveUp, 5_000)
      })
      child.once('exit', (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode)
      })
    })
    expect(output).toBe('still here')
    expect(code).toBe(0)
  }, 90_000)
})
