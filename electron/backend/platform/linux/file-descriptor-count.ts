/** Open file descriptors of a process, from /proc/PID/fd. */
import { readdir, stat } from 'node:fs/promises'

const expectedErrors = new Set(['ENOENT', 'EACCES', 'EPERM', 'ESRCH'])

/**
 * Counts the open fds of `pid`, or null when the process is gone or not ours to look at.
 * Linux 6.2 and later report the count as the size of the directory, which spares listing
 * thousands of entries each tick; older kernels report 0 and get the listing.
 */
export async function countOpenFileDescriptors(pid: number, procRoot = '/proc'): Promise<number | null> {
  const directory = `${procRoot}/${pid}/fd`
  try {
    const size = (await stat(directory)).size
    if (size > 0) return size
    return (await readdir(directory)).length
  } catch (error) {
    if (expectedErrors.has((error as NodeJS.ErrnoException).code ?? '')) return null
    throw error
  }
}
