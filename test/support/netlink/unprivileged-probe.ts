/**
 * What the netlink engine can do for a user who is not root, run as `nobody` by the
 * unprivileged integration test (bundled first, since the checkout may be unreadable to nobody).
 *
 * Usage: node probe.cjs ROOT_LISTENER_PORT. Prints one JSON object with what it saw.
 */
import { createConnection, createServer } from 'node:net'
import { CloseEventSubscription } from '../../../electron/backend/platform/linux/netlink/close-events'
import type { InetDiagSocket } from '../../../electron/backend/platform/linux/netlink/inet-diag'
import { SocketDiagnostics } from '../../../electron/backend/platform/linux/netlink/socket-diagnostics'

async function main(): Promise<void> {
  const rootListenerPort = Number(process.argv[2])
  const diagnostics = SocketDiagnostics.open()
  const dump = diagnostics.dumpAll()
  const rootListener = dump.inet.find((socket) => socket.localPort === rootListenerPort && socket.state === 'LISTEN')

  const subscription = CloseEventSubscription.start()
  const closed: InetDiagSocket[] = []
  subscription.on('closed', (batch) => closed.push(...batch.sockets))
  const server = createServer((socket) => {
    socket.on('data', () => {})
    socket.on('end', () => socket.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.end('12345'))
    socket.on('data', () => {})
    socket.on('close', () => resolve())
  })
  const ownEnds = (): InetDiagSocket[] => closed.filter((socket) => socket.remotePort === port || (socket.localPort === port && socket.remotePort !== 0))
  for (let waited = 0; ownEnds().length < 2 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))

  let namespaceError = ''
  try {
    SocketDiagnostics.open({ networkNamespacePath: '/proc/self/ns/net' }).close()
  } catch (error) {
    namespaceError = error instanceof Error ? error.message : String(error)
  }

  console.log(
    JSON.stringify({
      uid: process.getuid?.(),
      inetSockets: dump.inet.length,
      unixSockets: dump.unix.length,
      unavailable: dump.unavailable.map((table) => table.table),
      rootListener: rootListener === undefined ? null : { uid: rootListener.uid, inode: rootListener.inode, tcpInfo: rootListener.tcpInfo !== null },
      ownCloseEvents: ownEnds().map((socket) => ({ localPort: socket.localPort, bytesSent: socket.tcpInfo?.bytesSent ?? null })),
      closePort: port,
      destroy: rootListener === undefined ? null : diagnostics.destroyTcpSocket(rootListener),
      namespaceError,
      receiveBufferBytes: subscription.stats().receiveBufferBytes
    })
  )
  subscription.close()
  diagnostics.close()
  server.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
