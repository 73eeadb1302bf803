/**
 * Windows: the socket tables and their owning pids through iphlpapi (GetExtendedTcpTable,
 * GetExtendedUdpTable), with `netstat -ano` plus `tasklist /fo csv /nh` as the fallback; process
 * names from toolhelp; connections closed with SetTcpEntry(MIB_TCP_STATE_DELETE_TCB) behind the
 * actions domain's confirmations; processes ended with TerminateProcess.
 *
 * Windows has no feed of closed sockets, so close events say so. On any other OS this platform
 * still builds, and every read says it needs Windows: tests construct it on Linux.
 */
import { errorMessage } from '../../../../shared/error-message'
import { OwnedSocketProvider, RefusingTableReader, type OwnedTableReader } from '../owned-socket-provider'
import type { CloseEventSource, Platform, SystemActions, SystemReader } from '../platform'
import { UnsupportedCloseEventSource, UnsupportedSystemActions } from '../unsupported-platform'
import { openWindowsAccess, type WindowsAccess } from './iphlpapi'
import { WindowsSystemActions } from './win32-system-actions'
import { WindowsSystemReader } from './win32-system'
import { IphlpapiTableReader, NetstatTableReader } from './win32-table-reader'

/** Why there are no close events on Windows. */
export const WIN32_CLOSE_EVENTS_UNSUPPORTED = 'Windows has no feed of closed sockets (Linux has the sock_diag destroy groups), so only polled connections are seen.'

/** Settings for the Windows platform; the defaults read the real machine. */
export interface Win32PlatformOptions {
  /** The OS this process runs on; anything but win32 makes every read say it needs Windows. */
  readonly host?: string
  /** iphlpapi and kernel32 access; bound when absent. Null forces the netstat fallback. */
  readonly access?: WindowsAccess | null
  /** Runs a tool (netstat, tasklist, netsh) and gives its output. */
  readonly run?: (file: string, args: readonly string[]) => Promise<string>
}

/** What sockscope asks of Windows. */
export class Win32Platform implements Platform {
  readonly name = 'win32'
  readonly sockets: OwnedSocketProvider
  readonly system: SystemReader
  readonly closeEvents: CloseEventSource = new UnsupportedCloseEventSource('win32', WIN32_CLOSE_EVENTS_UNSUPPORTED)
  readonly actions: SystemActions

  constructor(options: Win32PlatformOptions = {}) {
    const host = options.host ?? process.platform
    if (host !== 'win32' && options.access === undefined) {
      const reason = `The Windows socket provider reads a Windows machine's tables; this host runs ${host}.`
      this.sockets = new OwnedSocketProvider(this.name, new RefusingTableReader('iphlpapi', reason))
      this.system = new WindowsSystemReader(null, () => Promise.reject(new Error(reason)))
      this.actions = new UnsupportedSystemActions('win32', reason)
      return
    }
    const { access, reader, note } = chooseReader(options)
    this.sockets = new OwnedSocketProvider(this.name, reader, note)
    this.system = new WindowsSystemReader(access, options.run)
    this.actions =
      access === null
        ? new UnsupportedSystemActions('win32', `Closing connections and stopping processes needs iphlpapi and kernel32, which could not be bound; ${note ?? ''}`.trim())
        : new WindowsSystemActions(access)
  }

  dispose(): void {
    this.sockets.dispose()
  }
}

/** iphlpapi when it can be bound (or was given), else netstat with tasklist, saying why. */
function chooseReader(options: Win32PlatformOptions): { access: WindowsAccess | null; reader: OwnedTableReader; note: string | null } {
  const fallback = () => new NetstatTableReader(options.run)
  if (options.access === null) return { access: null, reader: fallback(), note: 'iphlpapi was not asked for; reading netstat and tasklist instead' }
  if (options.access !== undefined) return { access: options.access, reader: new IphlpapiTableReader(options.access), note: null }
  try {
    const access = openWindowsAccess()
    return { access, reader: new IphlpapiTableReader(access), note: null }
  } catch (error) {
    return { access: null, reader: fallback(), note: `iphlpapi cannot be used: ${errorMessage(error)}; reading netstat and tasklist instead` }
  }
}
