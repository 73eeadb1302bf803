/** `sockscope run`'s report as text for the terminal, and the phrases the JUnit and Markdown forms share. */
import type { RunExit, RunReport, RunSocket } from '../../shared/model/run-report'
import { clockTime, formatFinding, wrapText } from './finding-text'

/** Phases listed one by one when there are no more than this many. */
const MAX_PHASES_SHOWN_IN_FULL = 20

/** The command as one line, each argument quoted when it needs to be. */
export function commandLine(command: readonly string[]): string {
  return command.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ')
}

/** "exited with code 0", "was killed by SIGKILL", "could not start: …". */
export function exitText(exit: RunExit): string {
  if (exit.startError !== null) return `could not start: ${exit.startError}`
  if (exit.signal !== null) return `was killed by ${exit.signal}`
  return `exited with code ${exit.code}`
}

/** Whether the command itself failed: it could not start, a signal ended it, or it exited non-zero. */
export function commandFailed(exit: RunExit): boolean {
  return exit.startError !== null || exit.signal !== null || exit.code !== 0
}

/** "ESTABLISHED 10, LISTEN 1", largest first; "none" when empty. */
export function stateCounts(byState: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byState).filter(([, count]) => count > 0)
  if (entries.length === 0) return 'none'
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([state, count]) => `${state} ${count}`)
    .join(', ')
}

/** "1.5 s", "2 min 5 s". */
export function secondsText(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`
  const whole = Math.round(seconds)
  return whole % 60 === 0 ? `${whole / 60} min` : `${Math.floor(whole / 60)} min ${whole % 60} s`
}

/** One socket on a line: `tcp 127.0.0.1:41000 → 127.0.0.1:8080 CLOSE_WAIT, node (pid 12), open 3.2 s`. */
export function socketLine(socket: RunSocket): string {
  const owner = socket.pid !== null ? `${socket.process ?? '?'} (pid ${socket.pid})` : 'no process (kernel)'
  const ends =
    socket.protocol === 'unix' ? `unix ${socket.local} ${socket.remote !== '*' ? `→ ${socket.remote}` : ''}`.trimEnd() : `${socket.protocol} ${socket.local} → ${socket.remote}`
  return `${ends} ${socket.state}, ${owner}, open ${secondsText(socket.ageSeconds)}`
}

/** The verdict in one line. */
export function verdictText(report: RunReport): string {
  const broken = report.assertions.filter((assertion) => !assertion.passed).map((assertion) => assertion.name)
  if (commandFailed(report.exit)) {
    return `FAILED: the command ${exitText(report.exit)}${broken.length > 0 ? `; broken too: ${broken.join(', ')}` : ''}`
  }
  if (broken.length > 0) return `FAILED: ${broken.join(', ')} broken`
  return report.assertions.length > 0 ? 'OK: every assertion held' : 'OK'
}

/** The whole report for a terminal, wrapped to `width` columns. */
export function formatRunReport(report: RunReport, width = 100): string {
  const lines: string[] = []
  const out = (text = ''): void => void lines.push(text)
  const { sockets, closeWait, fileDescriptors, ephemeralPorts, timeWait } = report
  out(
    `sockscope run: ${commandLine(report.command)} ${exitText(report.exit)} after ${secondsText(report.durationSeconds)} ` +
      `(${report.samples} sample${report.samples === 1 ? '' : 's'}, ${report.processes.length} process${report.processes.length === 1 ? '' : 'es'} in its tree)`
  )
  out()
  out(
    `Sockets: peak ${sockets.peak.total}${sockets.peak.total > 0 ? ` at ${clockTime(sockets.peak.at)} (${stateCounts(sockets.peak.byState)})` : ''}; final ${sockets.final.total} (${stateCounts(sockets.final.byState)})`
  )
  out(`  most held open at once ${sockets.peakHeld}; growth ${sockets.growthPerMinute === null ? 'not measured (fewer than 3 samples)' : `${sockets.growthPerMinute} a minute`}`)
  out(`CLOSE_WAIT: peak ${closeWait.peak}`)
  for (const group of closeWait.byRemote.slice(0, 10)) out(`  to ${group.remote}: at most ${group.peak} at once, ${group.final} at the end`)
  const fd = fileDescriptors.peak
  out(
    `File descriptors: ${
      fd === null
        ? 'not counted'
        : `${fd.name} (pid ${fd.pid}) had up to ${fd.fds}${fd.softLimit !== null ? ` of its soft limit ${fd.softLimit} (${fd.percent} %)` : ' (soft limit unknown)'}`
    }`
  )
  const range = ephemeralPorts.range
  out(`Ephemeral ports${range ? ` (range ${range.low}–${range.high})` : ''}: ${ephemeralPorts.destinations.length === 0 ? 'none used' : ''}`.trimEnd())
  for (const use of ephemeralPorts.destinations.slice(0, 10))
    out(`  ${use.destination}: at most ${use.peak}${use.percentOfRange !== null ? ` (${use.percentOfRange} % of the range)` : ''}`)
  out(`TIME_WAIT: ${timeWait.seen} seen, at most ${timeWait.peak} at once (${timeWait.perMinute} a minute)`)
  out(
    timeWait.closedConnections === null
      ? '  connections closed: not counted (close events are not available here)'
      : `  connections closed: ${timeWait.closedConnections} (${timeWait.closedPerMinute} a minute, from close events: each leaves a TIME_WAIT behind)`
  )

  out()
  if (report.findings.length === 0) out('Findings: none')
  else {
    out(`Findings (${report.findings.length}):`)
    for (const finding of report.findings) {
      out(formatFinding(finding, width).trimEnd() + (finding.stillActive ? '' : '\n    (cleared before the end)'))
    }
  }

  out()
  const survivors = report.processes.filter((process) => process.exitedAt === null && process.pid !== report.mainPid)
  if (survivors.length > 0) {
    out(wrapText(`Still running after the command ended: ${survivors.map((process) => `${process.name} (pid ${process.pid})`).join(', ')}`, width, ''))
  }
  if (report.heldAfterExit.length === 0) out('Held after the main process exited: nothing')
  else {
    out(`Held after the main process exited (${report.heldAfterExit.length}), by children that outlived it:`)
    for (const socket of report.heldAfterExit) out(`  ${socketLine(socket)}`)
  }

  if (report.phases.length > 0) {
    out()
    // A long suite marks hundreds of phases: past a screenful only those that left sockets open are shown.
    const shown = report.phases.length <= MAX_PHASES_SHOWN_IN_FULL ? report.phases : report.phases.filter((phase) => phase.stillOpenCount > 0)
    const quiet = report.phases.length - shown.length
    out(`Phases (${report.phases.length}${quiet > 0 ? `; ${quiet} that left nothing open are not shown` : ''}):`)
    for (const phase of shown) {
      out(`  '${phase.label}' (${secondsText((phase.endedAt - phase.startedAt) / 1000)}): ${phase.opened} opened, ${phase.stillOpenCount} still open at its end`)
      for (const socket of phase.stillOpen) out(`    opened during '${phase.label}' and still open at its end: ${socketLine(socket)}`)
      if (phase.stillOpenCount > phase.stillOpen.length) out(`    … and ${phase.stillOpenCount - phase.stillOpen.length} more`)
    }
  }

  if (report.recording) {
    out()
    const { path, ticks, bytes, error } = report.recording
    out(error === null ? `Recorded ${ticks} samples to ${path} (${bytes} bytes)` : `The recording ${path} stopped early, after ${ticks} samples: ${error}`)
  }

  if (report.assertions.length > 0) {
    out()
    out('Assertions:')
    for (const assertion of report.assertions) out(wrapText(`${assertion.passed ? 'PASS' : 'FAIL'} ${assertion.name}: ${assertion.message}`, width, '  '))
  }
  out()
  out(verdictText(report))
  return lines.join('\n') + '\n'
}
