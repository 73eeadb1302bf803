/**
 * The socket field table drives every surface. The tests in the first block iterate the table,
 * so a new entry is checked on every surface without a new test: CSV, JSON, the details pane,
 * copy-as-text, the CLI's `--columns`, sorting, and the live diff's "changed" test.
 */
import { describe, expect, it } from 'vitest'
import { csvField, exportTable, tableToCsv } from '../../../electron/backend/recording/table-export'
import { applyDiff, diffSnapshots } from '../../../electron/backend/sockets/snapshot-diff'
import { socketId } from '../../../electron/backend/platform/socket-id'
import { UsageError } from '../../../electron/cli/cli-command'
import { SOCKET_COLUMNS_HELP, socketColumnsOption, socketTextColumns } from '../../../electron/cli/socket-columns'
import { renderTextTable } from '../../../electron/cli/text-table'
import { emptySocketEntry, type SocketEntry } from '../../../shared/model/socket'
import { socketFields as socketFilter } from '../../../shared/query/socket-fields'
import {
  compareSockets,
  DEFAULT_CLI_COLUMNS,
  DEFAULT_TABLE_COLUMNS,
  formatQuantity,
  PER_TICK_PROPERTIES,
  SOCKET_FIELDS,
  socketCounters,
  socketAsText,
  sameFieldValue,
  socketChanged,
  socketDetailLines,
  socketField,
  sortedBySocketField,
  type SocketField
} from '../../../shared/socket-field-table'
import { buildSocket, socketSamples } from '../../support/socket-builder'
import { elementAt } from '../../../shared/element-at'

const samples = socketSamples()
const owner = (pid: number, process: string) => ({ pid, process, command: `${process} --serve`, user: 'root' })

/** The value at a dotted path of a JSON object. */
function pathValue(record: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), record)
}

/** A copy with every number, string and list under `value` made different (null stays null). */
function perturb(value: unknown): unknown {
  if (typeof value === 'number') return value + 1
  if (typeof value === 'string') return `${value}-other`
  if (Array.isArray(value)) return [...value, ...value]
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, perturb(inner)]))
  return value
}

/** A copy of `socket` with only the value at `path` perturbed. */
function withPerturbed(socket: SocketEntry, path: string): SocketEntry {
  const [head, ...rest] = path.split('.')
  const record = socket as unknown as Record<string, unknown>
  if (rest.length === 0) return { ...socket, [head!]: perturb(record[head!]) }
  const inner = record[head!]
  if (inner === null || typeof inner !== 'object') return socket
  return { ...socket, [head!]: { ...(inner as object), ...withPerturbed(inner as SocketEntry, rest.join('.')) } }
}

describe('every field of the socket field table', () => {
  const modelKeys = Object.keys(emptySocketEntry('tcp', 4))

  it('has a unique key, CSV name and label, and a key that is a path in the socket model', () => {
    for (const property of ['key', 'csvName', 'label'] as const) {
      const names = SOCKET_FIELDS.map((field) => field[property])
      expect(new Set(names).size, property).toBe(names.length)
    }
    for (const field of SOCKET_FIELDS) {
      expect(modelKeys, field.key).toContain(field.key.split('.')[0])
      expect(field.title.length, field.key).toBeGreaterThan(0)
    }
  })

  it('covers every property of the socket model', () => {
    const covered = new Set(SOCKET_FIELDS.map((field) => field.key.split('.')[0]))
    expect(modelKeys.filter((key) => !covered.has(key))).toEqual([])
  })

  it('names a filter term the filter language has', () => {
    for (const field of SOCKET_FIELDS) {
      if (field.filter !== null) expect(Object.keys(socketFilter.fields), field.key).toContain(field.filter)
    }
  })

  it('is a CSV column holding its value', () => {
    const [header, ...rows] = tableToCsv(samples).trim().split('\r\n')
    expect(header).toBe(SOCKET_FIELDS.map((field) => field.csvName).join(','))
    samples.forEach((socket, index) => {
      expect(rows[index]).toBe(SOCKET_FIELDS.map((field) => csvField(field.value(socket))).join(','))
    })
  })

  it('is found under its key in JSON export', () => {
    const exported = JSON.parse(exportTable({ takenAt: 0, tick: 1, sockets: samples }, 'json')).sockets as unknown[]
    for (const field of SOCKET_FIELDS) {
      const found = exported.some((socket) => pathValue(socket, field.key) !== undefined && pathValue(socket, field.key) !== null)
      expect(found, `${field.key}: no sample socket has a value at this path in JSON`).toBe(true)
    }
  })

  it('appears in the details pane and copy-as-text of a socket it applies to', () => {
    for (const field of SOCKET_FIELDS) {
      const socket = samples.find((candidate) => field.appliesTo(candidate))
      expect(socket, `${field.key} applies to no sample socket`).toBeDefined()
      const line = socketDetailLines(socket!).find((candidate) => candidate.key === field.key)
      expect(line).toMatchObject({ label: field.label, text: field.text(socket!) })
      expect(socketAsText(socket!).split('\n')).toContain(`${field.label}: ${field.text(socket!)}${line!.note === null ? '' : ` — ${line!.note}`}`)
    }
  })

  it('is a CLI column, listed in --help and shown with its title and text', () => {
    expect(socketColumnsOption('all').map((field) => field.key)).toEqual(SOCKET_FIELDS.map((field) => field.key))
    for (const field of SOCKET_FIELDS) {
      expect(SOCKET_COLUMNS_HELP).toMatch(new RegExp(`^ +\\*? +${field.key} +${field.label}$`, 'm'))
      expect(socketColumnsOption(field.key.toUpperCase())).toEqual([field])
      const table = renderTextTable(samples, socketTextColumns([field])).split('\n')
      expect(elementAt(table, 0).trim()).toBe(field.title)
      samples.forEach((socket, index) => {
        const text = field.text(socket)
        const cut = field.maxChars !== null && text.length > field.maxChars ? text.slice(0, field.maxChars - 1) + '…' : text
        expect(elementAt(table, index + 1).trim()).toBe(cut.trim())
      })
    }
  })

  it('sorts both ways into one order, blanks last', () => {
    for (const field of SOCKET_FIELDS) {
      for (const descending of [false, true]) {
        const sorted = [...samples].sort((a, b) => compareSockets(a, b, field.key, descending))
        for (let index = 1; index < sorted.length; index++) {
          expect(compareSockets(elementAt(sorted, index - 1), elementAt(sorted, index), field.key, descending), field.key).toBeLessThan(0)
          expect(compareSockets(elementAt(sorted, index), elementAt(sorted, index - 1), field.key, descending), field.key).toBeGreaterThan(0)
        }
        const blanks = sorted.map((socket) => field.sortValue(socket) === null)
        expect(blanks, field.key).toEqual([...blanks].sort((a, b) => Number(a) - Number(b)))
      }
    }
  })

  it("sorts a long list with precomputed keys into exactly the comparator's order", () => {
    // Repeated processes and ports, natural order (node2 before node10) and blanks, shuffled.
    const names = ['node10', 'node2', 'Node2', 'sshd', null]
    const many = Array.from({ length: 400 }, (_, index) => {
      const base = elementAt(samples, index % samples.length)
      const process = names[(index * 7) % names.length] ?? null
      return { ...base, id: `${base.id}#${(index * 7919) % 400}`, process, pid: process === null ? null : 100 + (index % 13), localPort: (index * 31) % 50 }
    })
    for (const field of SOCKET_FIELDS) {
      for (const descending of [false, true]) {
        const expected = [...many].sort((a, b) => compareSockets(a, b, field.key, descending)).map((socket) => socket.id)
        expect(
          sortedBySocketField(many, (socket) => socket, field.key, descending).map((socket) => socket.id),
          `${field.key} ${descending}`
        ).toEqual(expected)
      }
    }
  })

  it('marks a socket changed when it changes, unless it changes every tick or is part of its id', () => {
    const snapshot = (tick: number, socket: SocketEntry) => ({ tick, takenAt: tick, refreshMs: 0, sockets: [socket], issues: [], partialOwnership: false })
    for (const field of SOCKET_FIELDS) {
      const changes = samples.map((socket) => [socket, withPerturbed(socket, field.key)] as const).filter(([before, after]) => !sameFieldValue(field, before, after))
      expect(changes.length, `${field.key}: no sample socket has a value to change`).toBeGreaterThan(0)
      for (const [before, after] of changes) {
        if (field.changes === 'never') {
          // An identity field is part of the id: a socket whose value differs is another socket.
          expect(field.key === 'id' || socketId(after) !== socketId(before), field.key).toBe(true)
          expect(socketChanged(before, after), field.key).toBe(false)
        } else {
          expect(socketChanged(before, after), field.key).toBe(field.changes === 'rarely')
          const diff = diffSnapshots(snapshot(1, before), snapshot(2, after))
          expect(diff.changed.length, field.key).toBe(field.changes === 'rarely' ? 1 : 0)
          // A per-tick change travels in the counters instead, and applying them gives the new
          // value; a clock (idle time, countdown) alone does not send them.
          expect(diff.counters.length, field.key).toBe(field.changes === 'every-tick' && !field.clock ? 1 : 0)
          const table = new Map([[before.id, before]])
          applyDiff(table, diff)
          expect(sameFieldValue(field, table.get(before.id)!, after), field.key).toBe(!field.clock)
        }
      }
    }
  })
})

describe('the per-tick counters', () => {
  it('carry exactly the properties that hold the fields that change every tick', () => {
    const carried = Object.keys(socketCounters(samples[1]!)).filter((key) => key !== 'id')
    expect([...PER_TICK_PROPERTIES].sort()).toEqual(carried.sort())
    expect(PER_TICK_PROPERTIES).toContain('tcpInfo')
  })

  it('leave a socket out when nothing but its clocks moved, and never mark it changed when only they did', () => {
    const connection = samples[1]!
    const snapshot = (tick: number, socket: SocketEntry) => ({ tick, takenAt: tick, refreshMs: 0, sockets: [socket], issues: [], partialOwnership: false })
    expect(diffSnapshots(snapshot(1, connection), snapshot(2, { ...connection })).counters).toEqual([])
    const busier = { ...connection, tcpInfo: { ...connection.tcpInfo!, bytesSent: 9000, lastSendMs: 0 } }
    const diff = diffSnapshots(snapshot(1, connection), snapshot(2, busier))
    expect(diff.changed).toEqual([])
    // The clocks travel along with the news.
    expect(diff.counters).toEqual([{ id: connection.id, timer: connection.timer, tcpInfo: busier.tcpInfo, throughput: connection.throughput }])
    // An idle connection whose idle times and timer only ticked on sends nothing.
    const idler = { ...connection, timer: { kind: 'keepalive' as const, expiresInMs: 1 }, tcpInfo: { ...connection.tcpInfo!, lastSendMs: 99_999, lastReceiveMs: 99_999 } }
    expect(diffSnapshots(snapshot(1, connection), snapshot(2, idler)).counters).toEqual([])
  })
})

describe('canonical text', () => {
  const [listener, connection, udp, unix, raw, timeWait] = samples as [SocketEntry, SocketEntry, SocketEntry, SocketEntry, SocketEntry, SocketEntry]
  const text = (key: Parameters<typeof socketField>[0], socket: SocketEntry) => socketField(key).text(socket)

  it('writes the protocol with the IP family and the UNIX type', () => {
    expect([listener, connection, udp, unix, raw].map((socket) => text('protocol', socket))).toEqual(['tcp', 'tcp6', 'udp', 'unix/stream', 'raw6'])
    expect(text('protocol', { ...unix, unixType: null })).toBe('unix')
  })

  it('writes a user as the name, else the uid, else a dash', () => {
    expect([listener, connection, unix].map((socket) => text('user', socket))).toEqual(['root', '1000', '–'])
  })

  it('writes ports as ss does and leaves them out for UNIX sockets', () => {
    expect([listener, listener, unix, raw].map((socket, index) => text(index === 1 ? 'remotePort' : 'localPort', socket))).toEqual(['8080', '*', '–', '*'])
    expect(socketDetailLines(unix).map((line) => line.key)).not.toContain('localPort')
  })

  it('shows a resolved name for the remote address where one is known', () => {
    const field = socketField('remoteAddress')
    expect(field.text(connection, { nameFor: () => 'localhost' })).toBe('localhost (::1)')
    expect(field.text(connection, { nameFor: () => null })).toBe('::1')
    expect(field.text(unix, { nameFor: () => 'never' })).toBe('*')
  })

  it('writes owners, their visibility and the timer in words', () => {
    expect(text('process', connection)).toBe('nginx (77) +1')
    expect(text('owners', connection)).toBe('nginx (77), nginx (78)')
    expect(text('process', unix)).toBe('(hidden)')
    expect(text('process', timeWait)).toBe('–')
    expect(text('inode', timeWait)).toBe('–')
    expect(text('timer', connection)).toBe('keepalive, 7000 ms')
    expect(socketAsText(unix)).toContain('Owner: hidden — ')
  })

  it('writes quantities with their unit', () => {
    expect(formatQuantity(null, 'count')).toBe('–')
    expect(formatQuantity(12, 'count')).toBe('12')
    expect(formatQuantity(0.12345, 'ms')).toBe('0.123 ms')
    expect(formatQuantity(12.345, 'ms')).toBe('12.3 ms')
    expect(formatQuantity(7000, 'ms')).toBe('7000 ms')
    expect(formatQuantity(1536, 'bytes')).toBe('1.5 KiB')
    expect(formatQuantity(1536, 'bytes/s')).toBe('1.5 KiB/s')
    expect(formatQuantity(999, 'bits/s')).toBe('999 bit/s')
    expect(formatQuantity(1000, 'bits/s')).toBe('1.0 kbit/s')
    expect(formatQuantity(12_500_000, 'bits/s')).toBe('12.5 Mbit/s')
  })
})

describe('sorting', () => {
  const unix = buildSocket({ id: 'unix', protocol: 'unix', family: null, localPort: null, remotePort: null, pid: null, process: null, user: null, uid: null })
  const low = buildSocket({ id: 'low', localPort: 80, process: 'curl', user: 'alice' })
  const high = buildSocket({ id: 'high', localPort: 50_000, process: 'node', user: 'root' })

  it('sorts blanks last ascending and descending', () => {
    const sockets = [unix, high, low]
    for (const key of ['localPort', 'process', 'user'] as const) {
      expect([...sockets].sort((a, b) => compareSockets(a, b, key)).map((socket) => socket.id)).toEqual(['low', 'high', 'unix'])
      expect([...sockets].sort((a, b) => compareSockets(a, b, key, true)).map((socket) => socket.id)).toEqual(['high', 'low', 'unix'])
    }
  })

  it('sorts text naturally and on what the column shows', () => {
    const names = ['node10', 'node9'].map((process, index) => buildSocket({ id: String(index), process }))
    expect(names.sort((a, b) => compareSockets(a, b, 'process')).map((socket) => socket.process)).toEqual(['node9', 'node10'])
    const protocols = [buildSocket({ id: 'a', family: 6 }), buildSocket({ id: 'b', protocol: 'udp' }), buildSocket({ id: 'c' })]
    expect(protocols.sort((a, b) => compareSockets(a, b, 'protocol')).map((socket) => socketField('protocol').text(socket))).toEqual(['tcp', 'tcp6', 'udp'])
  })

  it('breaks ties by id so the order is stable', () => {
    const first = buildSocket({ id: 'a', localPort: 1 })
    const second = buildSocket({ id: 'b', localPort: 1 })
    expect(compareSockets(first, second, 'localPort')).toBeLessThan(0)
    expect(compareSockets(first, second, 'localPort', true)).toBeLessThan(0)
  })
})

describe('change detection', () => {
  const connection = elementAt(samples, 1)

  it('ignores timer countdowns and counts owners by pid without building text', () => {
    expect(socketChanged(connection, { ...connection, timer: { kind: 'keepalive', expiresInMs: 6000 } })).toBe(false)
    expect(socketChanged(connection, { ...connection, owners: [...connection.owners] })).toBe(false)
    expect(socketChanged(connection, { ...connection, owners: [elementAt(connection.owners, 0), owner(79, 'nginx')] })).toBe(true)
    expect(socketChanged(connection, { ...connection, process: 'nginx-new' })).toBe(true)
  })
})

describe('--columns', () => {
  it('keeps the order asked for and defaults to the CLI columns', () => {
    expect(socketColumnsOption('state, pid ,protocol').map((field: SocketField) => field.key)).toEqual(['state', 'pid', 'protocol'])
    expect(socketColumnsOption(undefined).map((field) => field.key)).toEqual(DEFAULT_CLI_COLUMNS)
  })

  it('refuses an unknown or empty name with a suggestion', () => {
    expect(() => socketColumnsOption('protocl')).toThrow(UsageError)
    expect(() => socketColumnsOption('protocl')).toThrow(/unknown column "protocl"; did you mean "protocol"/)
    expect(() => socketColumnsOption('state,,pid')).toThrow(/separated by commas/)
  })

  it('shows old → new for changed values, but not for per-tick ones', () => {
    const before = elementAt(samples, 1)
    const after = { ...before, state: 'CLOSE_WAIT' as const, recvQueue: 0, timer: { kind: 'keepalive' as const, expiresInMs: 1000 } }
    const columns = socketTextColumns(socketColumnsOption('state,recvQueue,sendQueue,timer'), {}, () => before)
    expect(columns.map((column) => column.value(after))).toEqual(['ESTABLISHED → CLOSE_WAIT', '12 → 0', '34', 'keepalive, 1000 ms'])
  })
})

describe('default columns', () => {
  /** Whether `expected` appears in `actual` in order (other columns may sit between). */
  const inOrder = (actual: readonly string[], expected: readonly string[]) =>
    expected.every((key, index) => actual.indexOf(key) > (index === 0 ? -1 : actual.indexOf(elementAt(expected, index - 1))))

  it('keep the app table and CLI layouts people know', () => {
    const known = ['protocol', 'localAddress', 'localPort', 'remoteAddress', 'remotePort', 'state', 'recvQueue', 'sendQueue', 'process', 'user']
    expect(inOrder(DEFAULT_TABLE_COLUMNS, [...known, 'inode'])).toBe(true)
    expect(inOrder(DEFAULT_CLI_COLUMNS, known)).toBe(true)
    expect(inOrder(DEFAULT_CLI_COLUMNS, ['state', 'protocol'])).toBe(false)
    for (const hidden of ['command', 'uid', 'timer', 'id']) expect([...DEFAULT_TABLE_COLUMNS, ...DEFAULT_CLI_COLUMNS]).not.toContain(hidden)
  })
})
