/** `sockscope check`: watch for a while, then pass or fail, for scripts and CI. */
import type { Finding } from '../../../shared/model/finding'
import { DEFAULT_LEAK_SETTINGS, type LeakSettings } from '../../../shared/leak-settings'
import { HISTORY_COLUMNS, type HistoryView } from '../../../shared/model/history-view'
import { createSystemReader, HistorySession, measureGrowth } from '../../backend'
import { parseCommandArguments, parseIntegerOption, parseNumberOption, UsageError, type CliCommand } from '../cli-command'
import { formatFinding, wrapText } from '../finding-text'
import { runHistoryLoop } from '../history-loop'
import { largestOf } from '../../../shared/number-extremes'

/** A bound given on the command line that a process went past. */
export interface CheckViolation {
  readonly bound: 'max-sockets' | 'max-close-wait' | 'max-growth'
  readonly limit: number
  readonly observed: number
  readonly pid: number
  readonly name: string
  readonly message: string
}

/** What one checked process did over the watch. */
export interface CheckedProcess {
  readonly pid: number
  readonly name: string
  readonly peakSockets: number
  readonly peakCloseWait: number
  /** Theil–Sen slope of its socket count over the whole watch, sockets per minute. */
  readonly growthPerMinute: number | null
}

/** The `--json` result. */
export interface CheckResult {
  readonly ok: boolean
  /** How long the watch ran: the requested duration, or less when a signal stopped it early. */
  readonly durationSeconds: number
  /** True when SIGINT or SIGTERM ended the watch before its duration was over. */
  readonly stoppedEarly: boolean
  readonly ticks: number
  readonly processes: readonly CheckedProcess[]
  readonly violations: readonly CheckViolation[]
  readonly findings: readonly Finding[]
}

interface Bounds {
  readonly maxSockets?: number
  readonly maxCloseWait?: number
  readonly maxGrowth?: number
}

/**
 * Leak settings scaled to a short watch: the growth window is the whole watch and the minimum
 * durations shrink with it, so a check of a few seconds can still see a steady rise. Explicit
 * bounds become the thresholds.
 */
function checkSettings(durationSeconds: number, intervalSeconds: number, bounds: Bounds): LeakSettings {
  return {
    ...DEFAULT_LEAK_SETTINGS,
    notify: false,
    raiseAfterSeconds: Math.min(DEFAULT_LEAK_SETTINGS.raiseAfterSeconds, Math.max(intervalSeconds * 2, durationSeconds / 10)),
    growthWindowSeconds: durationSeconds,
    growthMinimumDurationSeconds: Math.min(DEFAULT_LEAK_SETTINGS.growthMinimumDurationSeconds, durationSeconds / 2),
    growthMinimumSlopePerMinute: bounds.maxGrowth ?? DEFAULT_LEAK_SETTINGS.growthMinimumSlopePerMinute,
    closeWaitMinimumAgeSeconds: Math.min(DEFAULT_LEAK_SETTINGS.closeWaitMinimumAgeSeconds, durationSeconds / 3),
    closeWaitMinimumCount: bounds.maxCloseWait !== undefined ? bounds.maxCloseWait + 1 : DEFAULT_LEAK_SETTINGS.closeWaitMinimumCount
  }
}

/** Peak counts and growth of one followed process. */
function measureProcess(history: HistoryView, pid: number, name: string): CheckedProcess {
  const sockets = history.columnSlice({ kind: 'process', pid }, HISTORY_COLUMNS.sockets)
  const closeWait = history.columnSlice({ kind: 'process', pid }, HISTORY_COLUMNS.stateColumn('CLOSE_WAIT'))
  const growth = measureGrowth(sockets.times, sockets.values)
  return {
    pid,
    name,
    peakSockets: Math.max(0, largestOf(sockets.values, 0)),
    peakCloseWait: Math.max(0, largestOf(closeWait.values, 0)),
    growthPerMinute: growth ? Math.round(growth.slopePerMinute * 100) / 100 : null
  }
}

/** The bounds a measured process went past. */
function boundViolations(process: CheckedProcess, bounds: Bounds): CheckViolation[] {
  const violations: CheckViolation[] = []
  const who = `${process.name} (pid ${process.pid})`
  if (bounds.maxSockets !== undefined && process.peakSockets > bounds.maxSockets) {
    violations.push({
      bound: 'max-sockets',
      limit: bounds.maxSockets,
      observed: process.peakSockets,
      pid: process.pid,
      name: process.name,
      message: `${who} held up to ${process.peakSockets} sockets; the bound is ${bounds.maxSockets}.`
    })
  }
  if (bounds.maxCloseWait !== undefined && process.peakCloseWait > bounds.maxCloseWait) {
    violations.push({
      bound: 'max-close-wait',
      limit: bounds.maxCloseWait,
      observed: process.peakCloseWait,
      pid: process.pid,
      name: process.name,
      message: `${who} had up to ${process.peakCloseWait} sockets in CLOSE_WAIT (the peer closed, the process did not); the bound is ${bounds.maxCloseWait}.`
    })
  }
  if (bounds.maxGrowth !== undefined && process.growthPerMinute !== null && process.growthPerMinute > bounds.maxGrowth) {
    violations.push({
      bound: 'max-growth',
      limit: bounds.maxGrowth,
      observed: process.growthPerMinute,
      pid: process.pid,
      name: process.name,
      message: `${who} gained about ${process.growthPerMinute} sockets a minute; the bound is ${bounds.maxGrowth}.`
    })
  }
  return violations
}

/** Watches, then exits 0 within bounds or 1 with the findings. */
export const checkCommand: CliCommand = {
  help: `Usage: sockscope check [--pid N | --process NAME] [--max-close-wait N] [--max-sockets N]
                       [--max-growth PER_MIN] [--duration S] [--interval S] [--json]

Watches the socket table for the duration, runs the leak detector (scaled to the duration)
and checks the bounds given. Exits 0 when everything stayed within bounds, 1 with the
findings printed when not, 2 on bad arguments.

  --pid N               check only this process
  --process NAME        check only processes with this name (as in the table)
  --max-close-wait N    fail when a process holds more than N sockets in CLOSE_WAIT
  --max-sockets N       fail when a process holds more than N sockets
  --max-growth PER_MIN  fail when a process's socket count rises faster than this many a minute
  --duration S          how long to watch (default 10)
  --interval S          seconds between reads (default 0.5)
  --json                print the result as JSON
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      pid: { type: 'string' },
      process: { type: 'string' },
      'max-close-wait': { type: 'string' },
      'max-sockets': { type: 'string' },
      'max-growth': { type: 'string' },
      duration: { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const pid = parseIntegerOption('pid', values.pid, 1, 2 ** 31)
    const processName = values.process
    if (pid !== undefined && processName !== undefined) throw new UsageError('give --pid or --process, not both')
    if (processName !== undefined && processName.trim() === '') throw new UsageError('--process needs a name')
    const bounds: Bounds = {
      maxCloseWait: parseIntegerOption('max-close-wait', values['max-close-wait'], 0, 10_000_000),
      maxSockets: parseIntegerOption('max-sockets', values['max-sockets'], 0, 10_000_000),
      maxGrowth: parseNumberOption('max-growth', values['max-growth'], 0, 10_000_000)
    }
    const durationSeconds = parseNumberOption('duration', values.duration, 0.5, 7 * 86_400) ?? 10
    const intervalSeconds = parseNumberOption('interval', values.interval, 0.1, 3600) ?? 0.5
    if (pid !== undefined && !(await createSystemReader().processExists(pid))) throw new UsageError(`no process with pid ${pid}`)

    const untargeted = pid === undefined && processName === undefined
    const targets = (candidate: { pid: number; name: string }): boolean =>
      pid !== undefined ? candidate.pid === pid : processName !== undefined ? candidate.name === processName : true
    const scope = pid !== undefined ? `pid ${pid}` : processName !== undefined ? `processes named "${processName}"` : 'every process'
    const session = new HistorySession({ settings: checkSettings(durationSeconds, intervalSeconds, bounds) })
    const findings = new Map<string, Finding>()
    const startedAt = Date.now()
    let announced = false
    const ticks = await runHistoryLoop({
      session,
      intervalMs: intervalSeconds * 1000,
      durationMs: durationSeconds * 1000,
      onError: (error) => io.err.write(`warning: ${error.message}\n`),
      onTick: ({ findings: update }) => {
        // Said once the first read is in, when Ctrl-C already ends the watch with a report.
        if (!announced) {
          announced = true
          io.err.write(`watching ${scope} for ${durationSeconds} s; Ctrl-C stops early with the report so far\n`)
        }
        // A finding that appeared and cleared during the watch still fails the check.
        for (const finding of update.appeared) if (finding.process ? targets(finding.process) : untargeted) findings.set(finding.id, finding)
        for (const finding of update.active) if (findings.has(finding.id)) findings.set(finding.id, finding)
      }
    })

    const processes = session.store
      .trackedProcesses()
      .filter(targets)
      .map((tracked) => measureProcess(session.store, tracked.pid, tracked.name))
    const violations = processes.flatMap((measured) => boundViolations(measured, bounds))
    // The loop ends at the deadline or on a signal; a watch cut short must not claim the full duration.
    const watchedSeconds = Math.round((Date.now() - startedAt) / 100) / 10
    const stoppedEarly = watchedSeconds < durationSeconds
    const result: CheckResult = {
      ok: violations.length === 0 && findings.size === 0,
      durationSeconds: stoppedEarly ? watchedSeconds : durationSeconds,
      stoppedEarly,
      ticks,
      processes: !untargeted ? processes : processes.filter((entry) => violations.some((violation) => violation.pid === entry.pid)),
      violations,
      findings: [...findings.values()]
    }

    if (values.json) io.out.write(JSON.stringify(result, null, 2) + '\n')
    else {
      const width = io.out.columns ?? 100
      if (processes.length === 0 && !untargeted) {
        io.err.write(`note: ${scope} held no sockets during the watch\n`)
      }
      const span = `${result.durationSeconds} s${stoppedEarly ? ` (stopped early; ${durationSeconds} s asked)` : ''}`
      if (result.ok) io.out.write(`OK: ${scope} stayed within bounds over ${span} (${ticks} reads).\n`)
      else {
        io.out.write(`FAILED: ${scope} went out of bounds over ${span} (${ticks} reads).\n\n`)
        for (const violation of violations) io.out.write(`[bound] ${violation.bound}\n${wrapText(violation.message, width, '    ')}\n\n`)
        for (const finding of result.findings) io.out.write(formatFinding(finding, width) + '\n')
      }
      for (const measured of result.processes.slice(0, 10)) {
        io.out.write(
          `  ${measured.name} (pid ${measured.pid}): peak ${measured.peakSockets} sockets, peak ${measured.peakCloseWait} CLOSE_WAIT, ` +
            `growth ${measured.growthPerMinute ?? 'n/a'}/min\n`
        )
      }
    }
    return result.ok ? 0 : 1
  }
}
