/**
 * A loopback TCP connection whose bytes the test knows: the client sends `clientBytes`, the
 * server `serverBytes`, and the promise resolves once each side has received all of the other's.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** Both ends of a connection and what went over it. */
export interface KnownConnection {
  readonly server: Server
  readonly client: Socket
  readonly accepted: Socket
  readonly serverPort: number
  readonly clientPort: number
  readonly clientBytes: number
  readonly serverBytes: number
  /** Destroys both ends and the listener. */
  close(): Promise<void>
}

/** Opens the connection on `host` and exchanges the bytes. */
export async function openKnownConnection(clientBytes: number, serverBytes: number, host = '127.0.0.1'): Promise<KnownConnection> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const serverPort = (server.address() as { port: number }).port
  const acceptedPromise = new Promise<Socket>((resolve) => server.once('connection', resolve))
  const client = await new Promise<Socket>((resolve, reject) => {
    const socket = createConnection({ port: serverPort, host }, () => resolve(socket))
    socket.once('error', reject)
  })
  const accepted = await acceptedPromise
  for (const socket of [client, accepted]) socket.on('error', () => {})
  const received = (socket: Socket, expected: number): Promise<void> =>
    new Promise((resolve) => {
      let count = 0
      if (expected === 0) resolve()
      socket.on('data', (data: Buffer) => {
        count += data.length
        if (count >= expected) resolve()
      })
    })
  const clientGotAll = received(client, serverBytes)
  const serverGotAll = received(accepted, clientBytes)
  if (clientBytes > 0) client.write(Buffer.alloc(clientBytes, 0x41))
  if (serverBytes > 0) accepted.write(Buffer.alloc(serverBytes, 0x42))
  await Promise.all([clientGotAll, serverGotAll])
  return {
    server,
    client,
    accepted,
    serverPort,
    clientPort: client.localPort!,
    clientBytes,
    serverBytes,
    close: async () => {
      client.destroy()
      accepted.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/**
 * Whether the connection still carries bytes: the client writes `ping` and the accepted end
 * reads it within five seconds. False at once for an end that was already destroyed.
 */
export async function carriesBytes(connection: KnownConnection): Promise<boolean> {
  if (connection.client.destroyed || connection.accepted.destroyed) return false
  const arrived = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5_000)
    connection.accepted.once('data', (data: Buffer) => {
      clearTimeout(timer)
      resolve(data.toString() === 'ping')
    })
  })
  connection.client.write('ping')
  return arrived
}
