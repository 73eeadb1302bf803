/** Processes, fds, limits, interface counters and the port range, as procfs shows them. */
import { access, readdir, readFile } from 'node:fs/promises'
import type { PortRange } from '../../../../shared/model/history'
import type { InterfaceCounters, ProcessStatus, SystemReader } from '../platform'
import { countOpenFileDescriptors } from './file-descriptor-count'
import { readPortRange } from './port-range'
import { readSoftOpenFilesLimit } from './proc-limits'
import { parseNetDev } from './proc-net-dev'
import { readProcessStatuses } from './proc-stat'
import { findUnixPeer } from './unix-peer'

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return null
  }
}

/** The system reads of one procfs mount. */
export class LinuxSystemReader implements SystemReader {
  /** `procRoot`: where procfs is mounted. */
  constructor(private readonly procRoot: string) {}

  async readInterfaceCounters(): Promise<readonly InterfaceCounters[] | null> {
    const text = await readOptional(`${this.procRoot}/net/dev`)
    return text === null ? null : parseNetDev(text).interfaces
  }

  readPortRange(): Promise<PortRange | null> {
    return readPortRange(this.procRoot)
  }

  countOpenFileDescriptors(pid: number): Promise<number | null> {
    return countOpenFileDescriptors(pid, this.procRoot)
  }

  readSoftOpenFilesLimit(pid: number): Promise<number | null> {
    return readSoftOpenFilesLimit(pid, this.procRoot)
  }

  async listProcessIds(): Promise<number[]> {
    const entries = await readdir(this.procRoot).catch(() => [] as string[])
    return entries.filter((entry) => /^\d+$/.test(entry)).map(Number)
  }

  async readProcessName(pid: number): Promise<string | null> {
    return (await readOptional(`${this.procRoot}/${pid}/comm`))?.trim() ?? null
  }

  processExists(pid: number): Promise<boolean> {
    return access(`${this.procRoot}/${pid}`).then(
      () => true,
      () => false
    )
  }

  async listProcesses(): Promise<ProcessStatus[]> {
    return readProcessStatuses(this.procRoot)
  }

  async findUnixPeer(inode: number): Promise<number | null> {
    return findUnixPeer(inode)
  }
}
