/**
 * The macOS fallback when libproc cannot be used (koffi missing for the platform): `lsof -nP -i
 * -F …` for the sockets processes hold, joined with `netstat -anv` for the ones no process holds
 * (TIME_WAIT and other sockets whose fd is closed), which a walk over processes cannot see.
 * The merge is a pure function; the reader around it only runs the two tools.
 */
import type { SocketOwner, TableIssue } from '../../../../shared/model/socket'
import { errorMessage } from '../../../../shared/error-message'
import { inetSocketRow, wildcardAddress } from '../inet-socket-row'
import type { OwnedSocketRow, OwnedTableRead, OwnedTableReader } from '../owned-socket-provider'
import { runCommand } from '../run-command'
import { parseLsofFields, type LsofParse, type LsofSocket } from './lsof-fields'
import { parseNetstatSockets, type NetstatParse, type NetstatSocket } from './netstat-sockets'

/** The lsof fields asked for: pid, command, uid, login, fd, type, device, protocol, name, TCP info. */
export const LSOF_ARGUMENTS = ['-nP', '-i', '-F', 'pcuLftdPnT'] as const
/** The netstat runs: every TCP socket, then every UDP socket, with owners (-v) and numbers (-n). */
export const NETSTAT_RUNS = [
  ['-anv', '-p', 'tcp'],
  ['-anv', '-p', 'udp']
] as const

/** An endpoint key that ignores how a wildcard is spelled, so lsof's `*:80` meets netstat's `*.80`. */
function endpointKey(socket: Pick<LsofSocket, 'protocol' | 'family' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>): string {
  const spelled = (address: string) => (address === wildcardAddress(socket.family) ? '*' : address)
  return `${socket.protocol} ${spelled(socket.localAddress)}|${socket.localPort} ${spelled(socket.remoteAddress)}|${socket.remotePort}`
}

/**
 * One row per socket lsof saw (a socket several processes hold, told apart by its kernel address
 * in the DEVICE field, gets all of them as owners), then a row for every socket netstat lists that
 * lsof did not: owned by the pid netstat names, or by nobody. `restricted`: lsof could not see
 * every process (not root), so a socket without an owner may have a hidden one.
 */
export function mergeLsofAndNetstat(lsof: LsofParse, netstat: readonly NetstatParse[], restricted: boolean): OwnedTableRead {
  const groups = new Map<string, { socket: LsofSocket; owners: SocketOwner[] }>()
  for (const socket of lsof.sockets) {
    const key = socket.device ?? `${endpointKey(socket)} pid ${socket.pid}`
    const owner: SocketOwner = { pid: socket.pid, process: socket.command ?? `pid ${socket.pid}`, command: socket.command ?? `pid ${socket.pid}`, user: socket.login }
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { socket, owners: [owner] })
    else if (!group.owners.some((known) => known.pid === socket.pid)) group.owners.push(owner)
  }
  const rows: OwnedSocketRow[] = []
  const ids = new Set<string>()
  const seen = new Set<string>()
  const add = (owned: OwnedSocketRow) => {
    let row = owned.row
    // Two sockets nothing else tells apart (two UDP listeners of one process on one port).
    for (let copy = 2; ids.has(row.id); copy += 1) row = { ...owned.row, id: `${owned.row.id} #${copy}` }
    ids.add(row.id)
    rows.push({ ...owned, row })
  }
  for (const [key, { socket, owners }] of groups) {
    owners.sort((first, second) => first.pid - second.pid)
    seen.add(endpointKey(socket))
    const row = inetSocketRow({ ...socket, recvQueue: socket.recvQueue ?? 0, sendQueue: socket.sendQueue ?? 0, uid: socket.uid }, socket.device === null ? key : socket.device)
    add({ row, owners, visibility: 'known' })
  }
  for (const parse of netstat) {
    for (const socket of parse.sockets) {
      if (seen.has(endpointKey(socket))) continue
      add(netstatRow(socket, restricted))
    }
  }
  const issues: TableIssue[] = [...lsof.issues, ...netstat.flatMap((parse) => parse.issues)]
  return { rows, issues, restricted, users: new Map() }
}

function netstatRow(socket: NetstatSocket, restricted: boolean): OwnedSocketRow {
  const row = inetSocketRow({ ...socket, uid: null }, socket.pid === null ? undefined : `pid ${socket.pid}`)
  if (socket.pid === null) return { row, owners: [], visibility: restricted ? 'hidden' : 'none' }
  const name = socket.processName ?? `pid ${socket.pid}`
  return { row, owners: [{ pid: socket.pid, process: name, command: name, user: null }], visibility: 'known' }
}

/** Runs lsof and netstat; one of them failing still gives the other's rows, with an issue saying why. */
export class LsofTableReader implements OwnedTableReader {
  readonly kind = 'lsof'

  constructor(private readonly run: (file: string, args: readonly string[]) => Promise<string> = (file, args) => runCommand(file, args, { acceptExitCodes: [1] })) {}

  async read(): Promise<OwnedTableRead> {
    const [lsof, ...netstat] = await Promise.allSettled([this.run('lsof', LSOF_ARGUMENTS), ...NETSTAT_RUNS.map((args) => this.run('netstat', args))])
    const failures: TableIssue[] = []
    const lsofParse = lsof?.status === 'fulfilled' ? parseLsofFields(lsof.value) : null
    if (lsof?.status === 'rejected') failures.push({ source: 'lsof', line: 0, message: errorMessage(lsof.reason), text: '' })
    const netstatParses: NetstatParse[] = []
    for (const result of netstat) {
      if (result.status === 'fulfilled') netstatParses.push(parseNetstatSockets(result.value))
      else failures.push({ source: 'netstat', line: 0, message: errorMessage(result.reason), text: '' })
    }
    if (lsofParse === null && netstatParses.length === 0) throw new Error(`neither lsof nor netstat could be run: ${failures.map((failure) => failure.message).join('; ')}`)
    const merged = mergeLsofAndNetstat(lsofParse ?? { sockets: [], issues: [] }, netstatParses, process.getuid?.() !== 0)
    return { ...merged, issues: [...failures, ...merged.issues] }
  }
}
