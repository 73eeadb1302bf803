/** `sockscope run`'s report as Markdown, for a CI job's summary page (GitHub's GITHUB_STEP_SUMMARY). */
import type { RunReport } from '../../shared/model/run-report'
import { commandLine, exitText, secondsText, socketLine, stateCounts, verdictText } from './run-report-text'

/** Text for a Markdown table cell or list item: no raw HTML, no table breaks, no line breaks. */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|#]/g, (character) => `\\${character}`)
    .replaceAll('&', '&amp;')
}

/** The summary: verdict, numbers, assertions, findings, sockets left behind and phases. */
export function runReportMarkdown(report: RunReport): string {
  const lines: string[] = []
  const { sockets, closeWait, fileDescriptors, timeWait } = report
  lines.push(`### sockscope run: ${markdownText(commandLine(report.command))}`, '')
  lines.push(
    `**${markdownText(verdictText(report))}** — the command ${markdownText(exitText(report.exit))} after ${secondsText(report.durationSeconds)} (${report.samples} samples).`,
    ''
  )
  const fd = fileDescriptors.peak
  lines.push('| measure | value |', '|---|---|')
  lines.push(`| sockets at peak | ${sockets.peak.total} (${markdownText(stateCounts(sockets.peak.byState))}) |`)
  lines.push(`| sockets at the end | ${sockets.final.total} (${markdownText(stateCounts(sockets.final.byState))}) |`)
  lines.push(`| most held open at once | ${sockets.peakHeld} |`)
  lines.push(`| growth | ${sockets.growthPerMinute === null ? 'not measured' : `${sockets.growthPerMinute} a minute`} |`)
  lines.push(`| CLOSE_WAIT at peak | ${closeWait.peak} |`)
  lines.push(
    `| file descriptors | ${fd === null ? 'not counted' : `${markdownText(fd.name)} (pid ${fd.pid}): ${fd.fds}${fd.softLimit !== null ? ` of ${fd.softLimit} (${fd.percent} %)` : ''}`} |`
  )
  lines.push(`| TIME_WAIT | ${timeWait.seen} seen, at most ${timeWait.peak} at once |`)
  lines.push(`| connections closed | ${timeWait.closedConnections === null ? 'not counted' : `${timeWait.closedConnections} (${timeWait.closedPerMinute} a minute)`} |`)
  lines.push('')
  if (report.assertions.length > 0) {
    lines.push('| assertion | result | detail |', '|---|---|---|')
    for (const assertion of report.assertions)
      lines.push(`| \`${assertion.name} ${assertion.limit}\` | ${assertion.passed ? 'pass' : '**FAIL**'} | ${markdownText(assertion.message)} |`)
    lines.push('')
  }
  if (report.findings.length > 0) {
    lines.push(`**Findings (${report.findings.length})**`, '')
    for (const finding of report.findings) lines.push(`- **${finding.severity}** \`${finding.kind}\`: ${markdownText(finding.title)}. ${markdownText(finding.advice)}`)
    lines.push('')
  }
  if (report.heldAfterExit.length > 0) {
    lines.push(`**Held after the main process exited (${report.heldAfterExit.length})**`, '')
    for (const socket of report.heldAfterExit.slice(0, 20)) lines.push(`- ${markdownText(socketLine(socket))}`)
    lines.push('')
  }
  const leaking = report.phases.filter((phase) => phase.stillOpenCount > 0)
  if (leaking.length > 0) {
    lines.push('**Phases that left sockets open**', '')
    for (const phase of leaking) {
      lines.push(`- ${markdownText(`'${phase.label}'`)}: ${phase.stillOpenCount} opened and still open at its end`)
      for (const socket of phase.stillOpen.slice(0, 5)) lines.push(`  - ${markdownText(socketLine(socket))}`)
    }
    lines.push('')
  }
  return lines.join('\n') + '\n'
}
