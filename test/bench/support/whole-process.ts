/**
 * Whole-process figures for benchmarks: a command's wall time and CPU time (user + system, as the
 * kernel accounts it), timed against a reference command in alternating pairs so a machine whose
 * speed drifts during the run affects both alike.
 */
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { median } from './statistics'

/** Clock ticks per second, the unit of CPU times in /proc. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** One finished run. */
export interface ProcessRun {
  readonly wallMs: number
  readonly cpuMs: number
}

/** CPU time of this process's reaped children so far (cutime + cstime), in milliseconds. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS
}

/** CPU time (utime + stime) a running process has used, in milliseconds; null once it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return null
  }
}

/**
 * Runs `command` to its end, its output read and dropped, and reports its wall and CPU time.
 * No other child of this process may end meanwhile: their CPU time would be counted too.
 */
export function runProcess(command: string, args: readonly string[]): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs()
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.resume()
    child.stderr.resume()
    child.once('error', reject)
    child.once('close', (code) => {
      const wallMs = performance.now() - started
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))
      else resolve({ wallMs, cpuMs: childrenCpuMs() - cpuBefore })
    })
  })
}

/** Medians of each command and of the per-pair ratios. */
export interface PairedRuns {
  readonly ours: ProcessRun
  readonly reference: ProcessRun
  /** Median of ours/reference over the pairs, wall time. */
  readonly wallRatio: number
  /** Total CPU of ours over total CPU of the reference (CPU times come in 10 ms ticks). */
  readonly cpuRatio: number
}

/** Runs a command line given as program and arguments. */
function runCommand([command, ...args]: readonly string[]): Promise<ProcessRun> {
  if (command === undefined) throw new Error('a command line needs at least the program')
  return runProcess(command, args)
}

/** Runs the two commands in turn, `pairs` times each after one warm-up of each. */
export async function pairedRuns(ours: readonly string[], reference: readonly string[], pairs: number): Promise<PairedRuns> {
  await runCommand(ours)
  await runCommand(reference)
  const oursRuns: ProcessRun[] = []
  const referenceRuns: ProcessRun[] = []
  for (let pair = 0; pair < pairs; pair++) {
    oursRuns.push(await runCommand(ours))
    referenceRuns.push(await runCommand(reference))
  }
  const total = (runs: readonly ProcessRun[]): number => runs.reduce((sum, run) => sum + run.cpuMs, 0)
  const medianRun = (runs: readonly ProcessRun[]): ProcessRun => ({ wallMs: median(runs.map((run) => run.wallMs)), cpuMs: median(runs.map((run) => run.cpuMs)) })
  return {
    ours: medianRun(oursRuns),
    reference: medianRun(referenceRuns),
    wallRatio: median(oursRuns.map((run, index) => run.wallMs / (referenceRuns[index]?.wallMs ?? Number.NaN))),
    cpuRatio: total(referenceRuns) > 0 ? total(oursRuns) / total(referenceRuns) : Number.NaN
  }
}
