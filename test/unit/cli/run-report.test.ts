import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { RunReport } from '../../../shared/model/run-report'
import { runReportJunit, xmlText } from '../../../electron/cli/run-report-junit'
import { markdownText, runReportMarkdown } from '../../../electron/cli/run-report-markdown'
import { formatRunReport } from '../../../electron/cli/run-report-text'
import { runExitCode, warnOncePerReason } from '../../../electron/cli/commands/run'
import { buildFinding } from '../../support/finding-builder'
import { elementAt } from '../../../shared/element-at'

/** A report with every field filled in, changed where a test needs it. */
function report(changes: Partial<RunReport> = {}): RunReport {
  const count = { at: Date.UTC(2026, 0, 1, 12), total: 3, byState: { ESTABLISHED: 2, LISTEN: 1 } }
  return {
    command: ['node', 'server.js'],
    startedAt: Date.UTC(2026, 0, 1, 12),
    endedAt: Date.UTC(2026, 0, 1, 12, 0, 5),
    durationSeconds: 5,
    intervalSeconds: 0.5,
    samples: 10,
    exit: { code: 0, signal: null, startError: null },
    mainPid: 12,
    processes: [],
    sockets: { peak: count, final: count, peakByState: { ESTABLISHED: 2, LISTEN: 1 }, peakHeld: 3, growthPerMinute: 0 },
    closeWait: { peak: 0, byRemote: [] },
    fileDescriptors: { peak: null },
    ephemeralPorts: { range: null, destinations: [] },
    timeWait: { seen: 0, peak: 0, perMinute: 0, closedConnections: null, closedPerMinute: null },
    findings: [],
    heldAfterExit: [],
    phases: [],
    assertions: [],
    recording: null,
    assertionsPassed: true,
    ...changes
  }
}

const broken = { name: 'max-close-wait', limit: 5, observed: 9, passed: false, message: 'at most 9 sockets in CLOSE_WAIT at once; the bound is 5.' } as const

/** The testcases of a JUnit document as Python's XML parser reads them. */
function parsedCases(xml: string): { name: string; failed: boolean; message: string | null }[] {
  const script = [
    'import json, sys, xml.etree.ElementTree as ET',
    'root = ET.fromstring(sys.stdin.read())',
    'print(json.dumps([{"name": c.get("name"), "failed": c.find("failure") is not None, "message": c.find("failure").get("message") if c.find("failure") is not None else None} for c in root.iter("testcase")]))'
  ].join('\n')
  return JSON.parse(execFileSync('python3', ['-c', script], { input: xml, encoding: 'utf8' }))
}

describe('the run report as JUnit', () => {
  it('escapes markup and drops characters XML cannot hold', () => {
    expect(xmlText(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;')
    expect(xmlText('bell\u0007 esc\u001b tab\tnew\nline')).toBe('bell esc tab\tnew\nline')
    expect(xmlText('lone \ud800 pair 😀')).toBe('lone  pair 😀')
  })

  it('parses with a real XML parser whatever the command and finding text hold', () => {
    const hostile = ['sh', '-c', `echo "</testcase><x>" & 'it''s' \u0001 ]]>`]
    const finding = { ...buildFinding({ kind: 'close-wait', title: 'node <pid 1> & "friends"' }), stillActive: true }
    const xml = runReportJunit(report({ command: hostile, exit: { code: 2, signal: null, startError: null }, findings: [finding], assertions: [broken], assertionsPassed: false }))
    const cases = parsedCases(xml)
    expect(cases.map((test) => test.failed)).toEqual([true, true, false])
    expect(elementAt(cases, 0).name).toContain(`"</testcase><x>"`)
    expect(cases[1]).toMatchObject({ name: 'max-close-wait 5', message: broken.message })
    expect(elementAt(cases, 2).name).toBe('node <pid 1> & "friends"')
  })

  it('fails each finding when --fail-on-findings was given', () => {
    const finding = { ...buildFinding({ kind: 'growth', title: 'node keeps opening sockets' }), stillActive: false }
    const failOn = { name: 'fail-on-findings', limit: 0, observed: 1, passed: false, message: 'the leak detector reported 1 finding.' } as const
    const cases = parsedCases(runReportJunit(report({ findings: [finding], assertions: [failOn], assertionsPassed: false })))
    expect(cases.map((test) => [test.name, test.failed])).toEqual([
      ['node server.js exits with code 0', false],
      ['fail-on-findings 0', true],
      ['node keeps opening sockets', true]
    ])
  })
})

describe('the run report as Markdown and text', () => {
  it('keeps table cells whole and raw HTML out', () => {
    expect(markdownText('a | b <script> `c`\nd')).toBe('a \\| b \\<script\\> \\`c\\` d')
    const markdown = runReportMarkdown(report({ assertions: [broken], assertionsPassed: false }))
    expect(markdown).toContain('**FAILED: max-close-wait broken**')
    expect(markdown).toContain('| `max-close-wait 5` | **FAIL** | at most 9 sockets in CLOSE\\_WAIT at once; the bound is 5. |')
  })

  it('names the phase that left a socket open', () => {
    const socket = { protocol: 'tcp', family: 4, local: '127.0.0.1:41000', remote: '127.0.0.1:8080', state: 'ESTABLISHED', pid: 12, process: 'node', ageSeconds: 3.2 } as const
    const text = formatRunReport(report({ phases: [{ label: 'test: uploads', startedAt: 0, endedAt: 1500, opened: 2, stillOpen: [socket], stillOpenCount: 1 }] }))
    expect(text).toContain("  'test: uploads' (1.5 s): 2 opened, 1 still open at its end")
    expect(text).toContain("opened during 'test: uploads' and still open at its end: tcp 127.0.0.1:41000 → 127.0.0.1:8080 ESTABLISHED, node (pid 12), open 3.2 s")
  })
})

describe('many phases', () => {
  it('shows every phase up to twenty, past that only those that left sockets open', () => {
    const socket = { protocol: 'tcp', family: 4, local: '127.0.0.1:41000', remote: '127.0.0.1:8080', state: 'ESTABLISHED', pid: 12, process: 'node', ageSeconds: 1 } as const
    const phase = (index: number, leaky: boolean) => ({
      label: `test ${index}`,
      startedAt: 0,
      endedAt: 1000,
      opened: 1,
      stillOpen: leaky ? [socket] : [],
      stillOpenCount: leaky ? 1 : 0
    })
    const twenty = formatRunReport(report({ phases: Array.from({ length: 20 }, (_, index) => phase(index, index === 3)) }))
    expect(twenty).toContain('Phases (20):')
    expect(twenty).toContain("  'test 19' (1 s): 1 opened, 0 still open at its end")
    const many = formatRunReport(report({ phases: Array.from({ length: 21 }, (_, index) => phase(index, index === 3)) }))
    expect(many).toContain('Phases (21; 20 that left nothing open are not shown):')
    expect(many).toContain("  'test 3' (1 s): 1 opened, 1 still open at its end")
    expect(many).not.toContain("'test 19'")
  })
})

describe('the exit status of sockscope run', () => {
  it('is the command’s own failure first, then 1 for a broken assertion or a report not written, else 0', () => {
    expect(runExitCode(report(), null, false)).toBe(0)
    expect(runExitCode(report({ assertionsPassed: false }), null, false)).toBe(1)
    expect(runExitCode(report(), null, true)).toBe(1)
    expect(runExitCode(report({ exit: { code: 4, signal: null, startError: null }, assertionsPassed: false }), null, true)).toBe(4)
    expect(runExitCode(report({ exit: { code: null, signal: 'SIGTERM', startError: null }, assertionsPassed: false }), null, false)).toBe(143)
    expect(runExitCode(report({ exit: { code: null, signal: null, startError: 'spawn x ENOENT' } }), 127, false)).toBe(127)
  })
})

describe('warnings about failed samples', () => {
  it('says each reason once, and at most the limit of reasons', () => {
    const lines: string[] = []
    const warn = warnOncePerReason((line) => lines.push(line), 2)
    for (let index = 0; index < 5; index++) warn(new Error('Reading socket tables is not supported yet on plan9.'))
    warn(new Error('second'))
    warn(new Error('third'))
    expect(lines).toEqual(['sockscope run: warning: Reading socket tables is not supported yet on plan9.\n', 'sockscope run: warning: second\n'])
  })
})
