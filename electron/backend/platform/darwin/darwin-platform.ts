/**
 * macOS: the socket tables and their owners through libproc (the calls lsof and psutil make),
 * with `lsof -F` plus `netstat -anv` as the fallback where libproc cannot be bound; processes
 * through libproc, interface counters from `netstat -ib`, the port range from `sysctl`.
 *
 * macOS has no way to close another process's TCP connection (nothing like Linux's SOCK_DESTROY
 * or Windows' SetTcpEntry) and no feed of closed sockets, so those parts say so. On any other OS
 * this platform still builds, and every read says it needs a Mac: tests construct it on Linux.
 */
import { errorMessage } from '../../../../shared/error-message'
import { OwnedSocketProvider, RefusingTableReader, type OwnedTableReader } from '../owned-socket-provider'
import type { CloseEventSource, Platform, SystemActions, SystemReader } from '../platform'
import { UnsupportedCloseEventSource, UnsupportedSystemActions } from '../unsupported-platform'
import { DarwinSystemReader } from './darwin-system'
import { openLibproc, type LibprocAccess } from './libproc'
import { LibprocTableReader } from './libproc-table-reader'
import { LsofTableReader } from './lsof-table-reader'

/** Why sockscope does not close connections or stop processes on macOS. */
export const DARWIN_ACTIONS_UNSUPPORTED =
  'macOS cannot close another process’s TCP connection (it has no call like SOCK_DESTROY or SetTcpEntry), and stopping processes from sockscope is not supported on macOS yet.'
/** Why there are no close events on macOS. */
export const DARWIN_CLOSE_EVENTS_UNSUPPORTED = 'macOS has no feed of closed sockets (Linux has the sock_diag destroy groups), so only polled connections are seen.'

/** Settings for the macOS platform; the defaults read the real Mac. */
export interface DarwinPlatformOptions {
  /** The OS this process runs on; anything but darwin makes every read say it needs a Mac. */
  readonly host?: string
  /** libproc access; bound from libSystem when absent. Null forces the lsof fallback. */
  readonly libproc?: LibprocAccess | null
  /** Runs a tool (lsof, netstat, sysctl) and gives its output. */
  readonly run?: (file: string, args: readonly string[]) => Promise<string>
}

/** What sockscope asks of macOS. */
export class DarwinPlatform implements Platform {
  readonly name = 'darwin'
  readonly sockets: OwnedSocketProvider
  readonly system: SystemReader
  readonly closeEvents: CloseEventSource = new UnsupportedCloseEventSource('darwin', DARWIN_CLOSE_EVENTS_UNSUPPORTED)
  readonly actions: SystemActions = new UnsupportedSystemActions('darwin', DARWIN_ACTIONS_UNSUPPORTED)

  constructor(options: DarwinPlatformOptions = {}) {
    const host = options.host ?? process.platform
    if (host !== 'darwin' && options.libproc === undefined) {
      const reason = `The macOS socket provider reads a Mac's tables; this host runs ${host}.`
      this.sockets = new OwnedSocketProvider(this.name, new RefusingTableReader('libproc', reason))
      this.system = new DarwinSystemReader(null, () => Promise.reject(new Error(reason)))
      return
    }
    const { libproc, reader, note } = chooseReader(options)
    this.sockets = new OwnedSocketProvider(this.name, reader, note)
    this.system = new DarwinSystemReader(libproc, options.run)
  }

  dispose(): void {
    this.sockets.dispose()
  }
}

/** libproc when it can be bound (or was given), else lsof with netstat, saying why. */
function chooseReader(options: DarwinPlatformOptions): { libproc: LibprocAccess | null; reader: OwnedTableReader; note: string | null } {
  const fallback = () => new LsofTableReader(options.run)
  if (options.libproc === null) return { libproc: null, reader: fallback(), note: 'libproc was not asked for; reading lsof and netstat instead' }
  if (options.libproc !== undefined) return { libproc: options.libproc, reader: new LibprocTableReader(options.libproc), note: null }
  try {
    const libproc = openLibproc()
    return { libproc, reader: new LibprocTableReader(libproc), note: null }
  } catch (error) {
    return { libproc: null, reader: fallback(), note: `libproc cannot be used: ${errorMessage(error)}; reading lsof and netstat instead` }
  }
}
