/**
 * Which processes are sockscope, so the socket table can mark its own sockets (its web server,
 * metrics, test listeners and holders, capture helpers) apart from what is being inspected.
 */
import { dirname, isAbsolute } from 'node:path'
import type { OwnProcess } from '../../../shared/model/processes'
import type { SocketEntry } from '../../../shared/model/socket'
import { descendantsIn } from '../platform/process-family'
import type { ProcessStatus } from '../platform/platform'

/** What tells sockscope's processes apart. */
export interface OwnProcessQuery {
  /** The backend's own pid. */
  readonly self: number
  /** Every running process, for the ones the backend started (and they started). */
  readonly processes: readonly ProcessStatus[]
  /** The live table: another sockscope holding sockets runs a script from the same folder as this one. */
  readonly sockets: readonly SocketEntry[]
  /** The folder of the script this backend runs from (the build's `out/main`), or null when not known. */
  readonly programFolder: string | null
}

/** True when `command` runs a script that lies in `folder` (its interpreter is the first word, then options). */
export function runsScriptIn(command: string, folder: string): boolean {
  return command
    .split(' ')
    .slice(1)
    .some((word) => isAbsolute(word) && word.endsWith('.js') && dirname(word) === folder)
}

/** This backend, the processes it started, and other sockscope processes in the table. */
export function ownProcesses(query: OwnProcessQuery): OwnProcess[] {
  const own: OwnProcess[] = [
    {
      pid: query.self,
      role: 'this',
      description: 'sockscope itself: the backend of this window or page, with its web server, metrics and the listeners and holders started from it'
    }
  ]
  const known = new Set([query.self])
  for (const pid of descendantsIn(query.processes, query.self)) {
    known.add(pid)
    own.push({ pid, role: 'started', description: 'started by sockscope: its capture helper or another of its parts' })
  }
  const folder = query.programFolder
  if (folder === null) return own
  const looked = new Set<number>()
  for (const socket of query.sockets) {
    const pid = socket.pid
    if (pid === null || known.has(pid) || looked.has(pid)) continue
    looked.add(pid)
    if (socket.command !== null && runsScriptIn(socket.command, folder)) {
      known.add(pid)
      own.push({ pid, role: 'instance', description: 'another sockscope process (an exporter, a web server or a command)' })
    }
  }
  return own
}
