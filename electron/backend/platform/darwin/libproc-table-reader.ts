/**
 * The macOS socket table through libproc, the way lsof and psutil read it: every process
 * (proc_listpids), its open fds (PROC_PIDLISTFDS), and for each socket fd its socket_fdinfo
 * (PROC_PIDFDSOCKETINFO). A socket held by several processes (a forked server's listener) is one
 * row with every holder as an owner. The walk is plain code over {@link LibprocAccess}, so tests
 * run it on a made-up process table of buffers laid out as sys/proc_info.h says.
 */
import type { SocketOwner, TableIssue } from '../../../../shared/model/socket'
import type { OwnedSocketRow, OwnedTableRead, OwnedTableReader } from '../owned-socket-provider'
import { PROC_FDINFO, PROX_FDTYPE_SOCKET } from './libproc-layout'
import type { LibprocAccess } from './libproc'
import { decodeSocketFdInfo } from './libproc-socket-decoder'
import { decodeBsdInfo } from './proc-bsd-info'

/** Where issues from this reader say they came from. */
const SOURCE = 'libproc'

/** Reads every process's sockets once. */
export function readLibprocTables(access: LibprocAccess): OwnedTableRead {
  const sockets = new Map<string, { row: OwnedSocketRow['row']; owners: SocketOwner[] }>()
  const issues: TableIssue[] = []
  const users = new Map<number, string>()
  let restricted = false

  const userName = (uid: number): string | null => {
    const known = users.get(uid)
    if (known !== undefined) return known
    const name = access.userName(uid)
    if (name !== null) users.set(uid, name)
    return name
  }

  for (const pid of access.listPids()) {
    const fds = access.listFds(pid)
    if (!fds.ok) {
      if (fds.failure === 'denied') restricted = true
      else if (fds.failure === 'failed') issues.push({ source: SOURCE, line: pid, message: `pid ${pid}: listing its fds failed (errno ${fds.errno})`, text: '' })
      continue
    }
    let owner: SocketOwner | null = null
    for (let offset = 0; offset + PROC_FDINFO.size <= fds.bytes.length; offset += PROC_FDINFO.size) {
      const view = new DataView(fds.bytes.buffer, fds.bytes.byteOffset + offset, PROC_FDINFO.size)
      if (view.getUint32(PROC_FDINFO.fdType, true) !== PROX_FDTYPE_SOCKET) continue
      const fd = view.getInt32(PROC_FDINFO.fd, true)
      const info = access.socketInfo(pid, fd)
      // A socket closed between the two calls, or a process that exited: nothing to show.
      if (!info.ok) {
        if (info.failure === 'denied') restricted = true
        continue
      }
      const decoded = decodeSocketFdInfo(info.bytes)
      if (decoded.kind === 'other') continue
      if (decoded.kind === 'malformed') {
        issues.push({ source: SOURCE, line: fd, message: `pid ${pid} fd ${fd}: ${decoded.message}`, text: '' })
        continue
      }
      owner ??= ownerOf(access, pid, userName)
      const { row } = decoded.socket
      const known = sockets.get(row.id)
      if (known === undefined) sockets.set(row.id, { row, owners: [owner] })
      else if (!known.owners.some((holder) => holder.pid === pid)) known.owners.push(owner)
    }
  }

  const rows: OwnedSocketRow[] = []
  for (const { row, owners } of sockets.values()) {
    owners.sort((first, second) => first.pid - second.pid)
    if (row.uid !== null) userName(row.uid)
    rows.push({ row, owners, visibility: 'known' })
  }
  return { rows, issues, restricted, users }
}

/** The owner entry of a process: its name, its executable as the command, and its user. */
function ownerOf(access: LibprocAccess, pid: number, userName: (uid: number) => string | null): SocketOwner {
  const info = access.bsdInfo(pid)
  const bsd = info.ok ? safeDecode(info.bytes) : null
  const path = access.processPath(pid)
  const name = bsd?.name ?? (path === null ? `pid ${pid}` : (path.split('/').at(-1) ?? path))
  return { pid, process: name, command: path ?? name, user: bsd === null ? null : userName(bsd.uid) }
}

function safeDecode(bytes: Uint8Array) {
  try {
    return decodeBsdInfo(bytes)
  } catch {
    return null
  }
}

/** The libproc reader as the provider uses it. */
export class LibprocTableReader implements OwnedTableReader {
  readonly kind = 'libproc'

  constructor(private readonly access: LibprocAccess) {}

  async read(): Promise<OwnedTableRead> {
    return readLibprocTables(this.access)
  }
}
