/**
 * `sockscope events` from the build, on real loopback connections this test opens: a 20 ms
 * connection with known bytes, a 3 s one attributed to this process, the filter, and losses
 * counted when a tiny receive buffer overflows.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BUILT_CLI, runBuiltCli } from '../../support/built-cli'
import { openKnownConnection, type KnownConnection } from '../../support/netlink/loopback-connection'
import { waitFor } from '../../support/wait-for'

const isLinux = process.platform === 'linux'
const CHURN_PROGRAM = join(__dirname, '../../fixtures/programs/connection-churn.js')

interface EventLine {
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  state: string
  uid: number | null
  pid: number | null
  process: string | null
  openedAt: number | null
  closedAt: number
  durationMs: number | null
  tcpInfo: { bytesSent: number | null; bytesReceived: number | null } | null
  lost?: number
  totalLost?: number
}

/** A running `sockscope events`, with every stdout line parsed as it arrives. */
interface RunningEvents {
  readonly child: ChildProcess
  readonly lines: EventLine[]
  readonly stderr: () => string
}

const running: ChildProcess[] = []
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL')
})

/** Starts `sockscope events --json …` and resolves once it says it listens. */
async function startEvents(...args: string[]): Promise<RunningEvents> {
  const child = spawn(process.execPath, [BUILT_CLI, 'events', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(child)
  const lines: EventLine[] = []
  let stderr = ''
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as EventLine))
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()))
  await waitFor(() => stderr.includes('listening for closed TCP connections'), 15_000, 'sockscope events to listen')
  return { child, lines, stderr: () => stderr }
}

/** Ends a known connection the polite way: the client closes, the server answers with its own FIN. */
async function closeGracefully(connection: KnownConnection): Promise<void> {
  const closed = new Promise((resolve) => connection.client.once('close', resolve))
  connection.accepted.on('end', () => connection.accepted.end())
  connection.client.end()
  await closed
  await connection.close()
}

/** Both ends of the connection through `serverPort` among the lines. */
function ends(lines: readonly EventLine[], serverPort: number, clientPort: number): { client?: EventLine; server?: EventLine } {
  return {
    client: lines.find((line) => line.localPort === clientPort && line.remotePort === serverPort),
    server: lines.find((line) => line.localPort === serverPort && line.remotePort === clientPort)
  }
}

async function stop(events: RunningEvents): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => events.child.once('exit', (code) => resolve(code)))
  events.child.kill('SIGINT')
  return exited
}

describe.skipIf(!isLinux)('sockscope events', () => {
  it('prints a 20 ms connection no read saw, with its final bytes, as closed before it could be attributed', async () => {
    // Reads 5 s apart: the first one happened before "listening", the next long after the close.
    const events = await startEvents('--interval', '5')
    const connection = await openKnownConnection(300, 700)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await closeGracefully(connection)
    await waitFor(() => Object.values(ends(events.lines, connection.serverPort, connection.clientPort)).every(Boolean), 10_000, 'both ends')
    const { client, server } = ends(events.lines, connection.serverPort, connection.clientPort)
    // Each end also counts the other's FIN as one received byte.
    expect(client).toMatchObject({ localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', state: 'CLOSE', tcpInfo: { bytesSent: 300, bytesReceived: 701 } })
    expect(server?.tcpInfo).toMatchObject({ bytesSent: 700, bytesReceived: 301 })
    expect(client).toMatchObject({ pid: null, process: null, uid: null, openedAt: null, durationMs: null })
    expect(Object.keys(client!)).toEqual([
      'localAddress',
      'localPort',
      'remoteAddress',
      'remotePort',
      'state',
      'uid',
      'pid',
      'process',
      'openedAt',
      'closedAt',
      'durationMs',
      'tcpInfo'
    ])
    expect(await stop(events)).toBe(0)
  })

  it('attributes a 3 s connection to the process that held it, with its duration', async () => {
    const events = await startEvents('--interval', '0.2')
    const openedAfter = Date.now()
    const connection = await openKnownConnection(10, 20)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    await closeGracefully(connection)
    const closedBefore = Date.now()
    await waitFor(() => Object.values(ends(events.lines, connection.serverPort, connection.clientPort)).every(Boolean), 10_000, 'both ends')
    const { client } = ends(events.lines, connection.serverPort, connection.clientPort)
    expect(client).toMatchObject({ pid: process.pid, uid: process.getuid!() })
    expect(client!.process).not.toBeNull()
    expect(client!.durationMs).toBeGreaterThanOrEqual(2_000)
    expect(client!.openedAt).toBeGreaterThanOrEqual(openedAfter)
    expect(client!.closedAt).toBeLessThanOrEqual(closedBefore + 1_000)
    expect(client!.durationMs).toBe(client!.closedAt - client!.openedAt!)
  })

  it('prints only the connections the filter matches', async () => {
    const first = await openKnownConnection(1, 1)
    const second = await openKnownConnection(1, 1)
    const events = await startEvents('--filter', `port:${second.serverPort}`)
    await closeGracefully(first)
    await closeGracefully(second)
    await waitFor(() => events.lines.filter((line) => line.localPort === second.serverPort || line.remotePort === second.serverPort).length === 2, 10_000, 'the matching ends')
    // The other connection closed first, so it would have been printed by now.
    expect(events.lines.filter((line) => line.localPort === first.serverPort || line.remotePort === first.serverPort)).toEqual([])
    expect(events.lines.every((line) => line.localPort === second.serverPort || line.remotePort === second.serverPort)).toBe(true)
  })

  it('refuses a bad filter with exit 2 and says where it is wrong', async () => {
    const result = await runBuiltCli('events', '--filter', 'prot:tcp')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('bad --filter')
    expect(result.stderr).toContain('did you mean "proto"')
    expect(result.stdout).toBe('')
  })

  it('counts and reports close events lost when a tiny receive buffer overflows', async () => {
    // Only the lost-count lines are wanted; the filter matches no connection.
    const events = await startEvents('--receive-buffer', '1', '--filter', 'lport:1')
    // Few enough connections that their TIME_WAIT sockets do not trip the time-wait rule of
    // leak tests running beside this one; a 2 KiB buffer holds only a handful of events.
    const churn = spawn(process.execPath, [CHURN_PROGRAM, '500'], { stdio: 'ignore' })
    await new Promise((resolve) => churn.once('exit', resolve))
    await waitFor(() => events.lines.some((line) => (line.totalLost ?? 0) > 0), 10_000, 'a lost report')
    const reports = events.lines.filter((line) => line.lost !== undefined)
    // Each report adds to the running total, which only grows.
    let total = 0
    for (const report of reports) {
      expect(report.lost).toBeGreaterThan(0)
      total += report.lost!
      expect(report.totalLost).toBe(total)
    }
    expect(events.stderr()).toMatch(/receive buffer [1-9]\d* KiB/)
  })
})
