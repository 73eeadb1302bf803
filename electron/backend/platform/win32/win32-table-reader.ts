/**
 * The Windows socket tables: GetExtendedTcpTable and GetExtendedUdpTable for IPv4 and IPv6 (each
 * row carries its owning pid), names from a toolhelp snapshot and paths from
 * QueryFullProcessImageNameW; or, where iphlpapi cannot be called, `netstat -ano` with
 * `tasklist /fo csv /nh`. Both end in {@link ownedRows}, a pure function.
 */
import type { SocketOwner, TableIssue } from '../../../../shared/model/socket'
import { errorMessage } from '../../../../shared/error-message'
import { inetSocketRow } from '../inet-socket-row'
import type { OwnedSocketRow, OwnedTableRead, OwnedTableReader } from '../owned-socket-provider'
import { runCommand } from '../run-command'
import type { WindowsAccess } from './iphlpapi'
import { decodeMibTable, type MibSocket, type MibTableKind } from './mib-tables'
import { parseNetstatAno } from './netstat-ano'
import { parseTasklistCsv } from './tasklist-csv'

/** pid 0, the System Idle Process, "owns" connections no process holds (TIME_WAIT). */
const IDLE_PID = 0

/**
 * One row per table row, owned by its pid (named by `names`, its command from `commandOf`). Windows
 * gives nothing else that tells two sockets on the same endpoints apart (one process may bind a
 * UDP port many times), so such rows are numbered in table order.
 */
export function ownedRows(sockets: readonly MibSocket[], names: ReadonlyMap<number, string>, commandOf: (pid: number, name: string) => string): OwnedSocketRow[] {
  const rows: OwnedSocketRow[] = []
  const ids = new Set<string>()
  for (const socket of sockets) {
    const base = inetSocketRow({ ...socket, recvQueue: 0, sendQueue: 0, uid: null }, `pid ${socket.pid}`)
    let row = base
    for (let copy = 2; ids.has(row.id); copy += 1) row = { ...base, id: `${base.id} #${copy}` }
    ids.add(row.id)
    if (socket.pid === IDLE_PID) {
      rows.push({ row, owners: [], visibility: 'none' })
      continue
    }
    const name = names.get(socket.pid) ?? `pid ${socket.pid}`
    const owner: SocketOwner = { pid: socket.pid, process: name, command: commandOf(socket.pid, name), user: null }
    rows.push({ row, owners: [owner], visibility: 'known' })
  }
  return rows
}

/** The four tables, in the order they are read. */
const TABLES: readonly MibTableKind[] = ['tcp4', 'tcp6', 'udp4', 'udp6']

/** Reads the tables through iphlpapi. */
export class IphlpapiTableReader implements OwnedTableReader {
  readonly kind = 'iphlpapi'
  /** Executable paths by `pid name`: opening every process on every read would cost more than the table. */
  private readonly paths = new Map<string, string>()

  constructor(private readonly access: WindowsAccess) {}

  async read(): Promise<OwnedTableRead> {
    const sockets: MibSocket[] = []
    const issues: TableIssue[] = []
    for (const kind of TABLES) {
      try {
        const bytes = kind.startsWith('tcp') ? this.access.tcpTable(kind === 'tcp4' ? 4 : 6) : this.access.udpTable(kind === 'udp4' ? 4 : 6)
        const parse = decodeMibTable(bytes, kind)
        sockets.push(...parse.sockets)
        issues.push(...parse.issues)
      } catch (error) {
        issues.push({ source: kind, line: 0, message: errorMessage(error), text: '' })
      }
    }
    if (sockets.length === 0 && issues.length === TABLES.length) throw new Error(`no socket table could be read: ${issues.map((issue) => issue.message).join('; ')}`)
    const names = new Map<number, string>()
    try {
      for (const entry of this.access.processes()) names.set(entry.pid, entry.name)
    } catch (error) {
      issues.push({ source: 'toolhelp', line: 0, message: errorMessage(error), text: '' })
    }
    const live = new Set<string>()
    const rows = ownedRows(sockets, names, (pid, name) => {
      const key = `${pid} ${name}`
      live.add(key)
      let path = this.paths.get(key)
      if (path === undefined) {
        path = this.access.imagePath(pid) ?? name
        this.paths.set(key, path)
      }
      return path
    })
    for (const key of this.paths.keys()) if (!live.has(key)) this.paths.delete(key)
    return { rows, issues, restricted: false, users: new Map() }
  }

  dispose(): void {
    this.paths.clear()
  }
}

/** The fallback: `netstat -ano` for the tables, `tasklist /fo csv /nh` for the names. */
export class NetstatTableReader implements OwnedTableReader {
  readonly kind = 'netstat'

  constructor(private readonly run: (file: string, args: readonly string[]) => Promise<string> = runCommand) {}

  async read(): Promise<OwnedTableRead> {
    const [netstat, tasklist] = await Promise.allSettled([this.run('netstat', ['-ano']), this.run('tasklist', ['/fo', 'csv', '/nh'])])
    if (netstat.status === 'rejected') throw new Error(`netstat -ano could not be run: ${errorMessage(netstat.reason)}`)
    const table = parseNetstatAno(netstat.value)
    const issues: TableIssue[] = [...table.issues]
    let names: ReadonlyMap<number, string> = new Map()
    if (tasklist.status === 'fulfilled') {
      const parse = parseTasklistCsv(tasklist.value)
      names = parse.names
      issues.push(...parse.issues)
    } else issues.push({ source: 'tasklist', line: 0, message: errorMessage(tasklist.reason), text: '' })
    return { rows: ownedRows(table.sockets, names, (_pid, name) => name), issues, restricted: false, users: new Map() }
  }
}
