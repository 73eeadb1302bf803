/** Decodes `struct proc_bsdinfo` (proc_pidinfo PROC_PIDTBSDINFO): a process's ids, name and state. Pure. */
import { PROC_BSDINFO, PROCESS_STATUS_LETTERS } from './libproc-layout'

/** What sockscope uses of proc_bsdinfo. */
export interface BsdProcessInfo {
  readonly pid: number
  readonly parentPid: number
  readonly uid: number
  /** pbi_name when the process registered one, else pbi_comm (at most 16 bytes). */
  readonly name: string
  /** Open file descriptors, as the kernel counts them. */
  readonly fileCount: number
  readonly processGroup: number
  /** The state letter: R, S, T, Z, or I while it is being created. */
  readonly state: string
  /** Start time, microseconds since the epoch. */
  readonly startMicroseconds: number
}

/** Decodes `bytes`; throws a RangeError naming the size when they cannot be a proc_bsdinfo. */
export function decodeBsdInfo(bytes: Uint8Array): BsdProcessInfo {
  if (bytes.length < PROC_BSDINFO.size) throw new RangeError(`proc_bsdinfo is ${PROC_BSDINFO.size} bytes, got ${bytes.length}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const status = view.getUint32(PROC_BSDINFO.status, true)
  const registered = cString(bytes, PROC_BSDINFO.name, PROC_BSDINFO.nameLength)
  const seconds = view.getBigUint64(PROC_BSDINFO.startSeconds, true)
  const microseconds = view.getBigUint64(PROC_BSDINFO.startMicroseconds, true)
  return {
    pid: view.getUint32(PROC_BSDINFO.pid, true),
    parentPid: view.getUint32(PROC_BSDINFO.parentPid, true),
    uid: view.getUint32(PROC_BSDINFO.uid, true),
    name: registered !== '' ? registered : cString(bytes, PROC_BSDINFO.comm, PROC_BSDINFO.commLength),
    fileCount: view.getUint32(PROC_BSDINFO.fileCount, true),
    processGroup: view.getUint32(PROC_BSDINFO.processGroup, true),
    state: PROCESS_STATUS_LETTERS[status] ?? '?',
    startMicroseconds: Number(seconds * 1_000_000n + microseconds)
  }
}

/** A NUL-terminated string in a fixed-size char array. */
function cString(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset
  while (end < offset + length && bytes[end] !== 0) end += 1
  return Buffer.from(bytes.subarray(offset, end)).toString('utf8')
}
