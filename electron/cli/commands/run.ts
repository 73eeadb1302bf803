/** `sockscope run`: run a command, follow its process tree's sockets, report and judge them at its end. */
import { spawn } from 'node:child_process'
import { constants, tmpdir } from 'node:os'
import type { RunExit, RunReport } from '../../../shared/model/run-report'
import { errorMessage } from '../../../shared/error-message'
import { MARK_SOCKET_VARIABLE, MarkServer, openForWriting, RecordingWriter, runLeakSettings, RunWatch, TemporaryFolder, type RunBounds } from '../../backend'
import { parseCommandArguments, parseIntegerOption, parseNumberOption, UsageError, type CliCommand, type CliIo } from '../cli-command'
import { formatRunReport } from '../run-report-text'
import { runReportJunit } from '../run-report-junit'
import { runReportMarkdown } from '../run-report-markdown'

/** Signals sockscope passes on to the command instead of acting on them. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const

/** Splits `[options] -- COMMAND [ARGS…]`; the command is required. */
function splitCommand(argv: readonly string[]): { readonly options: string[]; readonly command: string[] } {
  const separator = argv.indexOf('--')
  if (separator === -1) {
    if (argv.includes('--help') || argv.includes('-h')) return { options: [...argv], command: [] }
    throw new UsageError('put the command after "--": sockscope run [options] -- COMMAND [ARGS…]')
  }
  return { options: argv.slice(0, separator), command: argv.slice(separator + 1) }
}

/** The exit status a shell gives a command that could not start: 127 when not found, else 126. */
function startFailureCode(error: NodeJS.ErrnoException): number {
  return error.code === 'ENOENT' ? 127 : 126
}

/** Writes `text` to FILE (created 0600, never through a link), or to stdout for `-`. */
async function writeOutput(path: string, text: string, io: CliIo, append = false): Promise<void> {
  if (path === '-') {
    io.out.write(text)
    return
  }
  const handle = await openForWriting(path, { append })
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}

/** Starts the command and resolves with how its main process ended, forwarding signals meanwhile. */
function runCommand(
  [program, ...args]: readonly [string, ...string[]],
  env: NodeJS.ProcessEnv,
  started: (pid: number) => void
): { readonly exited: Promise<RunExit & { readonly exitCode: number | null }>; readonly stopForwarding: () => void } {
  const child = spawn(program, args, { stdio: 'inherit', env, detached: true })
  const forwarders = new Map<NodeJS.Signals, () => void>()
  for (const signal of FORWARDED_SIGNALS) {
    const forward = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
      // The command leads a process group of its own: a terminal's Ctrl-C reaches every process
      // of its foreground group, and so does a forwarded one.
      try {
        process.kill(-child.pid, signal)
      } catch {
        child.kill(signal)
      }
    }
    forwarders.set(signal, forward)
    process.on(signal, forward)
  }
  const stopForwarding = (): void => {
    for (const [signal, forward] of forwarders) process.off(signal, forward)
  }
  const exited = new Promise<RunExit & { readonly exitCode: number | null }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only a failed start reaches here before an exit; a later error (a failed kill) is not an end.
      if (child.pid === undefined) resolve({ code: null, signal: null, startError: errorMessage(error), exitCode: startFailureCode(error) })
    })
    child.once('exit', (code, signal) => resolve({ code, signal, startError: null, exitCode: code }))
  })
  if (child.pid !== undefined) started(child.pid)
  return { exited, stopForwarding }
}

/**
 * A warning writer for failed samples: a sample that fails fails the same way every interval, so
 * each reason is written once, and at most `limit` reasons in all.
 */
export function warnOncePerReason(write: (line: string) => void, limit = 20): (error: Error) => void {
  const warned = new Set<string>()
  return (error) => {
    if (warned.has(error.message) || warned.size >= limit) return
    warned.add(error.message)
    write(`sockscope run: warning: ${error.message}\n`)
  }
}

/** The exit status sockscope ends with: the command's own failure first, then broken assertions. */
export function runExitCode(report: RunReport, startFailure: number | null, outputFailed: boolean): number {
  if (report.exit.startError !== null) return startFailure ?? 127
  if (report.exit.signal !== null) return 128 + (constants.signals[report.exit.signal as NodeJS.Signals] ?? 0)
  if (report.exit.code !== 0) return report.exit.code ?? 1
  return report.assertionsPassed && !outputFailed ? 0 : 1
}

/** Runs a command under watch; exits like the command, or 1 when it succeeded but an assertion broke. */
export const runCommandCli: CliCommand = {
  help: `Usage: sockscope run [options] -- COMMAND [ARGS…]

Runs COMMAND with its input and output passed through, follows its whole process tree as it
forks and execs, samples the tree's sockets and file descriptors, and reports at its end: peak
and final sockets by state, CLOSE_WAIT by remote endpoint, fds against the soft limit,
ephemeral ports per destination, TIME_WAIT churn, leak findings, the sockets children still
held when the main process exited, and what each phase between marks left open.

Exit status: the command's own when it failed (128+N when signal N killed it; sockscope ends
by the same signal), else 1 when an assertion broke or a report file could not be written, else 0.

  --interval S          seconds between samples (default 0.5; marks take extra samples)
  --max-close-wait N    fail when the tree holds more than N sockets in CLOSE_WAIT at once
  --max-sockets N       fail when the tree's processes hold more than N sockets at once
  --max-fd-percent P    fail when a process of the tree uses more than P % of its soft fd limit
  --max-growth N        fail when held sockets grow faster than N a minute over the run
  --fail-on-findings    fail when the leak detector reports anything
  --json FILE           write the whole report as JSON to FILE ("-": stdout, after the command's output)
  --junit FILE          write a JUnit XML file: a testcase per assertion and per finding
  --quiet               no summary on stderr (only FAIL lines and the verdict)
  --record FILE         also record every sample (gzip JSON lines) for "sockscope diff" and the
                        app's time travel

When GITHUB_STEP_SUMMARY is set, a Markdown summary is appended to that file.
The command sees ${MARK_SOCKET_VARIABLE}: "sockscope mark LABEL" starts a phase named LABEL.
`,
  async run(argv, io) {
    const split = splitCommand(argv)
    const { values } = parseCommandArguments(split.options, {
      interval: { type: 'string' },
      'max-close-wait': { type: 'string' },
      'max-sockets': { type: 'string' },
      'max-fd-percent': { type: 'string' },
      'max-growth': { type: 'string' },
      'fail-on-findings': { type: 'boolean' },
      json: { type: 'string' },
      junit: { type: 'string' },
      quiet: { type: 'boolean' },
      record: { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const [program, ...programArgs] = split.command
    if (program === undefined || program === '') throw new UsageError('no command given after "--"')
    const intervalSeconds = parseNumberOption('interval', values.interval, 0.05, 60) ?? 0.5
    const bounds: RunBounds = {
      maxCloseWait: parseIntegerOption('max-close-wait', values['max-close-wait'], 0, 10_000_000),
      maxSockets: parseIntegerOption('max-sockets', values['max-sockets'], 0, 10_000_000),
      maxFdPercent: parseNumberOption('max-fd-percent', values['max-fd-percent'], 0, 100),
      maxGrowth: parseNumberOption('max-growth', values['max-growth'], 0, 10_000_000),
      failOnFindings: values['fail-on-findings'] ?? false
    }
    for (const [name, path] of [
      ['json', values.json],
      ['junit', values.junit]
    ] as const) {
      if (path !== undefined && path.trim() === '') throw new UsageError(`--${name} needs a file name`)
    }
    if (values.junit === '-') throw new UsageError('--junit needs a file name')
    if (values.record !== undefined && values.record.trim() === '') throw new UsageError('--record needs a file name')
    // Opened before the command starts: a recording that cannot be made stops the run before anything ran.
    const recording = values.record !== undefined ? await RecordingWriter.open(values.record, { intervalMs: intervalSeconds * 1000 }) : null

    const folder = TemporaryFolder.in(tmpdir(), 'sockscope-run-')
    let watch: RunWatch | null = null
    const markServer = await MarkServer.listen(await folder.path(), async (label, ownInode) => {
      if (!watch) throw new Error('the command is not running yet')
      if (ownInode !== null) await watch.excludePeerOf(ownInode)
      await watch.mark(label)
    })
    const warn = warnOncePerReason((line) => io.err.write(line))
    const { exited, stopForwarding } = runCommand([program, ...programArgs], { ...process.env, [MARK_SOCKET_VARIABLE]: markServer.path }, (pid) => {
      watch = new RunWatch({ rootPid: pid, ownSession: true, intervalMs: intervalSeconds * 1000, settings: runLeakSettings(intervalSeconds, bounds), onError: warn })
      if (recording) watch.record(recording)
    })
    let raise: NodeJS.Signals | null
    let code: number
    try {
      const started = watch as RunWatch | null
      await started?.start()
      const exit = await exited
      if (started) await started.mainExited()
      await markServer.close()
      const { exitCode, ...runExit } = exit
      // A command that could not start has no tree: its report is the empty one of a watch never started.
      const report = await (started ?? new RunWatch({ rootPid: 0, ownSession: false, intervalMs: 1000, settings: runLeakSettings(1, bounds) })).finish(
        split.command,
        runExit,
        bounds
      )

      const text = formatRunReport(report, 100)
      io.err.write(
        values.quiet
          ? text
              .split('\n')
              .filter((line) => /^(FAILED|OK|\s*FAIL )/.test(line))
              .join('\n') + '\n'
          : text
      )
      // A recording asked for and not fully made fails the run like a report file that could not be written.
      let outputFailed = report.recording?.error != null
      if (report.recording === null && recording) await recording.close().catch(() => undefined)
      const write = async (what: string, path: string, content: string, append = false): Promise<void> => {
        try {
          await writeOutput(path, content, io, append)
        } catch (error) {
          outputFailed = true
          io.err.write(`sockscope run: cannot write the ${what} to ${path}: ${errorMessage(error)}\n`)
        }
      }
      if (values.json !== undefined) await write('JSON report', values.json, JSON.stringify(report, null, 2) + '\n')
      if (values.junit !== undefined) await write('JUnit report', values.junit, runReportJunit(report))
      const summary = process.env.GITHUB_STEP_SUMMARY
      if (summary) await write('step summary', summary, runReportMarkdown(report), true)
      code = runExitCode(report, exit.startError !== null ? exitCode : null, outputFailed)
      raise = report.exit.signal as NodeJS.Signals | null
    } finally {
      stopForwarding()
      await markServer.close().catch(() => undefined)
      await folder.remove().catch(() => undefined)
    }
    // End the way the command ended, so whoever started sockscope sees the same signal; a signal
    // that does not end a process (SIGPIPE, which Node ignores) leaves the 128+N status.
    if (raise !== null) process.kill(process.pid, raise)
    return code
  }
}
