/**
 * iphlpapi and kernel32 through koffi: the one file of the Windows provider that calls the OS.
 * It returns raw table bytes and plain values; decoding is in mib-tables.ts and process-entry.ts,
 * and the readers that use it take an {@link WindowsAccess}, so all of it is tested on any OS.
 */
import { loadKoffi } from '../koffi-loader'
import { MIB_IF_ROW2 } from './if-table'
import { decodeProcessEntry, PROCESS_ENTRY, type ToolhelpProcess } from './process-entry'

/** What the Windows readers ask of the OS (a fake one stands in for it in tests). */
export interface WindowsAccess {
  /** GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL) for one family, as filled. */
  tcpTable(family: 4 | 6): Uint8Array
  /** GetExtendedUdpTable(UDP_TABLE_OWNER_PID) for one family, as filled. */
  udpTable(family: 4 | 6): Uint8Array
  /** GetIfTable2's MIB_IF_TABLE2, copied out before FreeMibTable. */
  interfaceTable(): Uint8Array
  /** SetTcpEntry with a MIB_TCPROW; the Win32 error code, 0 when it worked. */
  setTcpEntry(row: Uint8Array): number
  /** Every process, from a toolhelp snapshot. */
  processes(): ToolhelpProcess[]
  /** The executable's full path (QueryFullProcessImageNameW), or null when the process cannot be opened. */
  imagePath(pid: number): string | null
  /** How many handles the process holds (GetProcessHandleCount), or null when it cannot be opened. */
  handleCount(pid: number): number | null
}

const AF_INET = 2
const AF_INET6 = 23
const TCP_TABLE_OWNER_PID_ALL = 5
const UDP_TABLE_OWNER_PID = 1
const NO_ERROR = 0
const ERROR_INSUFFICIENT_BUFFER = 122
const TH32CS_SNAPPROCESS = 0x2
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
/** Longest path QueryFullProcessImageNameW is given room for, in UTF-16 units. */
const PATH_UNITS = 32_768
/** Tries before giving up on a table that keeps growing between the size query and the read. */
const TABLE_TRIES = 4

/** Binds iphlpapi and kernel32; throws, saying why, anywhere but Windows. */
export function openWindowsAccess(): WindowsAccess {
  if (process.platform !== 'win32') throw new Error(`iphlpapi exists only on Windows, not on ${process.platform}`)
  const koffi = loadKoffi()
  const iphlpapi = koffi.load('iphlpapi.dll')
  const kernel32 = koffi.load('kernel32.dll')
  const getExtendedTcpTable = iphlpapi.func(
    'uint32_t __stdcall GetExtendedTcpTable(_Out_ void *table, _Inout_ uint32_t *size, int order, uint32_t af, int tableClass, uint32_t reserved)'
  )
  const getExtendedUdpTable = iphlpapi.func(
    'uint32_t __stdcall GetExtendedUdpTable(_Out_ void *table, _Inout_ uint32_t *size, int order, uint32_t af, int tableClass, uint32_t reserved)'
  )
  const setTcpEntry = iphlpapi.func('uint32_t __stdcall SetTcpEntry(const void *row)')
  const getIfTable2 = iphlpapi.func('uint32_t __stdcall GetIfTable2(_Out_ void **table)')
  const freeMibTable = iphlpapi.func('void __stdcall FreeMibTable(void *memory)')
  const createSnapshot = kernel32.func('void * __stdcall CreateToolhelp32Snapshot(uint32_t flags, uint32_t pid)')
  const process32First = kernel32.func('int __stdcall Process32FirstW(void *snapshot, _Inout_ void *entry)')
  const process32Next = kernel32.func('int __stdcall Process32NextW(void *snapshot, _Inout_ void *entry)')
  const openProcess = kernel32.func('void * __stdcall OpenProcess(uint32_t access, int inherit, uint32_t pid)')
  const queryImageName = kernel32.func('int __stdcall QueryFullProcessImageNameW(void *process, uint32_t flags, _Out_ void *name, _Inout_ uint32_t *size)')
  const getHandleCount = kernel32.func('int __stdcall GetProcessHandleCount(void *process, _Out_ uint32_t *count)')
  const closeHandle = kernel32.func('int __stdcall CloseHandle(void *handle)')

  function table(call: (buffer: Buffer | null, size: number[]) => number, name: string): Uint8Array {
    const size = [0]
    let status = call(null, size)
    for (let attempt = 0; attempt < TABLE_TRIES && status === ERROR_INSUFFICIENT_BUFFER; attempt += 1) {
      // Room for rows that appear between the size query and the read.
      const buffer = Buffer.alloc((size[0] ?? 0) + 4096)
      size[0] = buffer.length
      status = call(buffer, size)
      if (status === NO_ERROR) return buffer.subarray(0, size[0])
    }
    if (status === NO_ERROR) return new Uint8Array(4)
    throw new Error(`${name} failed with Windows error ${status}`)
  }

  function withProcess<T>(pid: number, use: (handle: unknown) => T | null): T | null {
    const handle = openProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) as unknown
    if (handle === null) return null
    try {
      return use(handle)
    } finally {
      closeHandle(handle)
    }
  }

  return {
    tcpTable: (family) =>
      table((buffer, size) => getExtendedTcpTable(buffer, size, 0, family === 4 ? AF_INET : AF_INET6, TCP_TABLE_OWNER_PID_ALL, 0) as number, `GetExtendedTcpTable (IPv${family})`),
    udpTable: (family) =>
      table((buffer, size) => getExtendedUdpTable(buffer, size, 0, family === 4 ? AF_INET : AF_INET6, UDP_TABLE_OWNER_PID, 0) as number, `GetExtendedUdpTable (IPv${family})`),
    setTcpEntry: (row) => setTcpEntry(row) as number,
    interfaceTable() {
      const out: unknown[] = [null]
      const status = getIfTable2(out) as number
      if (status !== NO_ERROR) throw new Error(`GetIfTable2 failed with Windows error ${status}`)
      const table = out[0]
      try {
        const count = koffi.decode(table, 'uint32_t') as number
        return new Uint8Array(koffi.view(table, MIB_IF_ROW2.tableHeader + count * MIB_IF_ROW2.size)).slice()
      } finally {
        freeMibTable(table)
      }
    },
    processes() {
      const snapshot = createSnapshot(TH32CS_SNAPPROCESS, 0) as unknown
      // INVALID_HANDLE_VALUE is (HANDLE)-1.
      if (snapshot === null || koffi.address(snapshot) === 0xffffffffffffffffn) throw new Error('CreateToolhelp32Snapshot failed')
      try {
        const entry = Buffer.alloc(PROCESS_ENTRY.size)
        entry.writeUInt32LE(PROCESS_ENTRY.size, 0)
        const found: ToolhelpProcess[] = []
        for (let more = process32First(snapshot, entry) as number; more !== 0; more = process32Next(snapshot, entry) as number) found.push(decodeProcessEntry(entry))
        return found
      } finally {
        closeHandle(snapshot)
      }
    },
    imagePath: (pid) =>
      withProcess(pid, (handle) => {
        const name = Buffer.alloc(PATH_UNITS * 2)
        const size = [PATH_UNITS]
        return (queryImageName(handle, 0, name, size) as number) === 0 ? null : name.toString('utf16le', 0, (size[0] ?? 0) * 2)
      }),
    handleCount: (pid) =>
      withProcess(pid, (handle) => {
        const count = [0]
        return (getHandleCount(handle, count) as number) === 0 ? null : (count[0] ?? null)
      })
  }
}
