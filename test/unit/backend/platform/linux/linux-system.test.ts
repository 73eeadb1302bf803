import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { countOpenFileDescriptors } from '../../../../../electron/backend/platform/linux/file-descriptor-count'
import { readSoftOpenFilesLimit } from '../../../../../electron/backend/platform/linux/proc-limits'
import { readPortRange } from '../../../../../electron/backend/platform/linux/port-range'
import { LinuxSystemReader } from '../../../../../electron/backend/platform/linux/linux-system'
import { createSystemReader } from '../../../../../electron/backend/platform/create-platform'
import { elementAt } from '../../../../../shared/element-at'

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

describe.skipIf(!onLinux)('LinuxSystemReader', () => {
  const system = createSystemReader('linux')

  it('finds a child process by pid, names it, lists it, and stops finding it once it exits', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' })
    const pid = child.pid!
    try {
      expect(await system.processExists(pid)).toBe(true)
      expect(await system.readProcessName(pid)).toBe('sleep')
      expect(await system.listProcessIds()).toContain(pid)
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    expect(await system.processExists(pid)).toBe(false)
    expect(await system.readProcessName(pid)).toBeNull()
    expect(await system.listProcessIds()).not.toContain(pid)
  })

  it('reads the loopback counters the kernel shows in /proc/net/dev', async () => {
    const counters = await system.readInterfaceCounters()
    const loopback = counters?.find((entry) => entry.name === 'lo')
    expect(loopback).toBeDefined()
    // The counters only grow, so the text read after is at least what was read before.
    const after = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .find((line) => line.trim().startsWith('lo:'))!
    const receivedAfter = Number(elementAt(after.split(':'), 1).trim().split(/\s+/)[0])
    expect(loopback!.receiveBytes).toBeLessThanOrEqual(receivedAfter)
    expect(loopback!.receiveBytes).toBeGreaterThan(0)
  })

  it('reads a procfs mounted elsewhere, and says null or nothing where it holds nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sockscope-proc-'))
    try {
      const empty = new LinuxSystemReader(root)
      expect(await empty.readInterfaceCounters()).toBeNull()
      expect(await empty.readPortRange()).toBeNull()
      expect(await empty.listProcessIds()).toEqual([])
      expect(await empty.processExists(process.pid)).toBe(false)
    } finally {
      rmSync(root, { recursive: true })
    }
  })
})

describe('the system reader of an OS without a provider', () => {
  const system = createSystemReader('plan9')

  it('knows no counters, limits or processes, but still tells a running pid from a gone one', async () => {
    expect(await system.readInterfaceCounters()).toBeNull()
    expect(await system.readSoftOpenFilesLimit(process.pid)).toBeNull()
    expect(await system.listProcessIds()).toEqual([])
    expect(await system.processExists(process.pid)).toBe(true)
    expect(await system.processExists(2 ** 22 + 1)).toBe(false)
  })
})
