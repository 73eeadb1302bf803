/**
 * Linux: the socket tables through netlink (sock_diag) or, where that cannot be used, from
 * /proc/net; their owners from /proc/PID/fd; processes, limits, interface counters and the port
 * range from the rest of procfs; close events from netlink's sock_diag destroy groups; connections
 * closed with SOCK_DESTROY, processes signalled with kill(2).
 */
import type { Platform, SocketTableRead, SocketTableReader } from '../platform'
import { JoinedSocketProvider } from '../owner-join'
import { errorMessage } from '../../../../shared/error-message'
import { LinuxCloseEventSource } from './linux-close-events'
import { LinuxSystemActions } from './linux-system-actions'
import { LinuxSystemReader } from './linux-system'
import { NamespacedTableReader } from './namespaced-table-reader'
import { NetlinkTableReader } from './netlink-table-reader'
import { ProcNetTableReader } from './proc-net-tables'
import { ProcessTable } from './process-table'

/** The environment variable that forces a socket table reader: `netlink` or `proc`. */
export const SOCKET_READER_VARIABLE = 'SOCKSCOPE_SOCKET_READER'

/** Which socket table reader to use; `auto` is netlink with /proc/net as the fallback. */
export type SocketReaderChoice = 'auto' | 'netlink' | 'proc'

/** Settings for the Linux platform; the defaults read the real host. */
export interface LinuxPlatformOptions {
  /** Where procfs is mounted. A procfs other than /proc means a made-up host: /proc/net is read then, never netlink. */
  readonly procRoot?: string
  /** The owner lookup to use; one is made from `procRoot` when absent. */
  readonly processTable?: ProcessTable
  /** The socket table reader; from SOCKSCOPE_SOCKET_READER when absent, else `auto`. */
  readonly socketReader?: SocketReaderChoice
  /** Where SOCKSCOPE_SOCKET_READER is looked up; this process's environment by default. */
  readonly environment?: NodeJS.ProcessEnv
  /** Opens the netlink reader (throwing when it cannot); tests stand in a failing one here. */
  readonly openNetlink?: (procTables: ProcNetTableReader) => SocketTableReader
  /** Read the sockets of every network namespace in use, not only sockscope's own (default true). */
  readonly allNamespaces?: boolean
}

/** What sockscope asks of Linux. */
export class LinuxPlatform implements Platform {
  readonly name = 'linux'
  readonly sockets: JoinedSocketProvider<ProcessTable>
  readonly system: LinuxSystemReader
  readonly closeEvents = new LinuxCloseEventSource()
  readonly actions: LinuxSystemActions

  constructor(options: LinuxPlatformOptions = {}) {
    const procRoot = options.procRoot ?? '/proc'
    this.system = new LinuxSystemReader(procRoot)
    const { reader: hostReader, note } = chooseTableReader(options, procRoot)
    const reader = options.allNamespaces === false ? hostReader : new NamespacedTableReader(hostReader, { procRoot, access: hostReader.kind === 'netlink' ? 'netlink' : 'proc' })
    this.sockets = new JoinedSocketProvider(this.name, reader, options.processTable ?? new ProcessTable({ procRoot }), note)
    this.actions = new LinuxSystemActions(procRoot)
  }

  dispose(): void {
    this.sockets.dispose()
  }
}

/** A reader that was asked for and cannot work: every read says why, and nothing else is read in its place. */
class UnusableTableReader implements SocketTableReader {
  constructor(
    readonly kind: string,
    private readonly reason: string
  ) {}

  read(): Promise<SocketTableRead> {
    return Promise.reject(new Error(this.reason))
  }
}

/** The reader the options and the environment ask for, and why it is that one when it is not the usual choice. */
function chooseTableReader(options: LinuxPlatformOptions, procRoot: string): { reader: SocketTableReader; note: string | null } {
  const hostNamespace = NamespacedTableReader.hostNamespace(procRoot)
  const procTables = new ProcNetTableReader(procRoot, hostNamespace)
  if (options.socketReader === undefined && procRoot !== '/proc') return { reader: procTables, note: `procfs at ${procRoot}` }
  const fromEnvironment = (options.environment ?? process.env)[SOCKET_READER_VARIABLE]
  let choice: SocketReaderChoice = options.socketReader ?? 'auto'
  let note: string | null = null
  if (options.socketReader === undefined && fromEnvironment !== undefined && fromEnvironment !== '') {
    if (fromEnvironment === 'netlink' || fromEnvironment === 'proc') {
      choice = fromEnvironment
      note = `${SOCKET_READER_VARIABLE}=${fromEnvironment}`
    } else note = `${SOCKET_READER_VARIABLE}=${JSON.stringify(fromEnvironment)} is neither netlink nor proc, so it was ignored`
  }
  if (choice === 'proc') return { reader: procTables, note }
  try {
    const openNetlink = options.openNetlink ?? ((tables: ProcNetTableReader) => new NetlinkTableReader(tables, hostNamespace))
    return { reader: openNetlink(procTables), note }
  } catch (error) {
    const why = `netlink cannot be used: ${errorMessage(error)}`
    if (choice === 'netlink') return { reader: new UnusableTableReader('netlink', `${note ?? 'netlink was asked for'}, but ${why}`), note: why }
    return { reader: procTables, note: note === null ? `${why}; reading /proc/net instead` : `${note}; ${why}; reading /proc/net instead` }
  }
}
