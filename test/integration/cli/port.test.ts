/*
 * `sockscope port` against real loopback sockets: a listener held by a child process is named
 * with its pid and exits 1; `--wait` returns 0 once the test stops that listener, and not before;
 * a port left to TIME_WAIT only is told apart from a listener; `--timeout` gives up with exit 1.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { runBuiltCli } from '../../support/built-cli'
import { startProgram, stopPrograms } from '../../support/test-programs'
import type { PortReport } from '../../../shared/model/port-report'

afterEach(stopPrograms)

async function childListener(): Promise<{ pid: number; port: number; stop: () => Promise<void> }> {
  const program = await startProgram('listeners.js', ['1', 'port-holder'])
  const [port] = program.ready.ports as number[]
  if (port === undefined) throw new Error('listeners.js printed no port')
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      program.child.once('exit', () => resolve())
      program.child.kill('SIGTERM')
    })
  return { pid: program.pid, port, stop }
}

describe.skipIf(process.platform !== 'linux')('sockscope port', () => {
  it('names the listener and its pid, and exits 1 while it holds the port', async () => {
    const holder = await childListener()
    const run = await runBuiltCli('port', String(holder.port))
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`TCP port ${holder.port} is held by a listener of port-holder (pid ${holder.pid})`)
    expect(run.stdout).toContain('EADDRINUSE')
    expect(run.stdout).toContain(`kill ${holder.pid}`)

    const json = await runBuiltCli('port', String(holder.port), '--json')
    const report = JSON.parse(json.stdout) as PortReport
    expect(report).toMatchObject({ port: holder.port, protocol: 'tcp', free: false, verdict: 'listening' })
    expect(report.holders[0]).toMatchObject({ role: 'listener', pid: holder.pid, state: 'LISTEN' })
  })

  it('--wait exits 0 once the listener is closed, not before', async () => {
    const holder = await childListener()
    const startedAt = Date.now()
    const waiting = runBuiltCli('port', String(holder.port), '--wait', '--timeout', '30', '--interval', '0.2')
    // The CLI must still be waiting while the listener is up.
    let finishedEarly = false
    void waiting.then(() => (finishedEarly = true))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(finishedEarly).toBe(false)
    const closedAt = Date.now()
    await holder.stop()
    const run = await waiting
    const doneAt = Date.now()
    expect(run.code).toBe(0)
    expect(run.stderr).toContain(`waiting for TCP port ${holder.port} to be free`)
    const line = run.stdout.split('\n').find((text) => text.startsWith(`TCP port ${holder.port} is free (after `))
    expect(line, run.stdout).toBeDefined()
    const waitedSeconds = Number(/after ([\d.]+) s/.exec(line ?? '')?.[1])
    // It waited at least as long as the test held the listener, and no longer than the run took.
    expect(waitedSeconds).toBeGreaterThanOrEqual((closedAt - startedAt) / 1000 - 1)
    expect(waitedSeconds).toBeLessThanOrEqual((doneAt - startedAt) / 1000)
  })

  it('--wait --timeout gives up with exit 1 while the listener stays', async () => {
    const holder = await childListener()
    const run = await runBuiltCli('port', String(holder.port), '--wait', '--timeout', '1', '--interval', '0.2')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`TCP port ${holder.port} is still held after 1 s`)
  })

  it('a port left only to TIME_WAIT is told apart from a listener, and a free port exits 0', async () => {
    // The server side closes first, so its end (the listening port) goes to TIME_WAIT; then the listener closes.
    const server: Server = createServer((accepted: Socket) => accepted.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const client = connect(address.port, '127.0.0.1')
    client.on('data', () => undefined)
    await new Promise((resolve) => client.on('end', resolve))
    client.end()
    await new Promise((resolve) => client.on('close', resolve))
    await new Promise<void>((resolve) => server.close(() => resolve()))

    const run = await runBuiltCli('port', String(address.port), '--json')
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as PortReport
    expect(report.verdict).toBe('time-wait')
    expect(report.holders.map((holder) => holder.state)).toEqual(['TIME_WAIT'])
    expect(report.holders[0]?.pid).toBeNull()
    expect(report.explanation).toContain('SO_REUSEADDR')

    // A port nobody holds: bind one, note it, let it go.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const freePort = (probe.address() as { port: number }).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const free = await runBuiltCli('port', String(freePort))
    expect(free.code).toBe(0)
    expect(free.stdout).toContain(`TCP port ${freePort} is free`)
  })

  it('refuses a missing or impossible port with exit 2', async () => {
    expect((await runBuiltCli('port')).code).toBe(2)
    const tooHigh = await runBuiltCli('port', '70000')
    expect(tooHigh.code).toBe(2)
    expect(tooHigh.stderr).toContain('between 1 and 65535')
    expect((await runBuiltCli('port', '80', '--timeout', '3')).code).toBe(2)
  })
})
