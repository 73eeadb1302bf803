/**
 * Starts the small programs under test/fixtures/programs as real child processes and waits for
 * the JSON line each prints when ready; a program that takes commands reads them from its stdin.
 * Every started program is killed by `stopPrograms`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** The folder of the test programs. */
const PROGRAMS = join(__dirname, '../fixtures/programs')

/** A running test program and the first line it printed. */
export interface RunningProgram {
  readonly child: ChildProcess
  readonly pid: number
  readonly ready: Record<string, unknown>
}

const running: ChildProcess[] = []

/**
 * Runs `node PROGRAM args...`, through `bash -c 'ulimit -n N; exec node ...'` when a file
 * limit is given, so the pid is the node process either way.
 */
export function startProgram(program: string, args: readonly string[] = [], options: { fileLimit?: number } = {}): Promise<RunningProgram> {
  const script = join(PROGRAMS, program)
  const child =
    options.fileLimit === undefined
      ? spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('bash', ['-c', `ulimit -n ${options.fileLimit}; exec "$0" "$@"`, process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  running.push(child)
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error(`${program} did not get ready`)), 20_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve({ child, pid: child.pid!, ready: JSON.parse(line) as Record<string, unknown> })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${program} exited with ${code} before it was ready`))
    })
  })
}

/** Kills every program started so far and waits for them to exit. */
export async function stopPrograms(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        })
    )
  )
}
