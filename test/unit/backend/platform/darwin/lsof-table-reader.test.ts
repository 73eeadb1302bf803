/*
 * The macOS fallback reader: lsof's sockets with their owners, plus what only netstat lists.
 * lsof's output is the real Linux recording and netstat's the published macOS lines of
 * test/fixtures/darwin (see SOURCES.md); the TIME_WAIT line is written from the documented format.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DarwinPlatform } from '../../../../../electron/backend/platform/darwin/darwin-platform'
import { LSOF_ARGUMENTS, LsofTableReader, mergeLsofAndNetstat } from '../../../../../electron/backend/platform/darwin/lsof-table-reader'
import { parseLsofFields } from '../../../../../electron/backend/platform/darwin/lsof-fields'
import { parseNetstatSockets } from '../../../../../electron/backend/platform/darwin/netstat-sockets'

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../fixtures/darwin', name), 'utf8')
const lsofText = fixture('lsof-F-linux-4.95.txt')
const netstatText = fixture('netstat-anv-porthole.txt')
const netstatUdpText = fixture('netstat-anv-udp-porthole.txt')
const header = netstatText.split('\n').slice(0, 2).join('\n')
/** lsof's recording, and netstat's TCP or UDP lines as asked. */
const tools = async (file: string, args: readonly string[]) => (file === 'lsof' ? lsofText : args.includes('udp') ? netstatUdpText : netstatText)

describe('mergeLsofAndNetstat', () => {
  it('keeps lsof rows with their owners and adds what only netstat lists', () => {
    const timeWait = `${header}\ntcp4       0      0  127.0.0.1.42297        127.0.0.1.55999        TIME_WAIT              0            0  131072  131072    kernel_task:0    00100 00000006 0 0 0 1 0 0`
    const merged = mergeLsofAndNetstat(parseLsofFields(lsofText), [parseNetstatSockets(netstatText), parseNetstatSockets(timeWait)], false)
    expect(merged.issues).toEqual([])
    expect(merged.rows).toHaveLength(6 + 5 + 1)
    const lsofRow = merged.rows.find((owned) => owned.row.localPort === 42297 && owned.row.state === 'LISTEN')
    expect(lsofRow).toMatchObject({ visibility: 'known', owners: [{ pid: 26087, process: 'python3', command: 'python3', user: 'root' }], row: { recvQueue: 1, uid: 0 } })
    const mail = merged.rows.find((owned) => owned.row.remotePort === 993)
    expect(mail).toMatchObject({ visibility: 'known', owners: [{ pid: 935, process: 'Mail' }] })
    const orphan = merged.rows.find((owned) => owned.row.state === 'TIME_WAIT')
    expect(orphan).toMatchObject({ visibility: 'none', owners: [], row: { localPort: 42297, remotePort: 55999 } })
  })

  it('does not list a socket twice when netstat also has it, however each spells the wildcard', () => {
    const sameListener = `${header}\ntcp6       0      0  ::1.35529              *.*                    LISTEN                 0            0  131072  131072    python3:26087    00100 00000006 0 0 0 1 0 0`
    const merged = mergeLsofAndNetstat(parseLsofFields(lsofText), [parseNetstatSockets(sameListener)], false)
    expect(merged.rows).toHaveLength(6)
  })

  it('says an ownerless socket may have a hidden owner when lsof could not see every process', () => {
    const timeWait = `${header}\ntcp4       0      0  10.0.0.2.50000         10.0.0.9.443           TIME_WAIT              0            0  131072  131072    kernel_task:0    00100 00000006 0 0 0 1 0 0`
    const merged = mergeLsofAndNetstat({ sockets: [], issues: [] }, [parseNetstatSockets(timeWait)], true)
    expect(merged.rows[0]?.visibility).toBe('hidden')
    expect(merged.restricted).toBe(true)
  })

  it('joins the processes holding one socket (the same kernel address) into one row', () => {
    const text = ['p10', 'cnginx', 'f6', 'tIPv4', 'd0xfeed', 'PTCP', 'n*:80', 'TST=LISTEN', 'p11', 'cnginx', 'f6', 'tIPv4', 'd0xfeed', 'PTCP', 'n*:80', 'TST=LISTEN'].join('\n')
    const merged = mergeLsofAndNetstat(parseLsofFields(text), [], false)
    expect(merged.rows.map((owned) => owned.owners.map((owner) => owner.pid))).toEqual([[10, 11]])
  })
})

describe('LsofTableReader', () => {
  it('runs lsof with numeric addresses and ports and netstat for TCP and UDP', async () => {
    const calls: string[] = []
    const reader = new LsofTableReader(async (file, args) => {
      calls.push(`${file} ${args.join(' ')}`)
      return tools(file, args)
    })
    const read = await reader.read()
    expect(calls).toEqual(['lsof -nP -i -F pcuLftdPnT', 'netstat -anv -p tcp', 'netstat -anv -p udp'])
    expect(LSOF_ARGUMENTS).toContain('-nP')
    expect(read.rows).toHaveLength(6 + 5 + 2)
  })

  it('gives netstat rows with an issue when lsof fails, and rejects only when both fail', async () => {
    const withoutLsof = new LsofTableReader(async (file, args) => {
      if (file === 'lsof') throw new Error('lsof: command not found')
      return tools(file, args)
    })
    const read = await withoutLsof.read()
    expect(read.issues[0]).toEqual({ source: 'lsof', line: 0, message: 'lsof: command not found', text: '' })
    expect(read.rows).toHaveLength(5 + 2)
    const nothing = new LsofTableReader(() => Promise.reject(new Error('not found')))
    await expect(nothing.read()).rejects.toThrow('neither lsof nor netstat could be run: not found; not found; not found')
  })

  it('is the reader the platform falls back to, saying why', async () => {
    const platform = new DarwinPlatform({ libproc: null, run: tools })
    expect(platform.sockets.reader.kind).toBe('lsof')
    expect(platform.sockets.reader.note).toBe('libproc was not asked for; reading lsof and netstat instead')
    expect((await platform.sockets.read({ withProcesses: true })).sockets).toHaveLength(6 + 5 + 2)
  })
})
