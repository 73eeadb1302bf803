/**
 * The iphlpapi and toolhelp structures as C declarations for koffi's layout engine, transcribed
 * from Microsoft's documentation of MIB_TCPROW_OWNER_PID, MIB_TCP6ROW_OWNER_PID,
 * MIB_UDPROW_OWNER_PID, MIB_UDP6ROW_OWNER_PID, MIB_TCPROW and PROCESSENTRY32W (64-bit). Tests
 * build tables with these and decode them with the hand-written layout of
 * electron/backend/platform/win32/: two independent readings that must agree. No bytes recorded on
 * Windows were available.
 */
import { createRequire } from 'node:module'
import type { MibSocket, MibTableKind } from '../../electron/backend/platform/win32/mib-tables'
import { addressBytes } from './libproc-structs'

const koffi = createRequire(__filename)('koffi') as typeof import('koffi')

const tcpRow = koffi.struct('test_MIB_TCPROW_OWNER_PID', {
  dwState: 'uint32_t',
  dwLocalAddr: 'uint32_t',
  dwLocalPort: 'uint32_t',
  dwRemoteAddr: 'uint32_t',
  dwRemotePort: 'uint32_t',
  dwOwningPid: 'uint32_t'
})
const tcp6Row = koffi.struct('test_MIB_TCP6ROW_OWNER_PID', {
  ucLocalAddr: koffi.array('uint8_t', 16),
  dwLocalScopeId: 'uint32_t',
  dwLocalPort: 'uint32_t',
  ucRemoteAddr: koffi.array('uint8_t', 16),
  dwRemoteScopeId: 'uint32_t',
  dwRemotePort: 'uint32_t',
  dwState: 'uint32_t',
  dwOwningPid: 'uint32_t'
})
const udpRow = koffi.struct('test_MIB_UDPROW_OWNER_PID', { dwLocalAddr: 'uint32_t', dwLocalPort: 'uint32_t', dwOwningPid: 'uint32_t' })
const udp6Row = koffi.struct('test_MIB_UDP6ROW_OWNER_PID', {
  ucLocalAddr: koffi.array('uint8_t', 16),
  dwLocalScopeId: 'uint32_t',
  dwLocalPort: 'uint32_t',
  dwOwningPid: 'uint32_t'
})

/** MIB_TCPROW, what SetTcpEntry takes. */
export const mibTcpRow = koffi.struct('test_MIB_TCPROW', {
  dwState: 'uint32_t',
  dwLocalAddr: 'uint32_t',
  dwLocalPort: 'uint32_t',
  dwRemoteAddr: 'uint32_t',
  dwRemotePort: 'uint32_t'
})

/** PROCESSENTRY32W on 64-bit Windows (ULONG_PTR is 8 bytes, as uintptr_t on any 64-bit host). */
export const processEntry = koffi.struct('test_PROCESSENTRY32W', {
  dwSize: 'uint32_t',
  cntUsage: 'uint32_t',
  th32ProcessID: 'uint32_t',
  th32DefaultHeapID: 'uintptr_t',
  th32ModuleID: 'uint32_t',
  cntThreads: 'uint32_t',
  th32ParentProcessID: 'uint32_t',
  pcPriClassBase: 'int32_t',
  dwFlags: 'uint32_t',
  szExeFile: koffi.array('uint16_t', 260)
})

export { koffi }

const ROW_TYPES = { tcp4: tcpRow, tcp6: tcp6Row, udp4: udpRow, udp6: udp6Row } as const

/** A DWORD holding a port the way the tables do: network order in its first two bytes. */
export function portDword(port: number): number {
  return ((port & 0xff) << 8) | (port >> 8)
}

/** A DWORD whose bytes in memory are an IPv4 address in network order. */
export function addressDword(text: string): number {
  return Buffer.from(addressBytes(text)).readUInt32LE(0)
}

/** MIB_TCP_STATE numbers by the model's state names (DELETE_TCB aside). */
const STATE_NUMBERS: Readonly<Record<string, number>> = {
  CLOSE: 1,
  LISTEN: 2,
  SYN_SENT: 3,
  SYN_RECV: 4,
  ESTABLISHED: 5,
  FIN_WAIT1: 6,
  FIN_WAIT2: 7,
  CLOSE_WAIT: 8,
  CLOSING: 9,
  LAST_ACK: 10,
  TIME_WAIT: 11
}

/** Splits `fe80::1%9` into the address and its scope id. */
function scoped(text: string): [number[], number] {
  const [address = '', scope = '0'] = text.split('%')
  return [addressBytes(address), Number(scope)]
}

/** A table as GetExtendedTcpTable or GetExtendedUdpTable would fill it with `sockets`. */
export function mibTable(kind: MibTableKind, sockets: readonly MibSocket[]): Buffer {
  const type = ROW_TYPES[kind]
  const size = koffi.sizeof(type)
  const buffer = Buffer.alloc(4 + size * sockets.length)
  buffer.writeUInt32LE(sockets.length, 0)
  sockets.forEach((socket, index) => {
    const offset = 4 + index * size
    const [local, localScope] = scoped(socket.localAddress)
    const [remote, remoteScope] = scoped(socket.remoteAddress)
    const state = STATE_NUMBERS[socket.state] ?? 0
    if (kind === 'tcp4')
      koffi.encode(buffer, offset, tcpRow, {
        dwState: state,
        dwLocalAddr: addressDword(socket.localAddress),
        dwLocalPort: portDword(socket.localPort),
        dwRemoteAddr: addressDword(socket.remoteAddress),
        dwRemotePort: portDword(socket.remotePort),
        dwOwningPid: socket.pid
      })
    else if (kind === 'tcp6')
      koffi.encode(buffer, offset, tcp6Row, {
        ucLocalAddr: local,
        dwLocalScopeId: localScope,
        dwLocalPort: portDword(socket.localPort),
        ucRemoteAddr: remote,
        dwRemoteScopeId: remoteScope,
        dwRemotePort: portDword(socket.remotePort),
        dwState: state,
        dwOwningPid: socket.pid
      })
    else if (kind === 'udp4')
      koffi.encode(buffer, offset, udpRow, { dwLocalAddr: addressDword(socket.localAddress), dwLocalPort: portDword(socket.localPort), dwOwningPid: socket.pid })
    else koffi.encode(buffer, offset, udp6Row, { ucLocalAddr: local, dwLocalScopeId: localScope, dwLocalPort: portDword(socket.localPort), dwOwningPid: socket.pid })
  })
  return buffer
}

/** A PROCESSENTRY32W as Process32NextW fills it. */
export function processEntryBytes(pid: number, parentPid: number, name: string): Buffer {
  const buffer = Buffer.alloc(koffi.sizeof(processEntry))
  const units = Array.from(name, (char) => char.charCodeAt(0))
  koffi.encode(buffer, 0, processEntry, { dwSize: koffi.sizeof(processEntry), th32ProcessID: pid, th32ParentProcessID: parentPid, cntThreads: 3, szExeFile: [...units, 0] })
  return buffer
}

const guid = koffi.struct('test_GUID', { Data1: 'uint32_t', Data2: 'uint16_t', Data3: 'uint16_t', Data4: koffi.array('uint8_t', 8) })

/** MIB_IF_ROW2 (netioapi.h), its enums as int and its flag bits as the one byte they fill. */
export const ifRow2 = koffi.struct('test_MIB_IF_ROW2', {
  InterfaceLuid: 'uint64_t',
  InterfaceIndex: 'uint32_t',
  InterfaceGuid: guid,
  Alias: koffi.array('uint16_t', 257),
  Description: koffi.array('uint16_t', 257),
  PhysicalAddressLength: 'uint32_t',
  PhysicalAddress: koffi.array('uint8_t', 32),
  PermanentPhysicalAddress: koffi.array('uint8_t', 32),
  Mtu: 'uint32_t',
  Type: 'uint32_t',
  TunnelType: 'int',
  MediaType: 'int',
  PhysicalMediumType: 'int',
  AccessType: 'int',
  DirectionType: 'int',
  InterfaceAndOperStatusFlags: 'uint8_t',
  OperStatus: 'int',
  AdminStatus: 'int',
  MediaConnectState: 'int',
  NetworkGuid: guid,
  ConnectionType: 'int',
  TransmitLinkSpeed: 'uint64_t',
  ReceiveLinkSpeed: 'uint64_t',
  InOctets: 'uint64_t',
  InUcastPkts: 'uint64_t',
  InNUcastPkts: 'uint64_t',
  InDiscards: 'uint64_t',
  InErrors: 'uint64_t',
  InUnknownProtos: 'uint64_t',
  InUcastOctets: 'uint64_t',
  InMulticastOctets: 'uint64_t',
  InBroadcastOctets: 'uint64_t',
  OutOctets: 'uint64_t',
  OutUcastPkts: 'uint64_t',
  OutNUcastPkts: 'uint64_t',
  OutDiscards: 'uint64_t',
  OutErrors: 'uint64_t',
  OutUcastOctets: 'uint64_t',
  OutMulticastOctets: 'uint64_t',
  OutBroadcastOctets: 'uint64_t',
  OutQLen: 'uint64_t'
})

/** A made-up interface row. */
export interface MadeUpInterface {
  readonly alias: string
  readonly filter?: boolean
  readonly inOctets: bigint
  readonly inUnicast: bigint
  readonly inOther: bigint
  readonly outOctets: bigint
  readonly outUnicast: bigint
  readonly outOther: bigint
}

/** A MIB_IF_TABLE2 as GetIfTable2 would fill it: the count, 4 bytes of padding, the rows. */
export function ifTable(interfaces: readonly MadeUpInterface[]): Buffer {
  const size = koffi.sizeof(ifRow2)
  const buffer = Buffer.alloc(8 + size * interfaces.length)
  buffer.writeUInt32LE(interfaces.length, 0)
  interfaces.forEach((entry, index) => {
    koffi.encode(buffer, 8 + index * size, ifRow2, {
      Alias: [...Array.from(entry.alias, (char) => char.charCodeAt(0)), 0],
      InterfaceAndOperStatusFlags: entry.filter === true ? 0x3 : 0x1,
      InOctets: entry.inOctets,
      InUcastPkts: entry.inUnicast,
      InNUcastPkts: entry.inOther,
      OutOctets: entry.outOctets,
      OutUcastPkts: entry.outUnicast,
      OutNUcastPkts: entry.outOther,
      // Counters sockscope does not read, set so that reading the wrong one shows.
      InUcastOctets: 1n,
      OutUcastOctets: 2n,
      InDiscards: 3n
    })
  })
  return buffer
}
