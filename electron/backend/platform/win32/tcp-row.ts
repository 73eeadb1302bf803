/**
 * Encodes the MIB_TCPROW that SetTcpEntry takes to close a connection: dwState
 * MIB_TCP_STATE_DELETE_TCB (12), then the local and remote IPv4 addresses and ports exactly as
 * GetTcpTable reports them (addresses in network byte order, ports in network byte order in the
 * low 16 bits). 20 bytes. Only IPv4 connections can be closed this way: Windows has no IPv6
 * counterpart of SetTcpEntry. Pure.
 */
import type { TcpConnectionTarget } from '../platform'
import { MIB_TCP_STATE_DELETE_TCB } from './win32-tcp-states'

/** sizeof(MIB_TCPROW). */
export const MIB_TCPROW_SIZE = 20

/** The row for `target`, or the reason there is none (an IPv6 connection, an address that is not IPv4 text). */
export function deleteTcbRow(target: TcpConnectionTarget): Uint8Array | string {
  if (target.family !== 4) return 'Windows can close only IPv4 connections (SetTcpEntry has no IPv6 counterpart)'
  const local = ipv4Bytes(target.localAddress)
  const remote = ipv4Bytes(target.remoteAddress)
  if (local === null || remote === null) return `not an IPv4 connection: ${target.localAddress} → ${target.remoteAddress}`
  const row = new Uint8Array(MIB_TCPROW_SIZE)
  const view = new DataView(row.buffer)
  view.setUint32(0, MIB_TCP_STATE_DELETE_TCB, true)
  row.set(local, 4)
  view.setUint16(8, target.localPort, false)
  row.set(remote, 12)
  view.setUint16(16, target.remotePort, false)
  return row
}

function ipv4Bytes(text: string): number[] | null {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null
  return parts.map(Number)
}
