/*
 * `list --json`'s row writer on the rows this machine's socket readers make (netlink and the /proc
 * fallback): the same text as `JSON.stringify`, so the key order and shapes providers give are
 * the ones the writer writes.
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { socketJson } from '../../../electron/cli/socket-json'
import { LinuxPlatform } from '../../../electron/backend/platform/linux/linux-platform'

describe.skipIf(process.platform !== 'linux')('socketJson on real socket tables', () => {
  it('writes the rows this machine’s readers make as JSON.stringify does', async () => {
    // A connection of this test's own, so the tables hold at least one TCP row with tcp_info.
    const server = net.createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
    await new Promise((done) => client.once('connect', done))
    try {
      for (const socketReader of ['netlink', 'proc'] as const) {
        const platform = new LinuxPlatform({ socketReader })
        try {
          const { sockets } = await platform.sockets.read({ withProcesses: true, tcpInfo: true })
          expect(sockets.some((socket) => socket.localPort === client.localPort)).toBe(true)
          if (socketReader === 'netlink') expect(sockets.some((socket) => socket.tcpInfo !== null)).toBe(true)
          for (const socket of sockets) expect(socketJson(socket)).toBe(JSON.stringify(socket))
        } finally {
          platform.dispose()
        }
      }
    } finally {
      client.destroy()
      await new Promise((done) => server.close(done))
    }
  })
})
