/**
 * The built CLI (`out/main/cli.js`; run `npm run build` first) as a user runs it, each figure a
 * whole process against a reference tool in the same run:
 * - start-up: `sockscope --help` against `node -e 0` (goal ≤ 1.3×);
 * - `sockscope list --json --no-resolve` against `ss -tanup` at 10k and 50k loopback sockets,
 *   held by several child processes for the 20k fd limit (goal ≤ 1.0×), once with each socket
 *   table reader (netlink, and /proc/net as the fallback);
 * - `sockscope watch` at 1 Hz over 10k sockets: its share of one core once warm, with no churn
 *   (goal ≤ 3%) and with 100 new connections a second (goal ≤ 10%), against `ss -tanup` run
 *   once a second over the same sockets, and against `ss -tan` (no process column) once a
 *   second: the kernel's dump plus printing it, the floor any reader of the table pays.
 * SOCKSCOPE_BENCH_CLI names another build's cli.js, to compare two builds on one machine.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { SOCKET_READER_VARIABLE } from '../../electron/backend/platform/linux/linux-platform'
import { startProgram, stopPrograms } from '../support/test-programs'
import { pairedRuns, processCpuMs, runProcess } from './support/whole-process'

const CLI = process.env.SOCKSCOPE_BENCH_CLI ?? resolve(__dirname, '../../out/main/cli.js')
/** Each connection is two sockets and two fds in its holder: 5,000 a holder stays under the 20k fd limit. */
const CONNECTIONS_PER_HOLDER = 5000
const START_UP_PAIRS = 10
const LIST_PAIRS = 5
/** How long watch runs before its CPU is counted: the first read walks every process. */
const WATCH_WARM_UP_TICKS = 3
const WATCH_WINDOW_MS = 15_000
const CHURN_RATE = 100
const READERS = ['netlink', 'proc'] as const

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))
const percent = (share: number): string => `${(100 * share).toFixed(1)}%`

/** Starts holders for `connections` quiet loopback connections, at least two processes. */
async function holdConnections(connections: number): Promise<void> {
  const holders = Math.max(2, Math.ceil(connections / CONNECTIONS_PER_HOLDER))
  const each = Math.ceil(connections / holders)
  await Promise.all(Array.from({ length: holders }, () => startProgram('steady-server.js', [String(each), '0'])))
}

/** watch's CPU share of one core over WATCH_WINDOW_MS, counted after its first ticks. */
async function watchShare(): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'watch', '--interval', '1', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    let ticks = 0
    await new Promise<void>((done, fail) => {
      createInterface({ input: child.stdout }).on('line', () => {
        if (++ticks === WATCH_WARM_UP_TICKS) done()
      })
      child.once('exit', (code) => fail(new Error(`watch exited with ${code}`)))
    })
    const cpuBefore = processCpuMs(child.pid!)
    const started = performance.now()
    await sleep(WATCH_WINDOW_MS)
    const cpuAfter = processCpuMs(child.pid!)
    if (cpuBefore === null || cpuAfter === null) throw new Error('watch ended early')
    return (cpuAfter - cpuBefore) / (performance.now() - started)
  } finally {
    child.kill('SIGINT')
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(null)))
  }
}

/** `ss FLAGS` once a second over WATCH_WINDOW_MS: its CPU share of one core. */
async function ssEverySecondShare(flags: string): Promise<number> {
  const started = performance.now()
  let cpuMs = 0
  for (let second = 0; second < WATCH_WINDOW_MS / 1000; second++) {
    cpuMs += (await runProcess('ss', [flags])).cpuMs
    await sleep(Math.max(0, started + (second + 1) * 1000 - performance.now()))
  }
  return cpuMs / (performance.now() - started)
}

/** One watch line: sockscope's share, then each reference's and the ratio to it. */
async function watchLine(label: string, goal: string): Promise<string> {
  const ours = await watchShare()
  const withProcesses = await ssEverySecondShare('-tanup')
  const floor = await ssEverySecondShare('-tan')
  const ratioTo = (share: number): string => (share > 0 ? (ours / share).toFixed(2) : 'n/a')
  return (
    `  ${label.padEnd(30)}${percent(ours).padStart(9)}  ${percent(withProcesses).padStart(9)} ${ratioTo(withProcesses).padStart(6)}` +
    `  ${percent(floor).padStart(9)} ${ratioTo(floor).padStart(6)}  ${goal}`
  )
}

async function benchmarkWatch(report: (line: string) => void): Promise<void> {
  report('watch at 1 Hz over 10k sockets, share of one core   sockscope  ss -tanup  ratio     ss -tan  ratio  goal')
  report(await watchLine('no churn', '≤ 3%'))
  // Enough connections to outlast both windows and the warm-up.
  const churnSeconds = 3 * (WATCH_WINDOW_MS / 1000) + 3 * WATCH_WARM_UP_TICKS + 10
  const { child: churn } = await startProgram('connection-churn.js', [String(CHURN_RATE * churnSeconds), String(CHURN_RATE)])
  try {
    report(await watchLine(`${CHURN_RATE} new connections a second`, '≤ 10%'))
  } finally {
    churn.kill()
  }
}

/** Prints start-up, list and watch figures against their references. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`)
  const help = await pairedRuns([process.execPath, CLI, '--help'], [process.execPath, '-e', '0'], START_UP_PAIRS)
  report(
    `start-up: sockscope --help ${help.ours.wallMs.toFixed(0)} ms, node -e 0 ${help.reference.wallMs.toFixed(0)} ms (wall, median): ` +
      `ratio ${help.wallRatio.toFixed(2)} (goal ≤ 1.3), CPU ratio ${help.cpuRatio.toFixed(2)}`
  )

  report('list --json --no-resolve vs ss -tanup   sockets  reader   sockscope (ms)  ss (ms)  wall ratio  CPU ratio  (goal ≤ 1.0)')
  try {
    let held = 0
    for (const sockets of [10_000, 50_000]) {
      await holdConnections(sockets / 2 - held)
      held = sockets / 2
      for (const reader of READERS) {
        const listCommand = ['env', `${SOCKET_READER_VARIABLE}=${reader}`, process.execPath, CLI, 'list', '--json', '--no-resolve']
        const list = await pairedRuns(listCommand, ['ss', '-tanup'], LIST_PAIRS)
        report(
          `${' '.repeat(39)}${String(sockets).padStart(8)}  ${reader.padEnd(7)}  ${list.ours.wallMs.toFixed(0).padStart(14)}  ${list.reference.wallMs.toFixed(0).padStart(7)}  ` +
            `${list.wallRatio.toFixed(2).padStart(10)}  ${list.cpuRatio.toFixed(2).padStart(9)}`
        )
      }
      if (sockets === 10_000) await benchmarkWatch(report)
    }
  } finally {
    await stopPrograms()
  }
}
