/*
 * The network namespace scanner on a made-up procfs: each process folder holds an `ns/net` link
 * whose text names a namespace, as the kernel's does. The scanner reads a process's link on the
 * first two scans that see it, then trusts it until the next full scan.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NetworkNamespaceScanner } from '../../../../../electron/backend/platform/linux/network-namespaces'

let procRoot = ''
let now = 0
const FULL_SCAN_MS = 10_000

beforeEach(() => {
  procRoot = mkdtempSync(join(tmpdir(), 'sockscope-netns-'))
  now = 0
})
afterEach(() => rmSync(procRoot, { recursive: true, force: true }))

/** A process folder whose namespace link names `inode`, replacing any link it had. */
function plantProcess(pid: number, inode: number): void {
  const folder = join(procRoot, String(pid), 'ns')
  mkdirSync(folder, { recursive: true })
  rmSync(join(folder, 'net'), { force: true })
  symlinkSync(`net:[${inode}]`, join(folder, 'net'))
}

function removeProcess(pid: number): void {
  rmSync(join(procRoot, String(pid)), { recursive: true, force: true })
}

function scanner(): NetworkNamespaceScanner {
  return new NetworkNamespaceScanner(procRoot, { fullScanIntervalMs: FULL_SCAN_MS, clock: () => now })
}

/** The scan as namespace inode → pids. */
function grouped(namespaces: ReturnType<NetworkNamespaceScanner['scan']>): Record<number, readonly number[]> {
  return Object.fromEntries(namespaces.map((namespace) => [namespace.inode, namespace.pids]))
}

describe('NetworkNamespaceScanner', () => {
  it('groups processes by the namespace their link names, lowest pid first', () => {
    plantProcess(30, 100)
    plantProcess(4, 100)
    plantProcess(7, 200)
    mkdirSync(join(procRoot, 'self'))
    expect(grouped(scanner().scan())).toEqual({ 100: [4, 30], 200: [7] })
  })

  it('reads a process on the first two scans that see it, then not again until a full scan', () => {
    plantProcess(1, 100)
    plantProcess(2, 100)
    const scan = scanner()
    scan.scan()
    expect(scan.lastScan).toEqual({ linkCount: 2, fullScan: true })
    now = 1000
    scan.scan()
    expect(scan.lastScan).toEqual({ linkCount: 2, fullScan: false })
    now = 2000
    plantProcess(3, 200)
    expect(grouped(scan.scan())).toEqual({ 100: [1, 2], 200: [3] })
    expect(scan.lastScan).toEqual({ linkCount: 1, fullScan: false })
    now = 3000
    scan.scan()
    expect(scan.lastScan).toEqual({ linkCount: 1, fullScan: false })
    now = 4000
    scan.scan()
    expect(scan.lastScan).toEqual({ linkCount: 0, fullScan: false })
  })

  it('sees a new process move in on its second scan, as `ip netns exec` does right after it starts', () => {
    plantProcess(1, 100)
    const scan = scanner()
    scan.scan()
    now = 1000
    plantProcess(5, 100)
    scan.scan()
    plantProcess(5, 300)
    now = 2000
    expect(grouped(scan.scan())).toEqual({ 100: [1], 300: [5] })
  })

  it('sees a settled process move only at the next full scan, just after the interval and not just before', () => {
    plantProcess(1, 100)
    plantProcess(2, 100)
    const scan = scanner()
    scan.scan()
    now = 1
    scan.scan()
    plantProcess(2, 300)
    now = FULL_SCAN_MS - 1
    expect(grouped(scan.scan())).toEqual({ 100: [1, 2] })
    now = FULL_SCAN_MS
    expect(grouped(scan.scan())).toEqual({ 100: [1], 300: [2] })
    expect(scan.lastScan).toEqual({ linkCount: 2, fullScan: true })
  })

  it('forgets a process that exited, so a new process with its pid is read afresh', () => {
    plantProcess(1, 100)
    plantProcess(2, 100)
    const scan = scanner()
    scan.scan()
    now = 1
    scan.scan()
    removeProcess(2)
    now = 2
    expect(grouped(scan.scan())).toEqual({ 100: [1] })
    plantProcess(2, 400)
    now = 3
    expect(grouped(scan.scan())).toEqual({ 100: [1], 400: [2] })
  })

  it('leaves out a process whose link cannot be read, and reads it again on the next scan', () => {
    plantProcess(1, 100)
    mkdirSync(join(procRoot, '2'))
    const scan = scanner()
    expect(grouped(scan.scan())).toEqual({ 100: [1] })
    plantProcess(2, 100)
    now = 1
    expect(grouped(scan.scan())).toEqual({ 100: [1, 2] })
  })

  it('tells whether a process is still inside a namespace, and reads a process found to have moved again', () => {
    plantProcess(1, 100)
    plantProcess(2, 100)
    const scan = scanner()
    scan.scan()
    now = 1
    scan.scan()
    plantProcess(2, 300)
    expect(scan.isInside(2, 100)).toBe(false)
    expect(scan.isInside(2, 300)).toBe(true)
    unlinkSync(join(procRoot, '1', 'ns', 'net'))
    expect(scan.isInside(1, 100)).toBe(false)
    now = 2
    expect(grouped(scan.scan())).toEqual({ 300: [2] })
  })
})
