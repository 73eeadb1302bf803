/** Column sorting for socket rows. */
import type { SocketEntry } from '../../shared/model/socket'

/** A column the table can sort on. */
export type SortKey =
  | 'protocol'
  | 'localAddress'
  | 'localPort'
  | 'remoteAddress'
  | 'remotePort'
  | 'state'
  | 'recvQueue'
  | 'sendQueue'
  | 'pid'
  | 'process'
  | 'user'
  | 'inode'

/**
 * Compares two sockets on one column. Empty values (no pid, no port, no user) sort last in both
 * directions, so sorting a column descending puts its largest values first, not the blanks; ties
 * fall back to the id for a stable order.
 */
export function compareSockets(a: SocketEntry, b: SocketEntry, key: SortKey, descending = false): number {
  const left = a[key]
  const right = b[key]
  let result: number
  if (left === right) result = 0
  else if (left === null) return 1
  else if (right === null) return -1
  else if (typeof left === 'number' && typeof right === 'number') result = left - right
  else result = String(left).localeCompare(String(right), undefined, { numeric: true })
  if (descending) result = -result
  return result !== 0 ? result : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
