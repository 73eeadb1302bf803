/** The focus view's words: the forecast sentence for each kind, and spans at their unit boundaries. */
import { describe, expect, it } from 'vitest'
import { fdForecastText, formatSpan, idleText, socketAgeText } from '../../../../shared/format/focus-text'

describe('focus text', () => {
  it('writes spans in the largest sensible unit, switching at each boundary', () => {
    expect(formatSpan(59_400)).toBe('59 s')
    expect(formatSpan(60_000)).toBe('1 min')
    expect(formatSpan(185_000)).toBe('3 min 5 s')
    expect(formatSpan(3_599_000)).toBe('59 min')
    expect(formatSpan(3_600_000)).toBe('1 h')
    expect(formatSpan(47 * 3_600_000 + 60_000)).toBe('47 h 1 min')
    expect(formatSpan(48 * 3_600_000)).toBe('2 d')
  })

  it('says when the fds run out, with the pace at sensible precision', () => {
    expect(fdForecastText({ kind: 'exhausts', slopePerMinute: 12.34, spanSeconds: 300, secondsLeft: 725, at: 0 })).toBe(
      'At 12 per minute it runs out of file descriptors in about 12 min.'
    )
    expect(fdForecastText({ kind: 'exhausts', slopePerMinute: 0.84, spanSeconds: 300, secondsLeft: 7200, at: 0 })).toBe(
      'At 0.8 per minute it runs out of file descriptors in about 2 h.'
    )
    expect(fdForecastText({ kind: 'no-growth', slopePerMinute: 0, spanSeconds: 600 })).toBe('No growth: the open-file count is flat over the last 10 min.')
    expect(fdForecastText({ kind: 'short-history', points: 4, spanSeconds: 12 })).toBe('Not enough history for a forecast yet (12 s so far).')
    expect(fdForecastText({ kind: 'at-limit' })).toContain('EMFILE')
  })

  it('marks the age of a socket open before sockscope started as a lower bound', () => {
    expect(socketAgeText(1000, false, 61_000)).toBe('1 min')
    expect(socketAgeText(1000, true, 61_000)).toBe('≥ 1 min')
    expect(idleText(2100, 40)).toBe('sent 2.1 s ago, received 40 ms ago')
    expect(idleText(null, null)).toBe('–')
  })
})
