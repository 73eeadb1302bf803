/**
 * Processes, fds and limits, interface counters and the port range on macOS: processes through
 * libproc when it can be bound, interface counters from `netstat -ibn`, the port range from
 * `sysctl`. What macOS does not offer answers null (see each method).
 */
import type { PortRange } from '../../../../shared/model/history'
import type { InterfaceCounters, ProcessStatus, SystemReader } from '../platform'
import { unknownSystem } from '../unsupported-platform'
import { runCommand } from '../run-command'
import { PROC_FDINFO } from './libproc-layout'
import type { LibprocAccess } from './libproc'
import { parseNetstatInterfaces } from './netstat-interfaces'
import { decodeBsdInfo, type BsdProcessInfo } from './proc-bsd-info'
import { parseSysctlValues, portRangeFromSysctl, PORT_RANGE_SYSCTLS } from './sysctl-values'

/** The macOS system reads; `libproc` is null when it cannot be bound, and process reads then answer nothing. */
export class DarwinSystemReader implements SystemReader {
  constructor(
    private readonly libproc: LibprocAccess | null,
    private readonly run: (file: string, args: readonly string[]) => Promise<string> = runCommand
  ) {}

  async readInterfaceCounters(): Promise<readonly InterfaceCounters[] | null> {
    return parseNetstatInterfaces(await this.run('netstat', ['-ibn'])).interfaces
  }

  async readPortRange(): Promise<PortRange | null> {
    return portRangeFromSysctl(parseSysctlValues(await this.run('sysctl', PORT_RANGE_SYSCTLS)))
  }

  /** The number of proc_fdinfo records PROC_PIDLISTFDS returns. */
  async countOpenFileDescriptors(pid: number): Promise<number | null> {
    const fds = this.libproc?.listFds(pid)
    return fds?.ok === true ? Math.floor(fds.bytes.length / PROC_FDINFO.size) : null
  }

  /** macOS has no call that reads another process's RLIMIT_NOFILE (there is no /proc/PID/limits), so this is always null. */
  async readSoftOpenFilesLimit(): Promise<number | null> {
    return null
  }

  async listProcessIds(): Promise<number[]> {
    return this.libproc?.listPids() ?? []
  }

  async readProcessName(pid: number): Promise<string | null> {
    return this.bsdInfo(pid)?.name ?? null
  }

  processExists(pid: number): Promise<boolean> {
    return unknownSystem.processExists(pid)
  }

  async listProcesses(): Promise<ProcessStatus[]> {
    const libproc = this.libproc
    if (libproc === null) return []
    const statuses: ProcessStatus[] = []
    for (const pid of libproc.listPids()) {
      const info = this.bsdInfo(pid)
      if (info === null) continue
      statuses.push({
        pid,
        parentPid: info.parentPid,
        sessionId: libproc.sessionOf(pid) ?? info.processGroup,
        startTime: info.startMicroseconds,
        name: info.name,
        state: info.state
      })
    }
    return statuses
  }

  /** libproc names a UNIX socket's peer by kernel handle, not by inode, so the peer cannot be given as one. */
  async findUnixPeer(): Promise<number | null> {
    return null
  }

  private bsdInfo(pid: number): BsdProcessInfo | null {
    const answer = this.libproc?.bsdInfo(pid)
    if (answer?.ok !== true) return null
    try {
      return decodeBsdInfo(answer.bytes)
    } catch {
      return null
    }
  }
}
