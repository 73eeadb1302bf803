/**
 * Picks the platform for the OS this process runs on. The only file that knows every provider,
 * so the interface (platform.ts) and the providers never import each other.
 */
import type { CloseEventSource, Platform, SocketProvider, SystemActions, SystemReader } from './platform'
import { LinuxPlatform } from './linux/linux-platform'
import { LinuxSystemReader } from './linux/linux-system'
import { UnsupportedPlatform, unknownSystem } from './unsupported-platform'

/** The platform for `name` (a `process.platform` value), this process's own by default. */
export function createPlatform(name: string = process.platform): Platform {
  if (name === 'linux') return new LinuxPlatform()
  return new UnsupportedPlatform(name)
}

/** The socket provider of {@link createPlatform}, for callers that only read socket tables. */
export function createSocketProvider(name: string = process.platform): SocketProvider {
  return createPlatform(name).sockets
}

/** The system reads of {@link createPlatform} alone, for callers that ask nothing about sockets. */
export function createSystemReader(name: string = process.platform): SystemReader {
  return name === 'linux' ? new LinuxSystemReader('/proc') : unknownSystem
}

/** The close events of {@link createPlatform}, for callers that only follow closed connections. */
export function createCloseEventSource(name: string = process.platform): CloseEventSource {
  return createPlatform(name).closeEvents
}

/** The system actions of {@link createPlatform}, for callers that only close connections or stop processes. */
export function createSystemActions(name: string = process.platform): SystemActions {
  return createPlatform(name).actions
}
