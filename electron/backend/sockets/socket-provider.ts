/**
 * The OS-neutral face of a socket table reader. Each OS gets its own provider: Linux reads
 * /proc; macOS and Windows would run lsof or netstat, or call native APIs, behind the same
 * interface.
 */
import type { SocketEntry, TableIssue } from '../../../shared/model/socket'
import { LinuxSocketProvider } from './linux/linux-provider'

/** What a read should include. */
export interface SnapshotOptions {
  /** Join each socket with the processes that hold it; costs a walk of the process table. */
  readonly withProcesses: boolean
}

/** One read of the OS socket tables, before it is numbered and timed as a snapshot. */
export interface ProviderRead {
  readonly sockets: readonly SocketEntry[]
  /** Lines or tables that could not be read; the rest still were. */
  readonly issues: readonly TableIssue[]
  /** True when some processes could not be inspected, so some owners are unknown. */
  readonly partialOwnership: boolean
}

/** Reads the socket tables of one OS. */
export interface SocketProvider {
  /** The `process.platform` value this provider serves. */
  readonly platform: string
  /** Read every socket table once. Rejects only when nothing at all could be read. */
  read(options: SnapshotOptions): Promise<ProviderRead>
  /** Drop caches and anything held open. */
  dispose?(): void
}

/** A provider for a platform that has none yet: every read rejects with a clear reason. */
class UnsupportedPlatformProvider implements SocketProvider {
  constructor(readonly platform: string) {}

  read(): Promise<ProviderRead> {
    return Promise.reject(new Error(`Reading socket tables is not supported yet on ${this.platform}.`))
  }
}

/** The provider for the platform this process runs on (or the one given). */
export function createSocketProvider(platform: string = process.platform): SocketProvider {
  if (platform === 'linux') return new LinuxSocketProvider()
  return new UnsupportedPlatformProvider(platform)
}
