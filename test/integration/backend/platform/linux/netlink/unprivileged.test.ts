/*
 * The netlink engine run as `nobody`: sock_diag dumps and the destroy multicast groups need no
 * privilege, closing a socket and entering a namespace do. The probe is bundled with vite (koffi
 * left external, as the app's own build leaves it) into a world-readable temporary folder with a
 * copy of koffi, because the checkout itself may sit in a folder only root can enter.
 */
import { execFile, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleForNode } from '../../../../../support/bundle-for-node'

const run = promisify(execFile)
const isRoot = process.getuid?.() === 0
const hasNobody = spawnSync('id', ['-u', 'nobody']).status === 0 && spawnSync('setpriv', ['--version']).status === 0
const projectRoot = resolve(__dirname, '../../../../../..')

describe.skipIf(!isRoot || !hasNobody || process.platform !== 'linux')('the netlink engine as nobody', () => {
  let directory = ''
  let rootListener: Server
  let rootPort = 0

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'sockscope-netlink-nobody-'))
    chmodSync(directory, 0o755)
    await bundleForNode(join(projectRoot, 'test/support/netlink/unprivileged-probe.ts'), join(directory, 'probe.cjs'))
    // koffi and its prebuilt binary for this platform.
    cpSync(join(projectRoot, 'node_modules/koffi'), join(directory, 'node_modules/koffi'), { recursive: true })
    for (const name of readdirSync(join(projectRoot, 'node_modules/@koromix'))) {
      cpSync(join(projectRoot, 'node_modules/@koromix', name), join(directory, 'node_modules/@koromix', name), { recursive: true })
    }
    rootListener = createServer()
    await new Promise<void>((done) => rootListener.listen(0, '127.0.0.1', done))
    rootPort = (rootListener.address() as { port: number }).port
  }, 60_000)

  afterAll(async () => {
    await new Promise<void>((done) => rootListener.close(() => done()))
    rmSync(directory, { recursive: true, force: true })
  })

  it('dumps every table, hears its own closes, and is told exactly what it may not do', async () => {
    const { stdout } = await run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, join(directory, 'probe.cjs'), String(rootPort)], {
      cwd: directory,
      timeout: 30_000
    })
    const seen = JSON.parse(stdout) as {
      uid: number
      inetSockets: number
      unixSockets: number
      unavailable: string[]
      rootListener: { uid: number; inode: number; tcpInfo: boolean } | null
      ownCloseEvents: { localPort: number; bytesSent: number | null }[]
      closePort: number
      destroy: { closed: boolean; reason?: string; message?: string } | null
      namespaceError: string
      receiveBufferBytes: number
    }
    expect(seen.uid).toBe(65534)
    // Other users' sockets are visible with their uid and TCP internals.
    expect(seen.rootListener).toMatchObject({ uid: 0, tcpInfo: true })
    expect(seen.rootListener!.inode).toBeGreaterThan(0)
    expect(seen.inetSockets).toBeGreaterThan(1)
    expect(seen.unixSockets).toBeGreaterThan(0)
    expect(seen.unavailable.every((table) => table === 'raw' || table === 'raw6')).toBe(true)
    // Both ends of its own connection, the client having sent five bytes.
    expect(seen.ownCloseEvents).toHaveLength(2)
    expect(seen.ownCloseEvents.find((event) => event.localPort !== seen.closePort)?.bytesSent).toBe(5)
    expect(seen.destroy).toEqual({
      closed: false,
      reason: 'needs-cap-net-admin',
      code: 'EPERM',
      message: 'closing a connection needs CAP_NET_ADMIN (run sockscope as root)'
    })
    expect(seen.namespaceError).toBe('entering network namespace /proc/self/ns/net needs CAP_SYS_ADMIN (run as root)')
    // Without SO_RCVBUFFORCE the buffer stops at net.core.rmem_max (the kernel reports it doubled).
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'))
    expect(seen.receiveBufferBytes).toBe(Math.min(2 * rmemMax, 2 * 8 * 1024 * 1024))
  })
})
