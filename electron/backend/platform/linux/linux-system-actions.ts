/** Closing connections (SOCK_DESTROY over netlink) and reading and signalling processes (procfs, kill) on Linux. */
import type { SystemActions, TcpConnectionTarget } from '../platform'
import { closeTcpConnection } from './close-tcp-connection'
import { ProcessControl } from './process-control'

/** The Linux side of sockscope's actions on the system. */
export class LinuxSystemActions implements SystemActions {
  readonly unsupported = null
  private readonly processes: ProcessControl

  constructor(procRoot = '/proc') {
    this.processes = new ProcessControl({ procRoot })
  }

  closeTcpConnection(target: TcpConnectionTarget) {
    return closeTcpConnection(target)
  }

  processStatus(pid: number) {
    return this.processes.status(pid)
  }

  isRunning(pid: number) {
    return this.processes.isRunning(pid)
  }

  ancestorsOf(pid: number) {
    return this.processes.ancestorsOf(pid)
  }

  descendantsOf(pid: number) {
    return this.processes.descendantsOf(pid)
  }

  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL') {
    return this.processes.signal(pid, signal)
  }
}
