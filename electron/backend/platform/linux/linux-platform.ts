/**
 * Linux: the socket tables from /proc/net, their owners from /proc/PID/fd, processes, limits,
 * interface counters and the port range from the rest of procfs, and close events from netlink's
 * sock_diag destroy groups; connections closed with SOCK_DESTROY, processes signalled with kill(2).
 */
import type { Platform } from '../platform'
import { JoinedSocketProvider } from '../owner-join'
import { LinuxCloseEventSource } from './linux-close-events'
import { LinuxSystemActions } from './linux-system-actions'
import { LinuxSystemReader } from './linux-system'
import { ProcNetTableReader } from './proc-net-tables'
import { ProcessTable } from './process-table'

/** Settings for the Linux platform; the defaults read the real host. */
export interface LinuxPlatformOptions {
  /** Where procfs is mounted. */
  readonly procRoot?: string
  /** The owner lookup to use; one is made from `procRoot` when absent. */
  readonly processTable?: ProcessTable
}

/** What sockscope asks of Linux, answered from procfs. */
export class LinuxPlatform implements Platform {
  readonly name = 'linux'
  readonly sockets: JoinedSocketProvider<ProcessTable>
  readonly system: LinuxSystemReader
  readonly closeEvents = new LinuxCloseEventSource()
  readonly actions: LinuxSystemActions

  constructor(options: LinuxPlatformOptions = {}) {
    const procRoot = options.procRoot ?? '/proc'
    this.system = new LinuxSystemReader(procRoot)
    this.sockets = new JoinedSocketProvider(this.name, new ProcNetTableReader(procRoot), options.processTable ?? new ProcessTable({ procRoot }))
    this.actions = new LinuxSystemActions(procRoot)
  }

  dispose(): void {
    this.sockets.dispose()
  }
}
