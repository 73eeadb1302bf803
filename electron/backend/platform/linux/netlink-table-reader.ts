/**
 * The Linux socket tables through NETLINK_SOCK_DIAG, the way `ss` reads them: TCP (with its
 * internals), UDP and UNIX sockets come from one synchronous dump each; a table the kernel will
 * not dump (raw sockets without CONFIG_INET_RAW_DIAG) is read from its /proc/net file instead.
 */
import { emptySocketEntry, UNKNOWN_NAMESPACE } from '../../../../shared/model/socket'
import type { SocketEntry, SocketNamespace, TableIssue } from '../../../../shared/model/socket'
import type { SocketTableRead, SocketTableReader, TableReadOptions } from '../platform'
import { socketId } from '../socket-id'
import { DiagRowCache, INET_COOKIE_OFFSET, INET_EXPIRY_WORD, UNIX_COOKIE_OFFSET } from './diag-row-cache'
import { readInetDiagFields, type InetDiagFields, type InetProtocol } from './netlink/inet-diag'
import { SocketDiagnostics, type TableDecoders } from './netlink/socket-diagnostics'
import { decodeUnixDiagMessage, type UnixDiagSocket } from './netlink/unix-diag'
import type { ProcNetTableName, ProcNetTableReader } from './proc-net-tables'

/** Where issues of a netlink read say they came from. */
const NETLINK_SOURCE = 'netlink sock_diag'

/** Reads the socket tables over one netlink socket, opened when the reader is made. */
export class NetlinkTableReader implements SocketTableReader {
  readonly kind = 'netlink'
  private diagnostics: SocketDiagnostics | null
  private readonly rows = new DiagRowCache()

  /**
   * Opens the netlink socket; throws when netlink cannot be used (koffi missing, or a kernel
   * without sock_diag), so the caller can fall back. `procTables` reads what netlink cannot;
   * `namespace` is put on every row.
   */
  constructor(
    private readonly procTables: ProcNetTableReader,
    private readonly namespace: SocketNamespace = UNKNOWN_NAMESPACE
  ) {
    this.diagnostics = SocketDiagnostics.open()
  }

  read(options: TableReadOptions = {}): Promise<SocketTableRead> {
    if (this.diagnostics === null) return Promise.reject(new Error('the netlink socket table reader was closed'))
    return readNetlinkTables(this.diagnostics, this.procTables, this.namespace, options, this.rows)
  }

  dispose(): void {
    this.rows.clear()
    this.diagnostics?.close()
    this.diagnostics = null
  }
}

/**
 * Every table of the namespace `diagnostics` was opened in, as rows carrying `namespace`; a table
 * the kernel will not dump comes from `procTables` (the same namespace's /proc/net files). Socket
 * memory is asked for only with tcp_info, the one place a row shows it.
 *
 * With `cache` (the same one for every read of the namespace), a socket whose message is what it
 * was last read is handed back as last read's row, and one whose timer alone counted down as a
 * copy with the new expiry; a TCP row that carries tcp_info is always made anew, since its
 * counters move on every read. A read whose rows are all last read's hands back last read's array.
 */
export async function readNetlinkTables(
  diagnostics: SocketDiagnostics,
  procTables: ProcNetTableReader,
  namespace: SocketNamespace,
  options: TableReadOptions = {},
  cache: DiagRowCache | null = null
): Promise<SocketTableRead> {
  const tcpInfo = options.tcpInfo !== false
  const unixIds = new Map<string, number>()
  // Each message becomes its row as it arrives, with no decoded socket object in between.
  const decoders: TableDecoders<SocketEntry, SocketEntry> = {
    inet: (bytes: Uint8Array, start: number, end: number, protocol: InetProtocol) => {
      if (cache === null || (tcpInfo && protocol === 'tcp')) {
        const fields = readInetDiagFields(bytes, start, end, protocol)
        return fields === null ? null : inetRow(fields, namespace)
      }
      const sameness = cache.compare(bytes, start, end, INET_COOKIE_OFFSET, INET_EXPIRY_WORD)
      if (sameness === 'same') return cache.cachedRow()
      const fields = readInetDiagFields(bytes, start, end, protocol)
      if (fields === null) return null
      const row = sameness === 'only-that-word' ? { ...cache.cachedRow(), timer: fields.timer } : inetRow(fields, namespace)
      cache.remember(bytes, start, end, row)
      return row
    },
    unix: (bytes: Uint8Array, start: number, end: number) => {
      if (cache !== null && cache.compare(bytes, start, end, UNIX_COOKIE_OFFSET, -1) === 'same') return cache.cachedRow()
      const socket = decodeUnixDiagMessage(bytes, start, end)
      if (socket === null) return null
      const row = unixRow(socket, unixIds, namespace)
      // A socket without an inode is named by its place among its like (see unixRow): made anew each read.
      if (cache !== null && socket.inode !== 0) cache.remember(bytes, start, end, row)
      return row
    }
  }
  cache?.beginRead()
  const dump = diagnostics.dumpTables({ tcpInfo, memory: tcpInfo, unix: true }, decoders)
  const rows: SocketEntry[] = []
  const issues: TableIssue[] = []
  for (const row of dump.inet) rows.push(row)
  for (const row of dump.unix) rows.push(row)
  if (dump.skipped > 0) {
    issues.push({ source: NETLINK_SOURCE, line: 0, message: `${dump.skipped} socket messages could not be decoded`, text: '' })
  }
  if (dump.unavailable.length > 0) {
    const fallback = await procTables.readTables(new Set<ProcNetTableName>(dump.unavailable.map((table) => table.table)))
    for (const row of fallback.rows) rows.push(row)
    for (const issue of fallback.issues) issues.push(issue)
  }
  return { rows: cache === null ? rows : cache.endRead(rows), issues }
}

/**
 * A TCP, UDP or raw socket as a row, in the shape the /proc/net parser gives (plus tcp_info when
 * the dump carried it), read from the message the fields point at.
 */
export function inetRow(socket: InetDiagFields, namespace: SocketNamespace = UNKNOWN_NAMESPACE): SocketEntry {
  const isRaw = socket.protocol === 'raw'
  const entry = emptySocketEntry(socket.protocol, socket.family, namespace)
  const localPort = socket.localPortField
  entry.localAddress = socket.localAddress
  entry.localPort = isRaw ? null : localPort
  entry.remoteAddress = socket.remoteAddress
  entry.remotePort = isRaw ? null : socket.remotePort
  entry.state = socket.state
  entry.recvQueue = socket.recvQueue
  entry.sendQueue = socket.sendQueue
  entry.inode = socket.inode
  entry.uid = socket.uid
  entry.timer = socket.timer
  entry.retransmits = socket.retransmits
  entry.rawProtocol = isRaw ? localPort : null
  entry.tcpInfo = socket.tcpInfoStart < 0 ? null : socket.tcpInfoWith(socket.memory)
  entry.id = socketId(entry)
  return entry
}

/**
 * A UNIX socket as a row. Sockets without an inode (connections still queued on a listener) are
 * told apart by their cookie, and those the kernel gives no cookie either by a running number.
 */
export function unixRow(socket: UnixDiagSocket, socketlessIds: Map<string, number>, namespace: SocketNamespace = UNKNOWN_NAMESPACE): SocketEntry {
  const entry = emptySocketEntry('unix', null, namespace)
  entry.localAddress = socket.path ?? ''
  entry.state = socket.state
  entry.inode = socket.inode
  entry.unixType = socket.type
  entry.uid = socket.uid
  entry.recvQueue = socket.recvQueue ?? 0
  entry.sendQueue = socket.sendQueue ?? 0
  entry.peerInode = socket.peerInode
  if (socket.inode !== 0) entry.id = socketId(entry)
  else {
    const id = socketId(entry, socket.cookie)
    const seen = socketlessIds.get(id) ?? 0
    socketlessIds.set(id, seen + 1)
    entry.id = seen === 0 ? id : `${id}~${seen}`
  }
  return entry
}
