/**
 * Text forms of endpoints and owners shared by the CLI, the renderer, the probes, the capture
 * analysis and the socket field table. Every `host:port` in sockscope is written here.
 */
import type { SocketEntry } from '../model/socket'

/** The text of a value that is not known or does not apply (no pid, no user, no port). */
export const NO_VALUE = '–'

/**
 * `host:port` the way users type it back, with an IPv6 address in brackets so its colons do not
 * read as the port's (`[::1]:443`). A host already in brackets is kept as it is.
 */
export function formatHostPort(host: string, port: number | string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/** An address as ss prints it; an unnamed UNIX socket (no path) as `*`. */
export function formatAddress(address: string, family: SocketEntry['family']): string {
  return family === null && address === '' ? '*' : address
}

/** A port as ss prints it: an unbound one (0, or none on a raw socket) as `*`; UNIX sockets have none. */
export function formatPort(port: number | null, family: SocketEntry['family']): string {
  if (family === null) return NO_VALUE
  return port === null || port === 0 ? '*' : String(port)
}

/** `address:port` as ss prints it: IPv6 in brackets, a zero port as `*`, UNIX paths bare. */
export function formatEndpoint(address: string, port: number | null, family: SocketEntry['family']): string {
  if (family === null) return formatAddress(address, family)
  const portText = formatPort(port, family)
  return family === 6 ? `[${address}]:${portText}` : `${address}:${portText}`
}

/** The owner column: `node (1234)`, or why there is none. */
export function formatOwner(socket: SocketEntry): string {
  if (socket.pid !== null) {
    const extra = socket.owners.length > 1 ? ` +${socket.owners.length - 1}` : ''
    return `${socket.process ?? '?'} (${socket.pid})${extra}`
  }
  return socket.ownerVisibility === 'hidden' ? '(hidden)' : NO_VALUE
}
