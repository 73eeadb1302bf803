/**
 * Decoders for the tables GetExtendedTcpTable and GetExtendedUdpTable fill, written from the
 * published headers (tcpmib.h, udpmib.h; Microsoft's documentation of MIB_TCPTABLE_OWNER_PID,
 * MIB_TCP6TABLE_OWNER_PID, MIB_UDPTABLE_OWNER_PID and MIB_UDP6TABLE_OWNER_PID). Every table is a
 * DWORD row count followed by the rows, all fields DWORDs or byte arrays, so nothing is padded:
 *
 * - MIB_TCPROW_OWNER_PID (24 bytes): dwState, dwLocalAddr, dwLocalPort, dwRemoteAddr, dwRemotePort, dwOwningPid
 * - MIB_TCP6ROW_OWNER_PID (56 bytes): ucLocalAddr[16], dwLocalScopeId, dwLocalPort, ucRemoteAddr[16],
 *   dwRemoteScopeId, dwRemotePort, dwState, dwOwningPid
 * - MIB_UDPROW_OWNER_PID (12 bytes): dwLocalAddr, dwLocalPort, dwOwningPid
 * - MIB_UDP6ROW_OWNER_PID (28 bytes): ucLocalAddr[16], dwLocalScopeId, dwLocalPort, dwOwningPid
 *
 * Addresses are in network byte order as stored; ports are in network byte order in the low 16
 * bits of their DWORD (the first two bytes). DWORDs are little endian, as on every Windows
 * sockscope runs on. No recorded table bytes from a Windows machine were available, so these
 * decoders are tested on buffers built from this layout (see the README's platform table). Pure.
 */
import type { TableIssue } from '../../../../shared/model/socket'
import { ipv4Text, ipv6Text } from '../../../../shared/net/ip-address'
import { datagramState, type InetEndpoints } from '../inet-socket-row'
import { windowsTcpStateFromNumber } from './win32-tcp-states'

/** One row of any of the four tables. */
export interface MibSocket extends InetEndpoints {
  readonly protocol: 'tcp' | 'udp'
  /** The owning process; 0 for the System Idle Process (which "owns" TIME_WAIT connections). */
  readonly pid: number
}

/** Which of the four tables a buffer holds. */
export type MibTableKind = 'tcp4' | 'tcp6' | 'udp4' | 'udp6'

/** The row size of each table. */
export const MIB_ROW_SIZE: Readonly<Record<MibTableKind, number>> = { tcp4: 24, tcp6: 56, udp4: 12, udp6: 28 }

/** The rows of a table, and what could not be read. */
export interface MibTableParse {
  readonly sockets: readonly MibSocket[]
  readonly issues: readonly TableIssue[]
}

/** Decodes one table as the API filled it; a short buffer loses only the rows it cuts off, with an issue. */
export function decodeMibTable(bytes: Uint8Array, kind: MibTableKind): MibTableParse {
  const source = `GetExtended${kind.startsWith('tcp') ? 'Tcp' : 'Udp'}Table (${kind})`
  if (bytes.length < 4) return { sockets: [], issues: [{ source, line: 0, message: `the table is ${bytes.length} bytes, too short for its row count`, text: '' }] }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(0, true)
  const size = MIB_ROW_SIZE[kind]
  const fits = Math.floor((bytes.length - 4) / size)
  const issues: TableIssue[] = []
  if (fits < count) issues.push({ source, line: fits + 1, message: `the table says ${count} rows but holds only ${fits}`, text: '' })
  const sockets: MibSocket[] = []
  for (let index = 0; index < Math.min(count, fits); index += 1) {
    const offset = 4 + index * size
    sockets.push(decodeRow(bytes, view, offset, kind))
  }
  return { sockets, issues }
}

function decodeRow(bytes: Uint8Array, view: DataView, offset: number, kind: MibTableKind): MibSocket {
  const port = (at: number) => view.getUint16(offset + at, false)
  const dword = (at: number) => view.getUint32(offset + at, true)
  switch (kind) {
    case 'tcp4':
      return {
        protocol: 'tcp',
        family: 4,
        state: windowsTcpStateFromNumber(dword(0)),
        localAddress: ipv4Text(bytes, offset + 4),
        localPort: port(8),
        remoteAddress: ipv4Text(bytes, offset + 12),
        remotePort: port(16),
        pid: dword(20)
      }
    case 'tcp6':
      return {
        protocol: 'tcp',
        family: 6,
        localAddress: withScope(ipv6Text(bytes, offset), dword(16)),
        localPort: port(20),
        remoteAddress: withScope(ipv6Text(bytes, offset + 24), dword(40)),
        remotePort: port(44),
        state: windowsTcpStateFromNumber(dword(48)),
        pid: dword(52)
      }
    case 'udp4':
      return {
        protocol: 'udp',
        family: 4,
        localAddress: ipv4Text(bytes, offset),
        localPort: port(4),
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: datagramState(0),
        pid: dword(8)
      }
    case 'udp6':
      return {
        protocol: 'udp',
        family: 6,
        localAddress: withScope(ipv6Text(bytes, offset), dword(16)),
        localPort: port(20),
        remoteAddress: '::',
        remotePort: 0,
        state: datagramState(0),
        pid: dword(24)
      }
  }
}

/** A link-local address keeps its scope (interface index) as netstat prints it: `fe80::1%9`. */
function withScope(address: string, scope: number): string {
  return scope === 0 ? address : `${address}%${scope}`
}
