/*
 * Every field of the socket field table has an answer on macOS and on Windows: filled, or why it
 * is empty there. A new field fails this test until both providers say. The answers that say
 * "filled" are checked against real rows of each provider.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DARWIN_FIELDS } from '../../../../electron/backend/platform/darwin/darwin-fields'
import { LsofTableReader } from '../../../../electron/backend/platform/darwin/lsof-table-reader'
import { fieldAvailability, type FieldAvailability } from '../../../../electron/backend/platform/field-availability'
import { OwnedSocketProvider } from '../../../../electron/backend/platform/owned-socket-provider'
import { NetstatTableReader } from '../../../../electron/backend/platform/win32/win32-table-reader'
import { WIN32_FIELDS } from '../../../../electron/backend/platform/win32/win32-fields'
import { SOCKET_FIELDS } from '../../../../shared/socket-field-table'
import type { SocketEntry } from '../../../../shared/model/socket'

const fixture = (path: string) => readFileSync(join(__dirname, '../../../fixtures', path), 'utf8')

const PROVIDERS: readonly [string, FieldAvailability][] = [
  ['darwin', DARWIN_FIELDS],
  ['win32', WIN32_FIELDS]
]

describe.each(PROVIDERS)('%s field availability', (_name, table) => {
  it('answers for every field of the socket field table', () => {
    const unanswered = SOCKET_FIELDS.map((field) => field.key).filter((key) => fieldAvailability(table, key) === undefined)
    expect(unanswered).toEqual([])
  })

  it('names no field the table does not have', () => {
    const keys = SOCKET_FIELDS.map((field) => field.key)
    const stray = Object.keys(table).filter((key) => !keys.some((field) => field === key || field.startsWith(`${key}.`)))
    expect(stray).toEqual([])
  })

  it('says why, in a sentence, for every field left empty', () => {
    for (const reason of Object.values(table)) if (reason !== null) expect(reason).toMatch(/^\S.{20,}\.$/)
  })
})

describe('what the providers fill', () => {
  it('fills on both providers what they say they fill, and leaves empty what they say they cannot', async () => {
    const darwin = new OwnedSocketProvider('darwin', new LsofTableReader(async (file) => (file === 'lsof' ? fixture('darwin/lsof-F-linux-4.95.txt') : '')))
    const windows = new OwnedSocketProvider(
      'win32',
      new NetstatTableReader(async (file) => (file === 'netstat' ? fixture('win32/netstat-ano-windows10.txt') : '"svchost.exe","1712","Services","0","1 K"'))
    )
    const rows: [FieldAvailability, readonly SocketEntry[]][] = [
      [DARWIN_FIELDS, (await darwin.read({ withProcesses: true })).sockets],
      [WIN32_FIELDS, (await windows.read({ withProcesses: true })).sockets]
    ]
    for (const [table, sockets] of rows) {
      expect(sockets.length).toBeGreaterThan(0)
      for (const key of ['inode', 'tcpInfo', 'throughput', 'netns', 'container', 'timer', 'peerInode'] as const) {
        expect(fieldAvailability(table, key)).not.toBeNull()
        const values = sockets.map((socket) => socket[key])
        expect(values.every((value) => value === null || value === 0)).toBe(true)
      }
      for (const key of ['protocol', 'localAddress', 'localPort', 'state', 'pid', 'process', 'owners'] as const) {
        expect(fieldAvailability(table, key)).toBeNull()
        expect(sockets.some((socket) => socket[key] !== null)).toBe(true)
      }
    }
  })
})
