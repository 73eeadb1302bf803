/** The platform for an OS that has no provider yet: it answers every question with why it cannot. */
import type { CloseConnectionOutcome, CloseEventSource, CloseFeed, Platform, ProviderRead, SocketProvider, SystemActions, SystemReader } from './platform'

/** A socket provider whose every read rejects with a clear reason. */
class UnsupportedSocketProvider implements SocketProvider {
  readonly reader = { kind: 'none', note: null, homeNetns: null }

  constructor(readonly platform: string) {}

  read(): Promise<ProviderRead> {
    return Promise.reject(new Error(`Reading socket tables is not supported yet on ${this.platform}.`))
  }
}

/** System reads that know nothing: the history then shows no fds, limits or interfaces. */
export const unknownSystem: SystemReader = {
  readInterfaceCounters: async () => null,
  readPortRange: async () => null,
  countOpenFileDescriptors: async () => null,
  readSoftOpenFilesLimit: async () => null,
  listProcessIds: async () => [],
  readProcessName: async () => null,
  listProcesses: async () => [],
  findUnixPeer: async () => null,
  // Signal 0 asks only whether the process exists; EPERM means it does but is not ours.
  processExists: async (pid) => {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
    }
  }
}

/** A close-event source that cannot start, and says so (`reason` replaces the generic words). */
export class UnsupportedCloseEventSource implements CloseEventSource {
  constructor(
    private readonly platform: string,
    private readonly reason?: string
  ) {}

  start(): CloseFeed {
    throw new Error(this.reason ?? `Close events are not supported yet on ${this.platform}.`)
  }
}

/** Actions that all answer they are not supported; never touches a process or a socket. */
export class UnsupportedSystemActions implements SystemActions {
  readonly unsupported: string

  /** `reason` replaces the generic words when the OS has its own story. */
  constructor(name: string, reason?: string) {
    this.unsupported = reason ?? `Closing connections and stopping processes is not supported yet on ${name}.`
  }

  closeTcpConnection(): CloseConnectionOutcome {
    return { closed: false, reason: 'unsupported', message: this.unsupported }
  }

  processStatus(): null {
    return null
  }

  isRunning(): boolean {
    return false
  }

  ancestorsOf(): number[] {
    return []
  }

  descendantsOf(): number[] {
    return []
  }

  signal(): 'not-permitted' {
    return 'not-permitted'
  }
}

/** An OS sockscope cannot read yet; nothing here reads the system beyond asking whether a pid exists. */
export class UnsupportedPlatform implements Platform {
  readonly sockets: SocketProvider
  readonly system: SystemReader = unknownSystem
  readonly closeEvents: CloseEventSource
  readonly actions: SystemActions

  constructor(readonly name: string) {
    this.sockets = new UnsupportedSocketProvider(name)
    this.closeEvents = new UnsupportedCloseEventSource(name)
    this.actions = new UnsupportedSystemActions(name)
  }

  dispose(): void {}
}
