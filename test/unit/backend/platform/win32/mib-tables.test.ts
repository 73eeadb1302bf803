/*
 * The iphlpapi table decoders and the structures around them. No table bytes recorded on Windows
 * were available, so the tables are laid out by koffi from the documented structs
 * (test/support/windows-structs.ts) and filled with the sockets of a real `netstat -ano` recording
 * of a Windows 10 machine (kellyjonbrazil/jc, tests/fixtures/windows/windows-10/netstat-aon.out;
 * see test/fixtures/win32/SOURCES.md): the same machine's sockets must come back the same through
 * both readers.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeMibTable, MIB_ROW_SIZE, type MibTableKind } from '../../../../../electron/backend/platform/win32/mib-tables'
import { parseNetstatAno } from '../../../../../electron/backend/platform/win32/netstat-ano'
import { decodeProcessEntry, PROCESS_ENTRY } from '../../../../../electron/backend/platform/win32/process-entry'
import { deleteTcbRow, MIB_TCPROW_SIZE } from '../../../../../electron/backend/platform/win32/tcp-row'
import { koffi, mibTable, mibTcpRow, processEntry, processEntryBytes } from '../../../../support/windows-structs'

const recorded = parseNetstatAno(readFileSync(join(__dirname, '../../../../fixtures/win32/netstat-ano-windows10.txt'), 'utf8')).sockets
const tableOf = (kind: MibTableKind) => recorded.filter((socket) => `${socket.protocol}${socket.family}` === kind)

describe('decodeMibTable', () => {
  it('has the documented row sizes', () => {
    expect(MIB_ROW_SIZE).toEqual({ tcp4: 24, tcp6: 56, udp4: 12, udp6: 28 })
    for (const kind of ['tcp4', 'tcp6', 'udp4', 'udp6'] as const) expect(mibTable(kind, tableOf(kind).slice(0, 1)).length).toBe(4 + MIB_ROW_SIZE[kind])
  })

  it.each(['tcp4', 'tcp6', 'udp4', 'udp6'] as const)('gives back every %s socket of the recorded machine', (kind) => {
    const sockets = tableOf(kind)
    expect(sockets.length).toBeGreaterThan(3)
    expect(decodeMibTable(mibTable(kind, sockets), kind)).toEqual({ sockets, issues: [] })
  })

  it('keeps the scope of link-local TCP addresses on both ends, as netstat prints it', () => {
    const [listener] = tableOf('tcp6')
    if (listener === undefined) throw new Error('the recording has IPv6 TCP rows')
    const linkLocal = { ...listener, localAddress: 'fe80::1%9', remoteAddress: 'fe80::2%12', remotePort: 50000, state: 'ESTABLISHED' as const }
    expect(decodeMibTable(mibTable('tcp6', [linkLocal]), 'tcp6').sockets).toEqual([linkLocal])
  })

  it('reads ports in network byte order: 135 is 0x0087, 49667 is 0xc203', () => {
    const [listener] = decodeMibTable(mibTable('tcp4', tableOf('tcp4').slice(0, 1)), 'tcp4').sockets
    expect(listener).toMatchObject({ localAddress: '0.0.0.0', localPort: 135, state: 'LISTEN', pid: 1712 })
    const high = tableOf('tcp4').find((socket) => socket.localPort === 49667)
    expect(high).toBeDefined()
    const bytes = mibTable('tcp4', high === undefined ? [] : [high])
    expect([...bytes.subarray(4 + 8, 4 + 10)]).toEqual([0xc2, 0x03])
  })

  it.each([
    [1, 'CLOSE'],
    [2, 'LISTEN'],
    [4, 'SYN_RECV'],
    [6, 'FIN_WAIT1'],
    [8, 'CLOSE_WAIT'],
    [11, 'TIME_WAIT'],
    [12, 'CLOSE'],
    [13, 'UNKNOWN_13']
  ])('maps MIB_TCP_STATE %i to %s', (number, state) => {
    const bytes = mibTable('tcp4', tableOf('tcp4').slice(0, 1))
    bytes.writeUInt32LE(number, 4)
    expect(decodeMibTable(bytes, 'tcp4').sockets[0]?.state).toBe(state)
  })

  it('keeps the rows that fit when the table is cut short, and says how many were promised', () => {
    const sockets = tableOf('tcp6')
    const bytes = mibTable('tcp6', sockets)
    const cut = bytes.subarray(0, bytes.length - 1)
    expect(decodeMibTable(cut, 'tcp6')).toEqual({
      sockets: sockets.slice(0, -1),
      issues: [{ source: 'GetExtendedTcpTable (tcp6)', line: sockets.length, message: `the table says ${sockets.length} rows but holds only ${sockets.length - 1}`, text: '' }]
    })
    expect(decodeMibTable(bytes.subarray(0, 3), 'udp4').issues[0]?.message).toBe('the table is 3 bytes, too short for its row count')
    expect(decodeMibTable(Buffer.from([0, 0, 0, 0]), 'udp4')).toEqual({ sockets: [], issues: [] })
  })
})

describe('PROCESSENTRY32W', () => {
  it('has the 64-bit layout koffi gives the documented struct', () => {
    expect(koffi.sizeof(processEntry)).toBe(PROCESS_ENTRY.size)
    expect([PROCESS_ENTRY.pid, PROCESS_ENTRY.threads, PROCESS_ENTRY.parentPid, PROCESS_ENTRY.exeFile]).toEqual(
      ['th32ProcessID', 'cntThreads', 'th32ParentProcessID', 'szExeFile'].map((field) => koffi.offsetof(processEntry, field))
    )
  })

  it('reads pid, parent and the UTF-16 file name up to its NUL', () => {
    expect(decodeProcessEntry(processEntryBytes(9396, 1400, 'vmware-hostd.exe'))).toEqual({ pid: 9396, parentPid: 1400, name: 'vmware-hostd.exe' })
    expect(decodeProcessEntry(processEntryBytes(4, 0, 'System'))).toEqual({ pid: 4, parentPid: 0, name: 'System' })
  })

  it('refuses a buffer one byte short', () => {
    expect(() => decodeProcessEntry(processEntryBytes(1, 0, 'x').subarray(0, PROCESS_ENTRY.size - 1))).toThrow('PROCESSENTRY32W is 568 bytes, got 567')
  })
})

describe('deleteTcbRow', () => {
  it('lays out a MIB_TCPROW with MIB_TCP_STATE_DELETE_TCB as koffi does the documented struct', () => {
    const row = deleteTcbRow({ family: 4, localAddress: '127.0.0.1', localPort: 1031, remoteAddress: '127.0.0.1', remotePort: 1032, inode: 0 })
    expect(typeof row).not.toBe('string')
    expect(koffi.sizeof(mibTcpRow)).toBe(MIB_TCPROW_SIZE)
    const decoded = koffi.decode(Buffer.from(row as Uint8Array), mibTcpRow) as Record<string, number>
    expect(decoded).toEqual({ dwState: 12, dwLocalAddr: 0x0100007f, dwLocalPort: 0x0704, dwRemoteAddr: 0x0100007f, dwRemotePort: 0x0804 })
  })

  it('refuses IPv6, which SetTcpEntry cannot close, and an address that is not IPv4', () => {
    expect(deleteTcbRow({ family: 6, localAddress: '::1', localPort: 1, remoteAddress: '::1', remotePort: 2, inode: 0 })).toBe(
      'Windows can close only IPv4 connections (SetTcpEntry has no IPv6 counterpart)'
    )
    expect(deleteTcbRow({ family: 4, localAddress: '127.0.0.256', localPort: 1, remoteAddress: '127.0.0.1', remotePort: 2, inode: 0 })).toBe(
      'not an IPv4 connection: 127.0.0.256 → 127.0.0.1'
    )
  })
})
