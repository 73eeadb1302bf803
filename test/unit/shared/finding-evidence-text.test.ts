import { describe, expect, it } from 'vitest'
import type { Finding } from '../../../shared/model/finding'
import { evidenceLines, formatEvidenceNumber } from '../../../shared/format/finding-evidence-text'
import { LeakHarness } from '../../support/leak-harness'
import { buildSocket } from '../../support/socket-builder'
import { buildProcessSample, buildSample } from '../../support/history-sample-builder'
import { buildFinding } from '../../support/finding-builder'
import { elementAt } from '../../../shared/element-at'

const owner = (pid: number, process = 'app') => ({ pid, process, owners: [{ pid, process, command: process, user: 'root' }] })

/** One real finding of each kind the detector can raise from a sample and a table. */
function realFindings(): Finding[] {
  const harness = new LeakHarness({ raiseAfterSeconds: 0 })
  const closeWait = Array.from({ length: 6 }, (_, index) =>
    buildSocket({ ...owner(7), localPort: 40000 + index, remoteAddress: '127.0.0.1', remotePort: 8080, state: 'CLOSE_WAIT', inode: 500 + index })
  )
  const timeWait = Array.from({ length: 1200 }, (_, index) =>
    buildSocket({
      pid: null,
      process: null,
      owners: [],
      ownerVisibility: 'none',
      localPort: 80,
      remoteAddress: '127.0.0.9',
      remotePort: 30000 + index,
      state: 'TIME_WAIT',
      inode: 0
    })
  )
  const use = { protocol: 'tcp' as const, localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 6379, pid: 4, process: 'worker', count: 20000 }
  for (let second = 0; second < 120; second++) {
    harness.tick(
      (takenAt) =>
        buildSample(
          takenAt,
          [
            buildProcessSample({ pid: 9, name: 'leaky', sockets: 20 + second, fdCount: 40 + second, fdSoftLimit: 1024 }),
            buildProcessSample({ pid: 5, name: 'db', sockets: 3, fdCount: 900, fdSoftLimit: 1000 }),
            buildProcessSample({ pid: 7, sockets: 6, states: { CLOSE_WAIT: 6 } })
          ],
          { ephemeral: [use], states: { TIME_WAIT: 1200 }, protocols: { tcp: 1210, udp: 0, unix: 0, raw: 0 }, sockets: 1210 }
        ),
      [...closeWait, ...timeWait]
    )
  }
  return harness.detector.active()
}

describe('evidence as people read it', () => {
  it('labels every number the rules give, so no raw field name reaches a user', () => {
    const findings = realFindings()
    expect(new Set(findings.map((finding) => finding.kind))).toEqual(new Set(['growth', 'close-wait', 'fd-limit', 'time-wait', 'ephemeral-ports']))
    for (const finding of findings) {
      for (const [name, value] of Object.entries(finding.evidence.numbers)) {
        const line = elementAt(evidenceLines({ kind: finding.kind, evidence: { ...finding.evidence, numbers: { [name]: value } } }), 0)
        // The fallback spells the field name out; a labelled field never reads like its name.
        expect(line.label, `${finding.kind}.${name}`).not.toBe(name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase())
      }
    }
  })

  it('says what a CLOSE_WAIT count means, with the age it was counted at', () => {
    const closeWait = realFindings().find((finding) => finding.kind === 'close-wait')!
    expect(evidenceLines(closeWait)).toEqual([
      { label: 'CLOSE_WAIT older than 30 s', value: '6' },
      { label: 'CLOSE_WAIT in all', value: '6' },
      { label: 'oldest in CLOSE_WAIT for', value: '1 min 59 s' },
      { label: 'counted after', value: '30 s' }
    ])
  })

  it('writes shares as percentages and rates at a sensible precision', () => {
    const lines = (kind: Finding['kind'], numbers: Record<string, number>) =>
      evidenceLines(buildFinding({ kind, evidence: { numbers, series: null, groups: [] } })).map((line) => `${line.label}: ${line.value}`)
    expect(lines('fd-limit', { ratio: 0.81234, fdCount: 20000 })).toEqual(['share of the limit in use: 81.2 %', 'open files: 20,000'])
    expect(lines('growth', { slopePerMinute: 12.3456, rSquared: 0.98765, windowSeconds: 3725 })).toEqual(['growth: 12.3 a minute', 'steadiness (R²): 0.99', 'window: 1 h 2 min'])
    expect(lines('time-wait', { share: 0.5 })).toEqual(['share of TCP in TIME_WAIT: 50 %'])
    expect(lines('growth', { somethingNew: 0.123456 })).toEqual(['something new: 0.12'])
    expect(formatEvidenceNumber(1234.5678)).toBe('1235')
    expect(formatEvidenceNumber(-0.0049)).toBe('0')
  })
})
