/**
 * Closing connections and stopping processes on Windows. A connection is closed with
 * SetTcpEntry(MIB_TCP_STATE_DELETE_TCB), which needs an administrator and exists for IPv4 only;
 * the actions domain asks the same confirmations first as on Linux. Processes are read from a
 * toolhelp snapshot and ended with TerminateProcess (Node's process.kill on Windows).
 */
import type { CloseConnectionOutcome, ProcessStatus, SignalOutcome, SystemActions, TcpConnectionTarget } from '../platform'
import { ancestorsIn, descendantsIn, signalOne } from '../process-family'
import type { WindowsAccess } from './iphlpapi'
import { deleteTcbRow } from './tcp-row'

/** Win32 errors SetTcpEntry gives (winerror.h). */
const ERROR_ACCESS_DENIED = 5
const ERROR_INVALID_PARAMETER = 87
/** SetTcpEntry's answer when the caller is not elevated, as seen widely in practice. */
const ERROR_MR_MID_NOT_FOUND = 317
const ERROR_NOT_FOUND = 1168

/** What SetTcpEntry's error code means for the user. */
export function closeOutcome(status: number): CloseConnectionOutcome {
  if (status === 0) return { closed: true }
  if (status === ERROR_ACCESS_DENIED || status === ERROR_MR_MID_NOT_FOUND) {
    return { closed: false, reason: 'failed', message: `Windows refused (error ${status}): closing a connection needs sockscope to run as administrator` }
  }
  if (status === ERROR_NOT_FOUND || status === ERROR_INVALID_PARAMETER)
    return { closed: false, reason: 'already-gone', message: `no such connection any more (Windows error ${status})` }
  return { closed: false, reason: 'failed', message: `SetTcpEntry failed with Windows error ${status}` }
}

/**
 * A process as the rest of sockscope reads one. Windows has no POSIX sessions and toolhelp gives no
 * start time: each process is its own session (so no unrelated process is taken for a member of a
 * watched command's session) and the start time is 0.
 */
export function windowsProcessStatus(pid: number, parentPid: number, name: string): ProcessStatus {
  return { pid, parentPid, sessionId: pid, startTime: 0, name, state: 'R' }
}

/** The Windows side of sockscope's actions on the system. */
export class WindowsSystemActions implements SystemActions {
  readonly unsupported = null

  constructor(private readonly access: WindowsAccess) {}

  closeTcpConnection(target: TcpConnectionTarget): CloseConnectionOutcome {
    const row = deleteTcbRow(target)
    if (typeof row === 'string') return { closed: false, reason: 'unsupported', message: row }
    return closeOutcome(this.access.setTcpEntry(row))
  }

  processStatus(pid: number): ProcessStatus | null {
    return this.processes().find((status) => status.pid === pid) ?? null
  }

  isRunning(pid: number): boolean {
    return this.processStatus(pid) !== null
  }

  ancestorsOf(pid: number): number[] {
    return ancestorsIn(this.processes(), pid)
  }

  descendantsOf(pid: number): number[] {
    return descendantsIn(this.processes(), pid)
  }

  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): SignalOutcome {
    return signalOne(pid, signal)
  }

  private processes(): ProcessStatus[] {
    return this.access.processes().map((entry) => windowsProcessStatus(entry.pid, entry.parentPid, entry.name))
  }
}
