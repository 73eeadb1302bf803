/**
 * Real loopback servers for the tests (sockets, probes, e2e), each closed by the test that starts it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { createSocket, type Socket as DatagramSocket, type RemoteInfo } from 'node:dgram'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sleepAtLeast } from './wait-for'

/** A TCP server on 127.0.0.1 with its port, the sockets it accepted and a close function. */
export interface LoopbackTcpServer {
  readonly server: Server
  readonly port: number
  readonly accepted: Socket[]
  close(): Promise<void>
}

/** Start a TCP server on an ephemeral loopback port. */
export async function startTcpServer(onConnection: (socket: Socket) => void = () => {}, host = '127.0.0.1'): Promise<LoopbackTcpServer> {
  const accepted: Socket[] = []
  const server = createServer((socket) => {
    accepted.push(socket)
    socket.on('error', () => {})
    onConnection(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the server has no port')
  return {
    server,
    port: address.port,
    accepted,
    close: async () => {
      for (const socket of accepted) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/**
 * A TCP relay on 127.0.0.1 to `targetPort` that holds each client's first bytes for at least
 * `delayMs` before passing them on, so the first answer the client sees comes that much after
 * its first write (a slow server, as seen from the client).
 */
export async function startDelayingRelay(targetPort: number, delayMs: number): Promise<LoopbackTcpServer> {
  const upstreams: Socket[] = []
  const relay = await startTcpServer((client) => {
    client.once('data', (first: Buffer) => {
      client.pause()
      void sleepAtLeast(delayMs).then(() => {
        const upstream = connect({ host: '127.0.0.1', port: targetPort })
        upstreams.push(upstream)
        upstream.on('error', () => client.destroy())
        client.on('close', () => upstream.destroy())
        upstream.write(first)
        client.pipe(upstream).pipe(client)
      })
    })
  })
  return {
    ...relay,
    close: async () => {
      for (const upstream of upstreams) upstream.destroy()
      await relay.close()
    }
  }
}

/** A loopback TCP port with nothing listening: bound once to learn a free port, then closed. */
export async function closedTcpPort(): Promise<number> {
  const server = await startTcpServer()
  await server.close()
  return server.port
}

/** A UDP socket on 127.0.0.1 with its port and a close function. */
export interface LoopbackUdpServer {
  readonly socket: DatagramSocket
  readonly port: number
  close(): Promise<void>
}

/** Start a UDP server on an ephemeral loopback port. */
export async function startUdpServer(onMessage: (message: Buffer, remote: RemoteInfo, socket: DatagramSocket) => void = () => {}): Promise<LoopbackUdpServer> {
  const socket = createSocket('udp4')
  socket.on('message', (message, remote) => onMessage(message, remote, socket))
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    socket,
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve()))
  }
}

/** A loopback UDP port with nothing bound to it. */
export async function closedUdpPort(): Promise<number> {
  const server = await startUdpServer()
  await server.close()
  return server.port
}

/**
 * Lines of `ss` (the reference socket table) for one protocol and port, with process columns.
 * `listening` selects listening sockets, else established ones.
 */
export async function socketTableLines(protocol: 'tcp' | 'udp', port: number, listening: boolean): Promise<string[]> {
  const flags = `-Hn${protocol === 'tcp' ? 't' : 'u'}${listening ? 'l' : ''}p`
  const filter = listening ? `sport = :${port}` : `dport = :${port}`
  const { stdout } = await promisify(execFile)('ss', [flags, filter])
  return stdout.split('\n').filter((line) => line.trim() !== '')
}
