/**
 * `sockscope run`'s report as a JUnit XML file, which CI systems show as test results: one
 * testcase for the command's exit, one per assertion and one per finding, with a `<failure>` for
 * each that broke.
 */
import type { RunReport } from '../../shared/model/run-report'
import { evidenceLines } from '../../shared/format/finding-evidence-text'
import { commandFailed, commandLine, exitText } from './run-report-text'

/** Text made safe for XML 1.0 content and attributes: markup escaped, characters XML cannot hold dropped. */
export function xmlText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udfff]/g, (surrogate, offset: number, whole: string) => {
        // A lone surrogate is not a character; a pair is kept as it is.
        const code = surrogate.charCodeAt(0)
        const next = whole.charCodeAt(offset + 1)
        const previous = whole.charCodeAt(offset - 1)
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return surrogate
        if (code >= 0xdc00 && previous >= 0xd800 && previous <= 0xdbff) return surrogate
        return ''
      })
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
  )
}

interface TestCase {
  readonly classname: string
  readonly name: string
  readonly failure: { readonly type: string; readonly message: string; readonly details: string } | null
  readonly output: string | null
}

function renderCase(test: TestCase): string {
  const head = `    <testcase classname="${xmlText(test.classname)}" name="${xmlText(test.name)}" time="0"`
  const body: string[] = []
  if (test.failure) {
    body.push(`      <failure type="${xmlText(test.failure.type)}" message="${xmlText(test.failure.message)}">${xmlText(test.failure.details)}</failure>`)
  }
  if (test.output) body.push(`      <system-out>${xmlText(test.output)}</system-out>`)
  return body.length === 0 ? `${head}/>` : `${head}>\n${body.join('\n')}\n    </testcase>`
}

/** The JUnit XML document for a run. Findings fail only with `--fail-on-findings`; otherwise they are listed with their evidence. */
export function runReportJunit(report: RunReport): string {
  const failOnFindings = report.assertions.some((assertion) => assertion.name === 'fail-on-findings')
  const command = commandLine(report.command)
  const cases: TestCase[] = [
    {
      classname: 'sockscope.run.command',
      name: `${command} exits with code 0`,
      failure: commandFailed(report.exit) ? { type: 'command', message: `the command ${exitText(report.exit)}`, details: `the command ${exitText(report.exit)}` } : null,
      output: null
    },
    ...report.assertions.map((assertion): TestCase => ({
      classname: 'sockscope.run.assertions',
      name: `${assertion.name} ${assertion.limit}`,
      failure: assertion.passed ? null : { type: assertion.name, message: assertion.message, details: assertion.message },
      output: assertion.passed ? assertion.message : null
    })),
    ...report.findings.map((finding): TestCase => {
      const evidence = evidenceLines(finding)
        .map((line) => `${line.label}: ${line.value}`)
        .join('\n')
      const groups = finding.evidence.groups.map((group) => `${group.label} ×${group.count}`).join('\n')
      const details = [finding.explanation, groups && `Where:\n${groups}`, evidence && `Evidence:\n${evidence}`, `What to do: ${finding.advice}`].filter(Boolean).join('\n\n')
      return {
        classname: `sockscope.run.findings.${finding.kind}`,
        name: finding.title,
        failure: failOnFindings ? { type: finding.kind, message: finding.title, details } : null,
        output: failOnFindings ? null : details
      }
    })
  ]
  const failures = cases.filter((test) => test.failure !== null).length
  const time = report.durationSeconds.toFixed(1)
  const suite = `sockscope run: ${command}`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sockscope run" tests="${cases.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${xmlText(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${time}" timestamp="${new Date(report.startedAt).toISOString().replace(/\.\d+Z$/, '')}">`,
    ...cases.map(renderCase),
    '  </testsuite>',
    '</testsuites>',
    ''
  ].join('\n')
}
