/**
 * libproc through koffi: the one file of the macOS provider that calls the OS. Everything it
 * returns is raw bytes or plain numbers; decoding is in libproc-socket-decoder.ts and
 * proc-bsd-info.ts, and the walk over processes in libproc-table-reader.ts, all testable anywhere.
 *
 * The functions live in libSystem (libproc is part of it), as lsof and psutil call them.
 */
import { loadKoffi } from '../koffi-loader'
import { PROC_ALL_PIDS, PROC_BSDINFO, PROC_FDINFO, PROC_PIDFDSOCKETINFO, PROC_PIDLISTFDS, PROC_PIDTBSDINFO, SOCKET_FDINFO } from './libproc-layout'

/** Why a libproc call gave nothing. */
export type LibprocFailure = 'gone' | 'denied' | 'failed'

/** A libproc answer: the bytes, or why there are none. */
export type LibprocAnswer = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly failure: LibprocFailure; readonly errno: number }

/** What the table reader and the system reader ask of libproc (a fake one stands in for it in tests). */
export interface LibprocAccess {
  /** Every process id. */
  listPids(): number[]
  /** The process's open fds as proc_fdinfo records. */
  listFds(pid: number): LibprocAnswer
  /** One fd's struct socket_fdinfo. */
  socketInfo(pid: number, fd: number): LibprocAnswer
  /** The process's struct proc_bsdinfo. */
  bsdInfo(pid: number): LibprocAnswer
  /** The executable's path, or null when it cannot be read. */
  processPath(pid: number): string | null
  /** The user name of a uid, or null when the directory does not know it. */
  userName(uid: number): string | null
  /** The session a process belongs to, or null when it is gone. */
  sessionOf(pid: number): number | null
}

/** errno values that mean "no such process" and "not yours to look at" (sys/errno.h). */
const ESRCH = 3
const EPERM = 1
const EACCES = 13
/** Longest path proc_pidpath writes (PROC_PIDPATHINFO_MAXSIZE, 4 * MAXPATHLEN). */
const PATH_BUFFER_BYTES = 4 * 1024

/** Binds libproc in libSystem; throws, saying why, anywhere but macOS. */
export function openLibproc(): LibprocAccess {
  if (process.platform !== 'darwin') throw new Error(`libproc exists only on macOS, not on ${process.platform}`)
  const koffi = loadKoffi()
  const system = koffi.load('/usr/lib/libSystem.B.dylib')
  const procListPids = system.func('int proc_listpids(uint32_t type, uint32_t typeinfo, _Out_ void *buffer, int buffersize)')
  const procPidInfo = system.func('int proc_pidinfo(int pid, int flavor, uint64_t arg, _Out_ void *buffer, int buffersize)')
  const procPidFdInfo = system.func('int proc_pidfdinfo(int pid, int fd, int flavor, _Out_ void *buffer, int buffersize)')
  const procPidPath = system.func('int proc_pidpath(int pid, _Out_ void *buffer, uint32_t buffersize)')
  const getsid = system.func('int getsid(int pid)')
  // struct passwd starts with char *pw_name; only that field is read.
  const getpwuid = system.func('void *getpwuid(uint32_t uid)')

  function failure(errno: number): LibprocAnswer {
    if (errno === ESRCH) return { ok: false, failure: 'gone', errno }
    if (errno === EPERM || errno === EACCES) return { ok: false, failure: 'denied', errno }
    return { ok: false, failure: 'failed', errno }
  }

  function answer(filled: number, buffer: Buffer): LibprocAnswer {
    return filled > 0 ? { ok: true, bytes: buffer.subarray(0, filled) } : failure(koffi.errno())
  }

  return {
    listPids() {
      // Asked twice: once for the size, then with room for processes started in between.
      const needed = procListPids(PROC_ALL_PIDS, 0, null, 0) as number
      const buffer = Buffer.alloc(Math.max(needed, 0) + 64 * 4)
      const filled = procListPids(PROC_ALL_PIDS, 0, buffer, buffer.length) as number
      const pids: number[] = []
      for (let offset = 0; offset + 4 <= filled; offset += 4) {
        const pid = buffer.readInt32LE(offset)
        if (pid > 0) pids.push(pid)
      }
      return pids
    },
    listFds(pid) {
      const needed = procPidInfo(pid, PROC_PIDLISTFDS, 0, null, 0) as number
      if (needed <= 0) return failure(koffi.errno())
      const buffer = Buffer.alloc(needed + 32 * PROC_FDINFO.size)
      return answer(procPidInfo(pid, PROC_PIDLISTFDS, 0, buffer, buffer.length) as number, buffer)
    },
    socketInfo(pid, fd) {
      const buffer = Buffer.alloc(SOCKET_FDINFO.size)
      return answer(procPidFdInfo(pid, fd, PROC_PIDFDSOCKETINFO, buffer, buffer.length) as number, buffer)
    },
    bsdInfo(pid) {
      const buffer = Buffer.alloc(PROC_BSDINFO.size)
      return answer(procPidInfo(pid, PROC_PIDTBSDINFO, 0, buffer, buffer.length) as number, buffer)
    },
    processPath(pid) {
      const buffer = Buffer.alloc(PATH_BUFFER_BYTES)
      const length = procPidPath(pid, buffer, buffer.length) as number
      return length > 0 ? buffer.toString('utf8', 0, length) : null
    },
    userName(uid) {
      const entry = getpwuid(uid) as unknown
      if (entry === null) return null
      const namePointer = koffi.decode(entry, 'void *') as unknown
      return namePointer === null ? null : (koffi.decode(namePointer, 'char', -1) as string)
    },
    sessionOf(pid) {
      const session = getsid(pid) as number
      return session < 0 ? null : session
    }
  }
}
