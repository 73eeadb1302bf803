/** The platform for an OS that has no provider yet: it answers every question with why it cannot. */
import type { Platform, ProviderRead, SocketProvider } from './platform'

/** A socket provider whose every read rejects with a clear reason. */
class UnsupportedSocketProvider implements SocketProvider {
  constructor(readonly platform: string) {}

  read(): Promise<ProviderRead> {
    return Promise.reject(new Error(`Reading socket tables is not supported yet on ${this.platform}.`))
  }
}

/** An OS sockscope cannot read yet; nothing here touches the system. */
export class UnsupportedPlatform implements Platform {
  readonly sockets: SocketProvider

  constructor(readonly name: string) {
    this.sockets = new UnsupportedSocketProvider(name)
  }

  dispose(): void {}
}
