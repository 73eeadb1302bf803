/*
 * `list --json`'s row writer against `JSON.stringify`, the text it stands in for: the same text for
 * a sample of every field and every kind of value, and for strings that need escapes of every
 * sort. A field added to the socket model and not to the writer fails here, since the samples must
 * hold every field. Rows of the real tables: test/integration/cli/socket-json.test.ts.
 */
import { describe, expect, it } from 'vitest'
import type { SocketEntry } from '../../../shared/model/socket'
import { socketJson } from '../../../electron/cli/socket-json'
import { buildSocket, socketSamples } from '../../support/socket-builder'

/** Texts that need every kind of escape JSON has, and some that need none. */
const AWKWARD_TEXTS = [
  'say "hi"',
  'C:\\path\\to',
  'line\nbreak\r\ttab',
  'nul\u0000bell\u0007unit\u001f',
  'delete \u007f stays',
  'unit separator \u001f alone',
  'escape \u001b[0m alone',
  'next line \u0085 (C1)',
  'héllo wörld',
  'emoji 🦊 whole',
  'lone high \ud83e half',
  'lone low \udd8a half',
  '\u2028 and \u2029',
  '</script>',
  ''
]

describe('socketJson', () => {
  it('writes every sample row as JSON.stringify does', () => {
    const samples = socketSamples()
    // Every field holds a value other than its "not known" one in some sample.
    const empty = buildSocket({})
    for (const key of Object.keys(empty) as (keyof SocketEntry)[]) {
      if (key === 'id') continue
      expect(
        samples.some((sample) => JSON.stringify(sample[key]) !== JSON.stringify(empty[key])),
        key
      ).toBe(true)
    }
    for (const sample of samples) expect(socketJson(sample)).toBe(JSON.stringify(sample))
  })

  it('escapes every string field as JSON.stringify does', () => {
    const tcp = socketSamples().find((sample) => sample.tcpInfo !== null) ?? buildSocket({})
    for (const awkward of AWKWARD_TEXTS) {
      const owner = { pid: 7, process: awkward, command: `${awkward} --flag`, user: awkward }
      const row: SocketEntry = {
        ...tcp,
        id: `unix ${awkward}`,
        localAddress: awkward,
        remoteAddress: awkward,
        user: awkward,
        process: awkward,
        command: awkward,
        owners: [owner, { ...owner, pid: 8, user: null }],
        container: awkward,
        tcpInfo: tcp.tcpInfo === null ? null : { ...tcp.tcpInfo, congestion: awkward }
      }
      expect(socketJson(row)).toBe(JSON.stringify(row))
      expect(JSON.parse(socketJson(row))).toEqual(row)
    }
  })

  it('writes numbers JSON cannot hold as null, and the resolved name last when there is one', () => {
    const [sample] = socketSamples()
    const row = {
      ...buildSocket({ pid: 0, uid: 0, recvQueue: 2 ** 40, localPort: -0 }),
      throughput: { sendBytesPerSecond: Number.POSITIVE_INFINITY, receiveBytesPerSecond: Number.NaN }
    }
    expect(socketJson(row)).toBe(JSON.stringify(row))
    for (const remoteHost of ['example.org', null, 'quote"d']) {
      const named = { ...sample!, remoteHost }
      expect(socketJson(named)).toBe(JSON.stringify(named))
    }
  })
})
