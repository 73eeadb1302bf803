import { describe, expect, it } from 'vitest'
import { describeProbePolicy, describeSample, describeStatistics, formatProbeError, previewReceived } from '../../../../shared/format/probe-text'

describe('probe text', () => {
  it('prints samples like tcping and statistics like ping', () => {
    expect(describeSample({ sequence: 3, at: 0, ok: true, latencyMs: 0.2, error: null }, '[::1]:22')).toBe('seq=3 connected to [::1]:22 time=0.200 ms')
    const refused = { kind: 'refused' as const, phase: 'connect' as const, detail: null, code: 'ECONNREFUSED', message: 'nobody home' }
    expect(describeSample({ sequence: 4, at: 0, ok: false, latencyMs: null, error: refused }, 'x:1')).toBe('seq=4 refused: nobody home')
    expect(describeStatistics({ sent: 4, received: 3, lost: 1, lossPercent: 25, minMs: 1, avgMs: 2, maxMs: 3, p95Ms: 3, jitterMs: 1 })).toEqual([
      '4 sent, 3 connected, 25% loss',
      'min/avg/max/p95 = 1.000/2.000/3.000/3.000 ms, jitter 1.000 ms'
    ])
  })

  it('names the detail of an error and quotes received text safely', () => {
    expect(formatProbeError({ kind: 'dns', phase: 'dns', detail: 'nxdomain', code: 'ENOTFOUND', message: 'no such name' })).toBe('dns (nxdomain): no such name')
    expect(previewReceived({ byteLength: 4, hex: '6869', text: 'hi\r\n', truncated: true })).toBe('4 bytes "hi\\r\\n" …')
  })

  it('says what the backend’s policy allows, and how to widen it', () => {
    const denied = describeProbePolicy({ remoteTargets: 'deny', howToAllow: 'Start it with --allow-remote-targets.' })
    expect(denied).toContain('Remote targets are off')
    expect(denied).toContain('127.0.0.0/8, ::1')
    expect(denied?.endsWith(' Start it with --allow-remote-targets.')).toBe(true)
    expect(describeProbePolicy({ remoteTargets: 'deny', howToAllow: null })).toContain('Remote targets are off')
    expect(describeProbePolicy({ remoteTargets: 'ask', howToAllow: null })).toContain('asks you')
    expect(describeProbePolicy({ remoteTargets: 'allow', howToAllow: null })).toBeNull()
  })
})
