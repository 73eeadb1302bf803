/*
 * `sockscope watch`, `check` and `diff` from the build, on real processes: a client leaking
 * connections into CLOSE_WAIT fails `check`, a steady busy server passes it, and a recording
 * made by `watch --record` is read back by `diff`.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_CLI, runBuiltCli } from '../../support/built-cli'
import { startProgram, stopPrograms, type RunningProgram } from '../../support/test-programs'
import { waitFor } from '../../support/wait-for'
import { elementAt } from '../../../shared/element-at'

let directory = ''
let server: RunningProgram
let leaky: RunningProgram
let steady: RunningProgram

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-cli-history-'))
  server = await startProgram('closing-server.js')
  leaky = await startProgram('leaky-client.js', [String(server.ready.port), '100', '1000'])
  steady = await startProgram('steady-server.js', ['200'])
})

afterAll(async () => {
  await stopPrograms()
  await rm(directory, { recursive: true, force: true })
})

describe.skipIf(process.platform !== 'linux')('sockscope check', () => {
  // The three watches run side by side on the same live table. A trend needs a few reads, and a
  // loaded machine may manage only one every second or two, so the leak is watched for fifteen seconds.
  it.concurrent(
    'exits 1 on the leaking client, naming the bound and the findings',
    async () => {
      const run = await runBuiltCli('check', '--pid', String(leaky.pid), '--max-close-wait', '10', '--duration', '15', '--interval', '0.25', '--json')
      expect(run.code, run.stderr).toBe(1)
      const result = JSON.parse(run.stdout)
      expect(result.ok).toBe(false)
      expect(result.processes).toHaveLength(1)
      expect(result.processes[0]).toMatchObject({ pid: leaky.pid, name: 'node' })
      expect(result.violations.map((violation: { bound: string }) => violation.bound)).toContain('max-close-wait')
      expect(result.violations[0].observed).toBeGreaterThan(10)
      const kinds = result.findings.map((finding: { kind: string }) => finding.kind)
      expect(kinds).toContain('growth')
      expect(kinds).toContain('close-wait')
      expect(result.findings.every((finding: { process: { pid: number } }) => finding.process.pid === leaky.pid)).toBe(true)
    },
    60_000
  )

  it.concurrent(
    'exits 1 without explicit bounds too, printing the findings as text',
    async () => {
      const run = await runBuiltCli('check', '--pid', String(leaky.pid), '--duration', '15', '--interval', '0.25')
      expect(run.code, run.stderr).toBe(1)
      expect(run.stdout).toMatch(/^FAILED: pid \d+ went out of bounds/)
      expect(run.stdout).toMatch(/\[warning\] growth: node \(pid \d+\) keeps opening sockets/)
      expect(run.stdout).toContain('What to do:')
    },
    60_000
  )

  it.concurrent(
    'exits 0 on the steady server',
    async () => {
      const run = await runBuiltCli('check', '--pid', String(steady.pid), '--max-close-wait', '10', '--max-growth', '60', '--duration', '5', '--interval', '0.25', '--json')
      expect(run.code, run.stdout).toBe(0)
      const result = JSON.parse(run.stdout)
      expect(result).toMatchObject({ ok: true, violations: [], findings: [] })
      // 200 connections with both ends in the process: about 400 sockets. A few are between a close and
      // the reconnect at any moment, and a read is not atomic across the table and the fd walk, so the
      // peak is checked to be the whole set give or take that churn, never a sample of it.
      expect(result.processes[0].peakSockets).toBeGreaterThanOrEqual(360)
    },
    20_000
  )

  it('says how long it really watched when a signal stops it early', async () => {
    const spawnedAt = Date.now()
    const child = spawn(process.execPath, [BUILT_CLI, 'check', '--pid', String(steady.pid), '--duration', '600', '--interval', '0.25', '--json'])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // Stop it once it says it is watching: a slow machine may take a while to get there.
    await waitFor(() => stderr.includes('watching pid'), 15_000, 'the check to start watching')
    expect(stderr).toContain(`watching pid ${steady.pid} for 600 s; Ctrl-C stops early`)
    child.kill('SIGINT')
    const [code] = (await once(child, 'exit')) as [number | null]
    const ranSeconds = (Date.now() - spawnedAt) / 1000
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.stoppedEarly).toBe(true)
    // It watched until the signal: some time, and no longer than the process ran (the report
    // rounds to a tenth of a second).
    expect(result.durationSeconds).toBeGreaterThan(0)
    expect(result.durationSeconds).toBeLessThanOrEqual(ranSeconds + 0.05)
  }, 20_000)

  it('refuses bad arguments with exit 2', async () => {
    expect((await runBuiltCli('check', '--pid', '1', '--process', 'x')).code).toBe(2)
    expect((await runBuiltCli('check', '--max-sockets', 'many')).code).toBe(2)
    const missing = await runBuiltCli('check', '--pid', '2147483000')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no process with pid 2147483000')
  })
})

describe.skipIf(process.platform !== 'linux')('sockscope watch and diff', () => {
  it('streams one JSON line per tick, filtered, at the interval and within the duration', async () => {
    const listener = createServer()
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done))
    const port = (listener.address() as AddressInfo).port
    const intervalMs = 200
    const durationMs = 1000
    const startedAt = Date.now()
    // The whole identity of the listener: a TIME_WAIT socket may carry the same port number.
    const run = await runBuiltCli('watch', '--json', '--interval', '0.2', '--duration', '1', '--filter', `laddr:127.0.0.1 lport:${port} state:listen`)
    const endedAt = Date.now()
    listener.close()
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    // A loaded machine may manage only one read in the second; reads never come closer than the
    // interval, so a second has room for at most duration / interval + 1 of them, plus the last
    // read taken at the deadline.
    expect(lines.length).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(durationMs / intervalMs + 2)
    expect(lines.map((line) => line.tick)).toEqual(lines.map((_, index) => index + 1))
    const times: number[] = lines.map((line) => line.takenAt)
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(startedAt)
      expect(time).toBeLessThanOrEqual(endedAt)
    }
    expect([...times].sort((first, second) => first - second)).toEqual(times)
    // Every read but the last started before the deadline, a duration after the first read.
    for (const time of times.slice(0, -1)) expect(time - elementAt(times, 0)).toBeLessThan(durationMs)
    for (const line of lines) {
      expect(new Date(line.time).getTime()).toBe(line.takenAt)
      expect(line).toMatchObject({ type: 'tick', sockets: 1, states: { LISTEN: 1 }, appeared: [], cleared: [] })
      expect(line.processes[0].pid).toBe(process.pid)
    }
  })

  it('records with --record, and diff reads the recording back', async () => {
    const file = join(directory, 'watch.sockscope.gz')
    const run = await runBuiltCli('watch', '--json', '--interval', '0.25', '--duration', '2', '--record', file, '--filter', `pid:${leaky.pid}`)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/recorded \d+ ticks to/)
    const ticks = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const first = ticks[0]
    const last = ticks[ticks.length - 1]

    const diff = await runBuiltCli('diff', file, '--from', 'start', '--to', 'end', '--json')
    expect(diff.code, diff.stderr).toBe(0)
    const parsed = JSON.parse(diff.stdout)
    // The leaking client only ever adds sockets, so what opened is the difference in counts.
    expect(parsed.opened.length).toBe(last.sockets - first.sockets)
    expect(parsed.closed).toEqual([])
    expect(parsed.opened.every((socket: { pid: number }) => socket.pid === leaky.pid)).toBe(true)

    const text = await runBuiltCli('diff', file, '--from', '0', '--to', String(last.takenAt))
    expect(text.stdout).toMatch(new RegExp(`^From .*: ${parsed.opened.length} opened, 0 closed`))
    const csv = await runBuiltCli('diff', file, '--from', 'start', '--to', 'end', '--csv')
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^change,previous_state,protocol/)
  }, 20_000)

  it('explains an unreadable recording and a bad time', async () => {
    const junk = join(directory, 'junk.txt')
    await writeFile(junk, 'not a recording\n')
    const bad = await runBuiltCli('diff', junk, '--from', 'start', '--to', 'end')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/line 1: not a sockscope recording/)
    const file = join(directory, 'watch.sockscope.gz')
    const badTime = await runBuiltCli('diff', file, '--from', 'yesterday-ish', '--to', 'end')
    expect(badTime.code).toBe(2)
    expect(badTime.stderr).toContain('offset from the start')
  })
})
