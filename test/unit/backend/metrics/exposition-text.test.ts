/*
 * The text Prometheus parses, byte for byte: a wrong escape in a label value (a process named
 * with a quote, a backslash or a line feed) makes the whole scrape fail, so both formats are
 * pinned on exact output.
 */
import { describe, expect, it } from 'vitest'
import { chooseExposition, escapeLabelValue, renderExposition, type MetricFamily } from '../../../../electron/backend/metrics/exposition-text'

const families: MetricFamily[] = [
  {
    name: 'demo_sockets',
    help: 'Sockets "held", by a\\b\nsecond line.',
    samples: [
      {
        labels: [
          ['process', 'we"ird\\name\nline2'],
          ['pid', '7']
        ],
        value: 3
      },
      {
        labels: [
          ['process', 'plain'],
          ['pid', '8']
        ],
        value: 0
      }
    ]
  },
  { name: 'demo_duration_seconds', help: 'A duration.', unit: 'seconds', samples: [{ labels: [], value: 0.025 }] },
  { name: 'demo_empty', help: 'Nothing yet.', samples: [] }
]

describe('renderExposition', () => {
  it('writes the Prometheus text format: HELP escapes backslash and line feed only, no UNIT, no EOF', () => {
    expect(renderExposition(families, 'prometheus')).toBe(
      [
        '# HELP demo_sockets Sockets "held", by a\\\\b\\nsecond line.',
        '# TYPE demo_sockets gauge',
        'demo_sockets{process="we\\"ird\\\\name\\nline2",pid="7"} 3',
        'demo_sockets{process="plain",pid="8"} 0',
        '# HELP demo_duration_seconds A duration.',
        '# TYPE demo_duration_seconds gauge',
        'demo_duration_seconds 0.025',
        '# HELP demo_empty Nothing yet.',
        '# TYPE demo_empty gauge',
        ''
      ].join('\n')
    )
  })

  it('writes OpenMetrics: HELP escapes the double quote too, UNIT for a unit, and ends with # EOF', () => {
    expect(renderExposition(families, 'openmetrics')).toBe(
      [
        '# HELP demo_sockets Sockets \\"held\\", by a\\\\b\\nsecond line.',
        '# TYPE demo_sockets gauge',
        'demo_sockets{process="we\\"ird\\\\name\\nline2",pid="7"} 3',
        'demo_sockets{process="plain",pid="8"} 0',
        '# HELP demo_duration_seconds A duration.',
        '# TYPE demo_duration_seconds gauge',
        '# UNIT demo_duration_seconds seconds',
        'demo_duration_seconds 0.025',
        '# HELP demo_empty Nothing yet.',
        '# TYPE demo_empty gauge',
        '# EOF',
        ''
      ].join('\n')
    )
  })

  it('names the values a float cannot print plainly', () => {
    const special: MetricFamily = {
      name: 'demo_value',
      help: 'Values.',
      samples: [Number.NaN, Infinity, -Infinity, 1e21].map((value, index) => ({ labels: [['n', String(index)]], value }))
    }
    expect(renderExposition([special], 'prometheus').split('\n').slice(2, 6)).toEqual([
      'demo_value{n="0"} NaN',
      'demo_value{n="1"} +Inf',
      'demo_value{n="2"} -Inf',
      'demo_value{n="3"} 1e+21'
    ])
  })
})

describe('escapeLabelValue', () => {
  it('escapes each special character once, and a backslash before an n stays two characters', () => {
    expect(escapeLabelValue('a\\nb')).toBe('a\\\\nb')
    expect(escapeLabelValue('"\n\\')).toBe('\\"\\n\\\\')
    expect(escapeLabelValue('tab\there ü')).toBe('tab\there ü')
  })
})

describe('chooseExposition', () => {
  it('answers what Prometheus asks for with OpenMetrics', () => {
    const prometheus = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
    expect(chooseExposition(prometheus)).toBe('openmetrics')
    expect(chooseExposition('application/openmetrics-text')).toBe('openmetrics')
    expect(chooseExposition('Application/OpenMetrics-Text; Version=1.0.0; q=0.3')).toBe('openmetrics')
  })

  it('falls back to the Prometheus text format for anything else', () => {
    expect(chooseExposition(undefined)).toBe('prometheus')
    expect(chooseExposition('*/*')).toBe('prometheus')
    expect(chooseExposition('text/plain;version=0.0.4')).toBe('prometheus')
    // Refused (q=0) or a version this writer does not produce.
    expect(chooseExposition('application/openmetrics-text;q=0, text/plain')).toBe('prometheus')
    expect(chooseExposition('application/openmetrics-text;version=0.0.1')).toBe('prometheus')
  })
})
