/*
 * Closing a connection by the row the user saw: the kernel's socket must still have that row's
 * inode, so a connection that closed and whose endpoints another socket took is never closed in
 * its place. Real loopback connections; closing needs root.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { closeTcpConnection } from '../../../../../electron/backend/platform/linux/close-tcp-connection'
import { SocketDiagnostics } from '../../../../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { carriesBytes, openKnownConnection, type KnownConnection } from '../../../../support/netlink/loopback-connection'

const isRoot = process.getuid?.() === 0

describe.skipIf(process.platform !== 'linux' || !isRoot)('closeTcpConnection', () => {
  const opened: KnownConnection[] = []
  afterEach(async () => {
    for (const connection of opened.splice(0)) await connection.close()
  })

  async function clientEnd() {
    const connection = await openKnownConnection(1, 1)
    opened.push(connection)
    const diagnostics = SocketDiagnostics.open()
    try {
      const found = diagnostics.findInetSocket({
        family: 4,
        localAddress: '127.0.0.1',
        localPort: connection.clientPort,
        remoteAddress: '127.0.0.1',
        remotePort: connection.serverPort
      })
      if (found === null || !('inode' in found)) throw new Error('the client end was not found')
      const target = {
        family: 4 as const,
        localAddress: '127.0.0.1',
        localPort: connection.clientPort,
        remoteAddress: '127.0.0.1',
        remotePort: connection.serverPort,
        inode: found.inode
      }
      return { connection, target }
    } finally {
      diagnostics.close()
    }
  }

  it('leaves a socket whose inode is not the one asked for alone, saying another socket has the endpoints', async () => {
    const { connection, target } = await clientEnd()
    expect(closeTcpConnection({ ...target, inode: target.inode + 1 })).toEqual({
      closed: false,
      reason: 'already-gone',
      message: 'the connection closed, and another socket now uses its endpoints'
    })
    expect(await carriesBytes(connection)).toBe(true)
  })

  it('closes the socket with the inode asked for (and one with inode 0 by its endpoints); a second close says it is gone', async () => {
    const { connection, target } = await clientEnd()
    const reset = new Promise<string | undefined>((resolve) => connection.accepted.once('error', (error: NodeJS.ErrnoException) => resolve(error.code)))
    expect(closeTcpConnection(target)).toEqual({ closed: true })
    expect(await reset).toBe('ECONNRESET')
    expect(closeTcpConnection(target)).toEqual({ closed: false, reason: 'already-gone', message: 'the connection no longer exists' })

    const other = await clientEnd()
    expect(closeTcpConnection({ ...other.target, inode: 0 })).toEqual({ closed: true })
  })
})
