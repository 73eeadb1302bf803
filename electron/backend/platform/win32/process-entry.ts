/**
 * Decodes PROCESSENTRY32W (tlhelp32.h), as Process32FirstW/Process32NextW fill it, for 64-bit
 * Windows: dwSize, cntUsage, th32ProcessID, then th32DefaultHeapID (a ULONG_PTR, 8-aligned at 16),
 * th32ModuleID, cntThreads, th32ParentProcessID, pcPriClassBase, dwFlags and szExeFile, 260 UTF-16
 * units at 44; 568 bytes in all. Pure; tested on buffers built from this layout.
 */

/** The layout on 64-bit Windows. */
export const PROCESS_ENTRY = { size: 568, pid: 8, parentPid: 32, threads: 28, exeFile: 44, exeFileUnits: 260 } as const

/** A process as toolhelp lists it. */
export interface ToolhelpProcess {
  readonly pid: number
  readonly parentPid: number
  /** The executable's file name, without its folder. */
  readonly name: string
}

/** Decodes one entry; throws a RangeError naming the size when the bytes cannot be one. */
export function decodeProcessEntry(bytes: Uint8Array): ToolhelpProcess {
  if (bytes.length < PROCESS_ENTRY.size) throw new RangeError(`PROCESSENTRY32W is ${PROCESS_ENTRY.size} bytes, got ${bytes.length}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let end = PROCESS_ENTRY.exeFile
  const limit = PROCESS_ENTRY.exeFile + PROCESS_ENTRY.exeFileUnits * 2
  while (end < limit && view.getUint16(end, true) !== 0) end += 2
  return {
    pid: view.getUint32(PROCESS_ENTRY.pid, true),
    parentPid: view.getUint32(PROCESS_ENTRY.parentPid, true),
    name: Buffer.from(bytes.buffer, bytes.byteOffset + PROCESS_ENTRY.exeFile, end - PROCESS_ENTRY.exeFile).toString('utf16le')
  }
}
