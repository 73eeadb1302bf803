/** The platform for an OS that has no provider yet: it answers every question with why it cannot. */
import type { Platform, ProviderRead, SocketProvider, SystemReader } from './platform'

/** A socket provider whose every read rejects with a clear reason. */
class UnsupportedSocketProvider implements SocketProvider {
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

/** An OS sockscope cannot read yet; nothing here reads the system beyond asking whether a pid exists. */
export class UnsupportedPlatform implements Platform {
  readonly sockets: SocketProvider
  readonly system: SystemReader = unknownSystem

  constructor(readonly name: string) {
    this.sockets = new UnsupportedSocketProvider(name)
  }

  dispose(): void {}
}
