import { openSync, closeSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { countOpenFileDescriptors } from '../../../../electron/backend/history/file-descriptor-count'
import { readSoftOpenFilesLimit } from '../../../../electron/backend/history/proc-limits'
import { readPortRange } from '../../../../electron/backend/history/port-range'

const onLinux = process.platform === 'linux'

describe.skipIf(!onLinux)('reading /proc for the current process', () => {
  it('counts open fds, and follows ones opened and closed', async () => {
    const before = await countOpenFileDescriptors(process.pid)
    // readdir holds one fd of its own on the directory while it lists it.
    expect(before).toBe(readdirSync(`/proc/${process.pid}/fd`).length - 1)
    const opened = Array.from({ length: 25 }, () => openSync('/dev/null', 'r'))
    expect(await countOpenFileDescriptors(process.pid)).toBe((before ?? 0) + 25)
    for (const fd of opened) closeSync(fd)
    expect(await countOpenFileDescriptors(process.pid)).toBe(before)
  })

  it('says null for a process that does not exist', async () => {
    expect(await countOpenFileDescriptors(2 ** 30)).toBeNull()
    expect(await readSoftOpenFilesLimit(2 ** 30)).toBeNull()
  })

  it('reads the soft limit and the port range', async () => {
    expect(await readSoftOpenFilesLimit(process.pid)).toBeGreaterThan(0)
    const range = await readPortRange()
    expect(range?.low).toBeLessThanOrEqual(range?.high ?? 0)
  })

  it('says null when the port range file is missing', async () => {
    expect(await readPortRange('/nonexistent-proc')).toBeNull()
  })
})
