/** Findings as terminal text, for `watch` and `check`. */
import type { Finding } from '../../shared/model/finding'
import { evidenceLines } from '../../shared/format/finding-evidence-text'

/** Wraps `text` to `width` columns, each line indented by `indent`. */
export function wrapText(text: string, width: number, indent: string): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(indent + line)
  return lines.join('\n')
}

/** `12:03:45` in local time. */
export function clockTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour12: false })
}

/** A finding as a heading line, its explanation, where, its evidence and what to do, wrapped to `width`. */
export function formatFinding(finding: Finding, width = 100): string {
  const heading = `[${finding.severity}] ${finding.kind}: ${finding.title} (since ${clockTime(finding.since)})`
  const groups =
    finding.evidence.groups.length > 0 ? `\n${wrapText('Where: ' + finding.evidence.groups.map((group) => `${group.label} ×${group.count}`).join(', '), width, '    ')}` : ''
  const lines = evidenceLines(finding)
  const evidence = lines.length > 0 ? `\n${wrapText('Evidence: ' + lines.map((line) => `${line.label} ${line.value}`).join(', '), width, '    ')}` : ''
  return `${heading}\n${wrapText(finding.explanation, width, '    ')}${groups}${evidence}\n${wrapText('What to do: ' + finding.advice, width, '    ')}\n`
}
