import { describe, expect, it } from 'vitest'
import { csvField, diffToCsv, exportDiff, exportTable, tableToCsv } from '../../../../electron/backend/recording/table-export'
import { parseRecordingTime } from '../../../../electron/backend/recording/recording-time'
import { buildSocket } from '../../../support/socket-builder'
import { elementAt } from '../../../../shared/element-at'

describe('CSV export', () => {
  it('quotes fields with commas, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField(null)).toBe('')
    expect(csvField(0)).toBe('0')
  })

  it('writes a header row and one row per socket, quoting where needed', () => {
    const socket = buildSocket({ process: 'my,app', inode: 5 })
    const lines = tableToCsv([socket]).split('\r\n')
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('')
    // Named cells rather than whole lines: a new field adds a column without touching this test.
    const names = elementAt(lines, 0).split(',')
    const cells = [...elementAt(lines, 1).matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((match) => match[1]).slice(0, names.length)
    expect(Object.fromEntries(names.map((name, index) => [name, cells[index]]))).toMatchObject({
      protocol: 'tcp',
      family: '4',
      local_address: '127.0.0.1',
      local_port: '8080',
      remote_port: '0',
      state: 'LISTEN',
      recv_q: '0',
      pid: '42',
      process: '"my,app"',
      command: 'node server.js',
      user: 'root',
      uid: '0',
      inode: '5',
      owners: 'node (42)',
      timer: '',
      id: socket.id
    })
  })

  it('marks diff rows as opened, closed or changed', () => {
    const before = buildSocket({ state: 'ESTABLISHED', inode: 2 })
    const text = diffToCsv({ from: 0, to: 1, opened: [buildSocket({ inode: 1 })], closed: [], changed: [{ before, after: { ...before, state: 'CLOSE_WAIT' } }] })
    const rows = text
      .trim()
      .split('\r\n')
      .map((line) => line.split(',').slice(0, 2))
    expect(rows).toEqual([
      ['change', 'previous_state'],
      ['opened', ''],
      ['changed', 'ESTABLISHED']
    ])
  })

  it('writes JSON with ISO times', () => {
    const table = JSON.parse(exportTable({ takenAt: 0, tick: 3, sockets: [buildSocket()] }, 'json'))
    expect(table).toMatchObject({ takenAt: '1970-01-01T00:00:00.000Z', tick: 3 })
    expect(table.sockets).toHaveLength(1)
    const diff = JSON.parse(exportDiff({ from: 0, to: 1000, opened: [], closed: [], changed: [] }, 'json'))
    expect(diff).toEqual({ from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T00:00:01.000Z', opened: [], closed: [], changed: [] })
    expect(exportTable({ takenAt: 0, tick: 3, sockets: [] }, 'csv').split('\r\n')).toHaveLength(2)
  })
})

describe('parseRecordingTime', () => {
  const start = 1_700_000_000_000
  const end = start + 3_600_000

  it('reads offsets, names, epoch milliseconds and ISO dates', () => {
    expect(parseRecordingTime('start', start, end)).toBe(start)
    expect(parseRecordingTime('end', start, end)).toBe(end)
    expect(parseRecordingTime('90', start, end)).toBe(start + 90_000)
    expect(parseRecordingTime('+90s', start, end)).toBe(start + 90_000)
    expect(parseRecordingTime('2m', start, end)).toBe(start + 120_000)
    expect(parseRecordingTime('1.5h', start, end)).toBe(start + 5_400_000)
    expect(parseRecordingTime('250ms', start, end)).toBe(start + 250)
    expect(parseRecordingTime(String(start + 5), start, end)).toBe(start + 5)
    expect(parseRecordingTime('2023-11-14T22:13:20.000Z', start, end)).toBe(start)
  })

  it('explains the accepted forms when it cannot read one', () => {
    expect(() => parseRecordingTime('yesterday-ish', start, end)).toThrow(/offset from the start/)
  })
})
