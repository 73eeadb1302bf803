/** Closing connections (SOCK_DESTROY over netlink) and reading and signalling processes (procfs, kill) on Linux. */
import type { CloseConnectionOutcome, SystemActions, TcpConnectionTarget } from '../platform'
import { errorMessage } from '../../../../shared/error-message'
import { closeTcpConnection } from './close-tcp-connection'
import { SocketDiagnostics } from './netlink/socket-diagnostics'
import { NetworkNamespaceScanner } from './network-namespaces'
import { ProcessControl } from './process-control'

/** The Linux side of sockscope's actions on the system. */
export class LinuxSystemActions implements SystemActions {
  readonly unsupported = null
  private readonly processes: ProcessControl
  private readonly namespaces: NetworkNamespaceScanner

  constructor(private readonly procRoot = '/proc') {
    this.processes = new ProcessControl({ procRoot })
    this.namespaces = new NetworkNamespaceScanner(procRoot)
  }

  /**
   * A connection of another network namespace is looked up and destroyed from inside it (through
   * a process in it): the same endpoints at home may be another connection altogether.
   */
  closeTcpConnection(target: TcpConnectionTarget): CloseConnectionOutcome {
    const netns = target.netns ?? null
    if (netns === null || netns === this.namespaces.ownNamespace()) return closeTcpConnection(target)
    const pid = this.namespaces.scan().find((namespace) => namespace.inode === netns)?.pids[0]
    if (pid === undefined) return { closed: false, reason: 'already-gone', message: `network namespace ${netns} has no process left` }
    let diagnostics: SocketDiagnostics
    try {
      diagnostics = SocketDiagnostics.open({ networkNamespacePath: `${this.procRoot}/${pid}/ns/net` })
    } catch (error) {
      return { closed: false, reason: 'failed', message: `cannot reach network namespace ${netns}: ${errorMessage(error)}` }
    }
    try {
      // The process may have left between the scan and the socket: then the socket is elsewhere.
      if (!this.namespaces.isInside(pid, netns)) return { closed: false, reason: 'failed', message: `network namespace ${netns} changed while it was entered; try again` }
      return closeTcpConnection(target, diagnostics)
    } finally {
      diagnostics.close()
    }
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
