/*
 * `sockscope run` from the build, on real processes and loopback sockets: a CLOSE_WAIT leaker
 * fails it with a JUnit failure, a steady program passes, the exit status mirrors the command's
 * (codes, signals, a command that cannot start), a forking command is followed into the child it
 * leaves behind, and marks split the run into phases.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../../shared/model/run-report'
import { BUILT_CLI } from '../../support/built-cli'
import { waitFor } from '../../support/wait-for'
import { elementAt } from '../../../shared/element-at'

const PROGRAMS = join(__dirname, '../../fixtures/programs')
const program = (name: string): string => join(PROGRAMS, name)

let directory = ''
const leftBehind: number[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sockscope-cli-run-'))
})

afterAll(async () => {
  for (const pid of leftBehind) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  await rm(directory, { recursive: true, force: true })
})

/** How a sockscope run ended: its code or the signal that ended it, and what it printed. */
interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Starts `sockscope ...args`; `ended` resolves when it exits. */
function startCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [BUILT_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()))
  const ended = new Promise<Ended>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, ...output })))
  return { child, output, ended }
}

function runCli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Ended> {
  return startCli(args, env).ended
}

async function readReport(path: string): Promise<RunReport> {
  return JSON.parse(await readFile(path, 'utf8')) as RunReport
}

/** A JUnit file read by Python's own XML parser: every testcase with whether it has a <failure>. */
function parseJunit(path: string): { tests: number; failures: number; cases: { classname: string; name: string; failed: boolean }[] } {
  const script = [
    'import json, sys, xml.etree.ElementTree as ET',
    'root = ET.parse(sys.argv[1]).getroot()',
    'cases = [{"classname": c.get("classname"), "name": c.get("name"), "failed": c.find("failure") is not None} for c in root.iter("testcase")]',
    'print(json.dumps({"tests": int(root.get("tests")), "failures": int(root.get("failures")), "cases": cases}))'
  ].join('\n')
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }))
}

describe.skipIf(process.platform !== 'linux')('sockscope run', () => {
  it('fails on a CLOSE_WAIT leaker, naming the finding, with a JUnit failure', async () => {
    const junit = join(directory, 'leaker.xml')
    const json = join(directory, 'leaker.json')
    // Four marks 1.1 s apart: the sockets are seen aging past the detector's second however long
    // a read of a busy machine's tables takes.
    const run = await runCli([
      'run',
      '--interval',
      '0.1',
      '--max-close-wait',
      '5',
      '--junit',
      junit,
      '--json',
      json,
      '--',
      process.execPath,
      program('close-wait-leaker.js'),
      '10',
      '4'
    ])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toMatch(/\[warning\] close-wait: node \(pid \d+\) leaves connections in CLOSE_WAIT/)
    expect(run.stderr).toContain('FAIL max-close-wait: at most 10 sockets in CLOSE_WAIT at once; the bound is 5.')
    expect(run.stderr).toMatch(/clients of :\d+ from 127\.0\.0\.1: at most 10 at once/)

    const report = await readReport(json)
    expect(report.exit).toEqual({ code: 0, signal: null, startError: null })
    expect(report.closeWait.peak).toBe(10)
    expect(report.assertions).toEqual([expect.objectContaining({ name: 'max-close-wait', limit: 5, observed: 10, passed: false })])
    const finding = report.findings.find((candidate) => candidate.kind === 'close-wait')
    expect(finding?.process?.pid).toBe(elementAt(report.processes, 0).pid)
    expect((await stat(junit)).mode & 0o777).toBe(0o600)

    const parsed = parseJunit(junit)
    expect(parsed.failures).toBe(1)
    expect(parsed.cases.find((test) => test.name === 'max-close-wait 5')?.failed).toBe(true)
    // Without --fail-on-findings a finding is listed with its evidence, not failed.
    expect(parsed.cases.find((test) => test.classname === 'sockscope.run.findings.close-wait')?.failed).toBe(false)
  }, 60_000)

  it('passes a steady program with a clean JUnit file and a step summary', async () => {
    const junit = join(directory, 'steady.xml')
    const json = join(directory, 'steady.json')
    const summary = join(directory, 'summary.md')
    // One listener and five connections with both ends in the process: eleven sockets.
    const run = await runCli(
      [
        'run',
        '--interval',
        '0.1',
        '--max-close-wait',
        '0',
        '--max-sockets',
        '11',
        '--max-fd-percent',
        '50',
        '--junit',
        junit,
        '--json',
        json,
        '--',
        process.execPath,
        program('steady-holder.js'),
        '5',
        '500'
      ],
      {
        ...process.env,
        GITHUB_STEP_SUMMARY: summary
      }
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('OK: every assertion held')
    const report = await readReport(json)
    expect(report.sockets.peakHeld).toBe(11)
    expect(report.sockets.peakByState).toMatchObject({ LISTEN: 1, ESTABLISHED: 10 })
    expect(report.findings).toEqual([])
    expect(report.fileDescriptors.peak?.softLimit).toBeGreaterThan(0)
    const parsed = parseJunit(junit)
    expect(parsed).toMatchObject({ tests: 4, failures: 0 })
    const markdown = await readFile(summary, 'utf8')
    expect(markdown).toContain('### sockscope run: ')
    expect(markdown).toContain('| `max-sockets 11` | pass |')
  }, 60_000)

  it('fails the same steady program one socket below its peak', async () => {
    const json = join(directory, 'steady-tight.json')
    const run = await runCli(['run', '--interval', '0.1', '--max-sockets', '10', '--json', json, '--', process.execPath, program('steady-holder.js'), '5', '500'])
    expect(run.code, run.stderr).toBe(1)
    const report = await readReport(json)
    expect(report.assertions).toEqual([expect.objectContaining({ name: 'max-sockets', observed: 11, passed: false })])
  }, 60_000)

  it('lets the command fail first: its exit code wins over a broken assertion', async () => {
    const json = join(directory, 'both.json')
    const run = await runCli(['run', '--interval', '0.1', '--max-close-wait', '5', '--json', json, '--', process.execPath, program('close-wait-leaker.js'), '10', '1', '3'])
    expect(run.code, run.stderr).toBe(3)
    const report = await readReport(json)
    expect(report.exit.code).toBe(3)
    expect(report.assertionsPassed).toBe(false)
    expect(run.stderr).toContain('FAILED: the command exited with code 3; broken too: max-close-wait')
  }, 60_000)

  it('counts connections too short for any sample from close events: the TIME_WAIT churn', async () => {
    const json = join(directory, 'churn.json')
    // 300 loopback connections to the command's own listener over 3 s, each over in a few milliseconds.
    const run = await runCli(['run', '--interval', '0.2', '--json', json, '--', process.execPath, program('connection-churn.js'), '300', '100'])
    expect(run.code, run.stderr).toBe(0)
    const { timeWait } = await readReport(json)
    // Each connection counts once, both of its ends being the tree's; a close event the kernel dropped under load would be missing.
    expect(timeWait.closedConnections).toBeGreaterThanOrEqual(290)
    expect(timeWait.closedConnections).toBeLessThanOrEqual(300)
    // The samples see only the TIME_WAIT ends of connections they caught open: far fewer.
    expect(timeWait.seen).toBeLessThan(timeWait.closedConnections ?? 0)
    expect(run.stderr).toMatch(/connections closed: \d+ \([\d.]+ a minute, from close events/)
  }, 60_000)

  it('reports a command that exits at once, and passes its exit code through', async () => {
    const zero = await runCli(['run', '--json', '-', '--', process.execPath, '-e', 'process.stdout.write("hello from the command\\n")'])
    expect(zero.code, zero.stderr).toBe(0)
    // The command's own output comes first, then the report.
    expect(zero.stdout.startsWith('hello from the command\n')).toBe(true)
    const report = JSON.parse(zero.stdout.slice('hello from the command\n'.length)) as RunReport
    expect(report.exit).toEqual({ code: 0, signal: null, startError: null })
    expect(report.samples).toBeGreaterThanOrEqual(1)

    const seven = await runCli(['run', '--', 'sh', '-c', 'exit 7'])
    expect(seven.code).toBe(7)
    expect(seven.stderr).toContain('exited with code 7')

    const missing = await runCli(['run', '--', join(directory, 'no-such-program')])
    expect(missing.code).toBe(127)
    expect(missing.stderr).toContain('could not start:')
  }, 60_000)

  it('reports a command killed by SIGKILL, then ends by the same signal', async () => {
    const run = await runCli(['run', '--', process.execPath, '-e', 'process.kill(process.pid, "SIGKILL")'])
    expect(run.signal).toBe('SIGKILL')
    expect(run.stderr).toContain('was killed by SIGKILL')
  }, 60_000)

  it('passes SIGTERM on to the command, reports, and ends by SIGTERM', async () => {
    const started = startCli(['run', '--interval', '0.1', '--', process.execPath, '-e', 'console.log("running " + process.pid); setInterval(() => {}, 1000)'])
    await waitFor(() => started.output.stdout.includes('running '), 15_000, 'the command to start')
    const commandPid = Number(/running (\d+)/.exec(started.output.stdout)![1])
    started.child.kill('SIGTERM')
    const run = await started.ended
    expect(run.signal).toBe('SIGTERM')
    expect(run.stderr).toContain('was killed by SIGTERM')
    expect(existsSync(`/proc/${commandPid}`)).toBe(false)
  }, 60_000)

  it('follows a forking command into the child it leaves running, and lists what that child holds', async () => {
    const ready = join(directory, 'holder.pid')
    const json = join(directory, 'fork.json')
    // A mark before the child starts makes the run take a sample then, so the recording starts before the
    // child's sockets exist however long the run took to start. The shell lingers a second after the child is
    // ready: more than one owner rescan apart (at most one every 250 ms), so a sample sees the child's sockets as its own.
    const script = `"$0" "$3" mark child-starts; "$0" "$1" "$2" >/dev/null 2>&1 & while [ ! -s "$2" ]; do sleep 0.05; done; sleep 1; exit 0`
    const recording = join(directory, 'fork.jsonl.gz')
    const run = await runCli([
      'run',
      '--interval',
      '0.1',
      '--json',
      json,
      '--record',
      recording,
      '--',
      'sh',
      '-c',
      script,
      process.execPath,
      program('background-holder.js'),
      ready,
      BUILT_CLI
    ])
    const holderPid = Number(await readFile(ready, 'utf8'))
    leftBehind.push(holderPid)
    expect(run.code, run.stderr).toBe(0)
    const report = await readReport(json)
    const shell = elementAt(report.processes, 0)
    expect(shell.name).toBe('sh')
    expect(report.processes).toContainEqual(expect.objectContaining({ pid: holderPid, parentPid: shell.pid, name: 'node', exitedAt: null }))
    const held = report.heldAfterExit.filter((socket) => socket.pid === holderPid)
    expect(held.map((socket) => socket.state).sort()).toEqual(['ESTABLISHED', 'ESTABLISHED', 'LISTEN'])
    expect(run.stderr).toContain(`Held after the main process exited (3)`)
    expect(run.stderr).toContain(`Still running after the command ended: node (pid ${holderPid})`)
    expect(existsSync(`/proc/${holderPid}`)).toBe(true)

    // The recording holds the tree's samples: from the first to the last, the child's sockets opened.
    expect(report.recording).toMatchObject({ path: recording, error: null })
    // The history skips a sample it cannot keep up with, so the recording may hold fewer than were taken.
    expect(report.recording!.ticks).toBeGreaterThan(0)
    expect(report.recording!.ticks).toBeLessThanOrEqual(report.samples)
    expect((await stat(recording)).mode & 0o777).toBe(0o600)
    const diff = await runCli(['diff', recording, '--from', 'start', '--to', 'end', '--json'])
    expect(diff.code, diff.stderr).toBe(0)
    const opened = (JSON.parse(diff.stdout) as { opened: { pid: number; state: string }[] }).opened
    expect(
      opened
        .filter((socket) => socket.pid === holderPid)
        .map((socket) => socket.state)
        .sort()
    ).toEqual(['ESTABLISHED', 'ESTABLISHED', 'LISTEN'])
  }, 60_000)

  it('splits the run into phases at each mark and names the sockets each left open', async () => {
    const json = join(directory, 'marks.json')
    const run = await runCli(['run', '--interval', '0.5', '--json', json, '--', process.execPath, program('marked-phases.js'), BUILT_CLI])
    expect(run.code, run.stderr).toBe(0)
    const report = await readReport(json)
    expect(report.phases.map((phase) => phase.label)).toEqual(['setup', 'test: uploads', 'test: downloads', 'teardown'])
    const [setup, uploads, downloads, teardown] = [elementAt(report.phases, 0), elementAt(report.phases, 1), elementAt(report.phases, 2), elementAt(report.phases, 3)]
    expect(setup.stillOpen.map((socket) => socket.state)).toEqual(['LISTEN'])
    expect(uploads.stillOpenCount).toBe(4)
    expect(uploads.stillOpen.every((socket) => socket.protocol === 'tcp' && socket.state === 'ESTABLISHED')).toBe(true)
    // The mark's own connection, open while the sample at 'teardown' was taken, is not the test's.
    expect(downloads.stillOpen).toEqual([])
    expect(teardown.stillOpen).toEqual([])
    expect(run.stderr).toMatch(/opened during 'test: uploads' and still open at its end: tcp 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ ESTABLISHED, node \(pid \d+\), open \d/)
    for (const phase of report.phases) expect(phase.endedAt).toBeGreaterThanOrEqual(phase.startedAt)
  }, 60_000)

  it('names its mark socket in a private folder (0700) and removes the folder at the end', async () => {
    const run = await runCli(['run', '--', 'sh', '-c', 'echo "$SOCKSCOPE_MARK_SOCKET"; stat -c %a "$(dirname "$SOCKSCOPE_MARK_SOCKET")"; stat -c %F "$SOCKSCOPE_MARK_SOCKET"'])
    expect(run.code, run.stderr).toBe(0)
    const [path = '', mode, kind] = run.stdout.trim().split('\n')
    expect(path).toMatch(/\/sockscope-run-[^/]+\/mark\.sock$/)
    expect(mode).toBe('700')
    expect(kind).toBe('socket')
    expect(existsSync(join(path, '..'))).toBe(false)
  }, 60_000)

  it('takes marks from the Python snippet too', async () => {
    const json = join(directory, 'python.json')
    const run = await runCli(['run', '--json', json, '--', 'python3', program('python-marks.py')])
    expect(run.code, run.stderr).toBe(0)
    const report = await readReport(json)
    expect(report.phases.map((phase) => [phase.label, phase.stillOpen.map((socket) => socket.state)])).toEqual([
      ['python: idle', ['LISTEN']],
      ['python: done', []]
    ])
  }, 60_000)
})

describe('sockscope run arguments and report files', () => {
  it('refuses a missing command, a missing "--" and bad bounds with exit 2, before starting anything', async () => {
    for (const args of [
      ['run'],
      ['run', 'true'],
      ['run', '--'],
      ['run', '--max-close-wait', 'x', '--', 'true'],
      ['run', '--max-fd-percent', '101', '--', 'true'],
      ['run', '--junit', '-', '--', 'true']
    ]) {
      const run = await runCli(args)
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toContain('Run "sockscope run --help" for usage.')
    }
  })

  it('keeps only the verdict with --quiet', async () => {
    const run = await runCli(['run', '--quiet', '--max-sockets', '0', '--', 'sh', '-c', 'exit 0'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe('OK: every assertion held\n')
  })

  it('does not start the command when its recording cannot be made', async () => {
    const marker = join(directory, 'ran')
    const run = await runCli(['run', '--record', join(directory, 'missing-folder', 'r.jsonl.gz'), '--', 'touch', marker])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^sockscope run: .*ENOENT/m)
    expect(existsSync(marker)).toBe(false)
  })

  it('exits 1 when a report cannot be written, and never writes through a planted link', async () => {
    const target = join(directory, 'target.txt')
    await writeFile(target, 'untouched')
    const link = join(directory, 'planted.xml')
    await symlink(target, link)
    const run = await runCli(['run', '--junit', link, '--json', join(directory, 'missing-folder', 'r.json'), '--', 'true'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`cannot write the JUnit report to ${link}: ${link} is a symbolic link`)
    expect(run.stderr).toContain('cannot write the JSON report to ')
    expect(await readFile(target, 'utf8')).toBe('untouched')
  })
})

describe('sockscope mark outside a run', () => {
  it('warns and exits 0, so a test suite runs the same without sockscope', async () => {
    const env = { ...process.env }
    delete env.SOCKSCOPE_MARK_SOCKET
    const outside = await runCli(['mark', 'test: uploads'], env)
    expect(outside.code).toBe(0)
    expect(outside.stderr).toContain('not under "sockscope run" (SOCKSCOPE_MARK_SOCKET is not set); mark \'test: uploads\' ignored')
    const gone = await runCli(['mark', 'x'], { ...process.env, SOCKSCOPE_MARK_SOCKET: join(directory, 'nobody-listens.sock') })
    expect(gone.code).toBe(0)
    expect(gone.stderr).toContain("mark 'x' not taken: ")
    const usage = await runCli(['mark'], env)
    expect(usage.code).toBe(2)
  })
})
