/**
 * Text forms of sockets and endpoints shared by the CLI, the renderer, the probes, the capture
 * analysis and copy-as-text. Every `host:port` in sockscope is written here.
 */
import type { SocketEntry } from '../model/socket'

/**
 * `host:port` the way users type it back, with an IPv6 address in brackets so its colons do not
 * read as the port's (`[::1]:443`). A host already in brackets is kept as it is.
 */
export function formatHostPort(host: string, port: number | string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/** `address:port` as ss prints it: IPv6 in brackets, a zero port as `*`, UNIX paths bare. */
export function formatEndpoint(address: string, port: number | null, family: SocketEntry['family']): string {
  if (family === null) return address === '' ? '*' : address
  const portText = port === null || port === 0 ? '*' : port
  return family === 6 ? `[${address}]:${portText}` : `${address}:${portText}`
}

/** The owner column: `node (1234)`, or why there is none. */
export function formatOwner(socket: SocketEntry): string {
  if (socket.pid !== null) {
    const extra = socket.owners.length > 1 ? ` +${socket.owners.length - 1}` : ''
    return `${socket.process ?? '?'} (${socket.pid})${extra}`
  }
  return socket.ownerVisibility === 'hidden' ? '(hidden)' : '–'
}

/** Why a socket shows no owner, in words for a tooltip or details pane. */
function explainOwnerVisibility(socket: SocketEntry): string {
  switch (socket.ownerVisibility) {
    case 'known':
      return 'Owner found in /proc/PID/fd.'
    case 'hidden':
      return "Its owner is another user's process, whose file descriptors only root (or that user) may read. Run sockscope as root to see it."
    case 'none':
      return 'No process holds this socket: the kernel keeps it alone (TIME_WAIT or an orphaned close), or its owner closed it during the read.'
  }
}

/** Every field of a socket as `name: value` lines, for copy-as-text and the details pane. */
export function socketDetailLines(socket: SocketEntry): Array<[string, string]> {
  const lines: Array<[string, string]> = [
    ['Protocol', socket.family === null ? socket.protocol : `${socket.protocol}${socket.family === 6 ? '6' : ''}`],
    ['Local', formatEndpoint(socket.localAddress, socket.localPort, socket.family)],
    ['Remote', formatEndpoint(socket.remoteAddress, socket.remotePort, socket.family)],
    ['State', socket.state],
    ['Recv-Q', String(socket.recvQueue)],
    ['Send-Q', String(socket.sendQueue)],
    ['PID', socket.pid === null ? '–' : String(socket.pid)],
    ['Process', socket.process ?? '–'],
    ['Command', socket.command ?? '–'],
    ['User', socket.user ?? (socket.uid === null ? '–' : String(socket.uid))],
    ['UID', socket.uid === null ? '–' : String(socket.uid)],
    ['Inode', String(socket.inode)],
    ['Owner', explainOwnerVisibility(socket)]
  ]
  if (socket.owners.length > 1) {
    lines.push(['All owners', socket.owners.map((owner) => `${owner.process} (${owner.pid})`).join(', ')])
  }
  if (socket.timer) lines.push(['Timer', `${socket.timer.kind}, ${socket.timer.expiresInMs} ms`])
  if (socket.retransmits !== null) lines.push(['Retransmits', String(socket.retransmits)])
  if (socket.unixType) lines.push(['UNIX type', socket.unixType])
  if (socket.rawProtocol !== null) lines.push(['IP protocol', String(socket.rawProtocol)])
  return lines
}

/** The details as plain text, one `Name: value` per line. */
export function socketAsText(socket: SocketEntry): string {
  return socketDetailLines(socket)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')
}
