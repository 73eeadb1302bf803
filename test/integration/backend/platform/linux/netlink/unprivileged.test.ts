/*
 * The netlink engine run as `nobody`: sock_diag dumps and the destroy multicast groups need no
 * privilege, closing a socket and entering a namespace do. The probe is bundled (koffi left
 * external, as the app's own build leaves it) into a world-readable temporary folder with a copy
 * of koffi, because the checkout itself may sit in a folder only root can enter.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AS_NOBODY, bundleForOtherUsers, canRunAsNobody, makeSharedFolder, type SharedFolder } from '../../../../../support/other-user'

const run = promisify(execFile)
const PROBE = resolve(__dirname, '../../../../../support/netlink/unprivileged-probe.ts')

describe.skipIf(!canRunAsNobody || process.platform !== 'linux')('the netlink engine as nobody', () => {
  let folder: SharedFolder
  let probe = ''
  let rootListener: Server
  let rootPort = 0

  beforeAll(async () => {
    folder = await makeSharedFolder('sockscope-netlink-nobody')
    probe = await bundleForOtherUsers(PROBE, folder.path, ['koffi'])
    rootListener = createServer()
    await new Promise<void>((done) => rootListener.listen(0, '127.0.0.1', done))
    rootPort = (rootListener.address() as { port: number }).port
  }, 60_000)

  afterAll(async () => {
    await new Promise<void>((done) => rootListener.close(() => done()))
    await folder.remove()
  })

  it('dumps every table, hears its own closes, and is told exactly what it may not do', async () => {
    const [command, ...words] = AS_NOBODY
    const { stdout } = await run(command!, [...words, process.execPath, probe, String(rootPort)], { cwd: folder.path, timeout: 30_000 })
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
