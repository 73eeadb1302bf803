/**
 * Processes, handle counts, interface counters and the port range on Windows: processes from a
 * toolhelp snapshot, handle counts from GetProcessHandleCount (Windows' counterpart of open fds),
 * interface counters from GetIfTable2, the dynamic port range from
 * `netsh int ipv4 show dynamicport tcp`. What Windows does not offer answers null.
 */
import type { PortRange } from '../../../../shared/model/history'
import type { InterfaceCounters, ProcessStatus, SystemReader } from '../platform'
import { runCommand } from '../run-command'
import { unknownSystem } from '../unsupported-platform'
import { decodeIfTable } from './if-table'
import type { WindowsAccess } from './iphlpapi'
import { parseNetshDynamicPorts } from './netsh-port-range'
import { windowsProcessStatus } from './win32-system-actions'

/** The Windows system reads; `access` is null when iphlpapi and kernel32 cannot be bound. */
export class WindowsSystemReader implements SystemReader {
  constructor(
    private readonly access: WindowsAccess | null,
    private readonly run: (file: string, args: readonly string[]) => Promise<string> = runCommand
  ) {}

  /** Every interface but the filter drivers' views of them, by the name Windows shows (its alias). */
  async readInterfaceCounters(): Promise<readonly InterfaceCounters[] | null> {
    return this.access === null ? null : decodeIfTable(this.access.interfaceTable()).interfaces
  }

  async readPortRange(): Promise<PortRange | null> {
    return parseNetshDynamicPorts(await this.run('netsh', ['int', 'ipv4', 'show', 'dynamicport', 'tcp']))
  }

  /** The process's handle count: sockets, files and every other kernel object it holds. */
  async countOpenFileDescriptors(pid: number): Promise<number | null> {
    return this.access?.handleCount(pid) ?? null
  }

  /** Windows has no per-process limit on handles that a program sets (the kernel's is about 16 million), so none is reported. */
  async readSoftOpenFilesLimit(): Promise<number | null> {
    return null
  }

  async listProcessIds(): Promise<number[]> {
    return (await this.listProcesses()).map((status) => status.pid)
  }

  async readProcessName(pid: number): Promise<string | null> {
    return (await this.listProcesses()).find((status) => status.pid === pid)?.name ?? null
  }

  processExists(pid: number): Promise<boolean> {
    return unknownSystem.processExists(pid)
  }

  async listProcesses(): Promise<ProcessStatus[]> {
    return this.access?.processes().map((entry) => windowsProcessStatus(entry.pid, entry.parentPid, entry.name)) ?? []
  }

  /** AF_UNIX sockets on Windows are not in the tables iphlpapi gives, so there is no peer to find. */
  async findUnixPeer(): Promise<number | null> {
    return null
  }
}
