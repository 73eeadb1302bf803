/**
 * Picks the platform for the OS this process runs on. The only file that knows every provider,
 * so the interface (platform.ts) and the providers never import each other.
 */
import type { CloseEventSource, Platform, SocketProvider, SystemActions, SystemReader } from './platform'
import { DarwinPlatform } from './darwin/darwin-platform'
import { LinuxPlatform } from './linux/linux-platform'
import { LinuxSystemReader } from './linux/linux-system'
import { UnsupportedPlatform, unknownSystem } from './unsupported-platform'
import { Win32Platform } from './win32/win32-platform'

/**
 * The platform for `name` (a `process.platform` value), this process's own by default. Asked for
 * another OS than the one running, macOS and Windows still give their platform, whose every read
 * says it needs that OS.
 */
export function createPlatform(name: string = process.platform): Platform {
  if (name === 'linux') return new LinuxPlatform()
  if (name === 'darwin') return new DarwinPlatform()
  if (name === 'win32') return new Win32Platform()
  return new UnsupportedPlatform(name)
}

/** The socket provider of {@link createPlatform}, for callers that only read socket tables. */
export function createSocketProvider(name: string = process.platform): SocketProvider {
  return createPlatform(name).sockets
}

/** The system reads of {@link createPlatform} alone, for callers that ask nothing about sockets. */
export function createSystemReader(name: string = process.platform): SystemReader {
  if (name === 'linux') return new LinuxSystemReader('/proc')
  if (name === 'darwin' || name === 'win32') return createPlatform(name).system
  return unknownSystem
}

/** The close events of {@link createPlatform}, for callers that only follow closed connections. */
export function createCloseEventSource(name: string = process.platform): CloseEventSource {
  return createPlatform(name).closeEvents
}

/** The system actions of {@link createPlatform}, for callers that only close connections or stop processes. */
export function createSystemActions(name: string = process.platform): SystemActions {
  return createPlatform(name).actions
}
