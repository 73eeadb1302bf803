/**
 * Closed connections under churn: `sockscope events --json` from the build (the whole command:
 * close events plus the socket table read once a second for attribution) and, as the reference in
 * the same run, `ss -E`, both listening while two programs open and close 1,000 loopback
 * connections a second for 5 s. Prints the share of connection ends each logged, the losses
 * sockscope reported, and how many of its lines were attributed to a process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { BUILT_CLI } from '../support/built-cli'
import { startProgram, stopPrograms } from '../support/test-programs'

const CHURN_RATE = 1000
const CHURN_SECONDS = 5
const CHURN_PROGRAMS = 2

/** Collects a child's stdout lines. */
function collectLines(child: ChildProcess): string[] {
  const lines: string[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line))
  return lines
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())))
}

/** Prints the share of connection ends logged by sockscope events and by ss -E. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  const events = spawn(process.execPath, [BUILT_CLI, 'events', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  // ss buffers its output when it is not writing to a terminal; stdbuf makes it write each line.
  const ss = spawn('stdbuf', ['-oL', 'ss', '-tEnH'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const eventLines = collectLines(events)
  const ssLines = collectLines(ss)
  try {
    await new Promise<void>((resolve, reject) => {
      let text = ''
      events.stderr!.on('data', (data: Buffer) => {
        text += data.toString()
        if (text.includes('listening for closed TCP connections')) resolve()
      })
      events.once('exit', (code) => reject(new Error(`sockscope events exited with ${code}: ${text}`)))
    })
    const count = (CHURN_RATE * CHURN_SECONDS) / CHURN_PROGRAMS
    const churns = await Promise.all(Array.from({ length: CHURN_PROGRAMS }, () => startProgram('connection-churn.js', [String(count), String(CHURN_RATE / CHURN_PROGRAMS)])))
    const ports = new Set(churns.map((churn) => Number(churn.ready.port)))
    const started = performance.now()
    await Promise.all(churns.map((churn) => waitForExit(churn.child)))
    const elapsedSeconds = (performance.now() - started) / 1000
    // The last closes reach both listeners just after the programs end.
    await new Promise((resolve) => setTimeout(resolve, 1_000))

    const expected = 2 * CHURN_RATE * CHURN_SECONDS
    let logged = 0
    let attributed = 0
    let lost = 0
    for (const line of eventLines) {
      const event = JSON.parse(line) as { localPort?: number; remotePort?: number; pid?: number | null; totalLost?: number }
      if (event.totalLost !== undefined) lost = event.totalLost
      else if (ports.has(event.localPort!) || ports.has(event.remotePort!)) {
        logged++
        if (event.pid !== null) attributed++
      }
    }
    // The peer column ends the line.
    const portPattern = new RegExp(`:(${[...ports].join('|')})(\\s|$)`)
    const ssLogged = ssLines.filter((line) => portPattern.test(line)).length
    const share = (value: number) => `${((100 * value) / expected).toFixed(1)}%`
    report(`churn: ${expected / 2} connections in ${elapsedSeconds.toFixed(1)} s (${Math.round(expected / 2 / elapsedSeconds)}/s), ${expected} connection ends`)
    report(`  sockscope events --json  logged ${logged}/${expected} (${share(logged)}), lost reported ${lost}, attributed to a process ${attributed}`)
    report(`  ss -E (reference)        logged ${ssLogged}/${expected} (${share(ssLogged)})`)
    report(`  sockscope / ss: ${ssLogged > 0 ? (logged / ssLogged).toFixed(3) : 'n/a'}`)
  } finally {
    events.kill('SIGINT')
    ss.kill('SIGINT')
    await Promise.all([waitForExit(events), waitForExit(ss)])
    await stopPrograms()
  }
}
