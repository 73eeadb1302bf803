/**
 * Real loopback traffic and a reference capture with tcpdump, for the live capture tests.
 * Everything binds to 127.0.0.1 and picks its ports with port 0.
 */
import { execFile, spawn } from 'node:child_process'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { promisify } from 'node:util'
import { elementAt } from '../../../../shared/element-at'

const execFileAsync = promisify(execFile)

/** True when the tests can open interfaces: root here; the privileged tests skip otherwise. */
export const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** A running tcpdump writing a pcap file. */
export interface ReferenceCapture {
  /** Stops it with SIGINT, the way a user does, and waits until the file is complete. */
  stop(): Promise<void>
}

/** Starts `tcpdump -i lo -U -w path filter` and resolves once it says it is listening. */
export async function startTcpdump(filter: string, path: string): Promise<ReferenceCapture> {
  // Immediate mode, so SIGINT does not lose packets still waiting in a kernel block; a 32 MiB
  // buffer, because immediate mode gives each packet a whole snaplen-sized slot.
  const tcpdumpArguments = ['--immediate-mode', '-B', '32768', '-i', 'lo', '-n', '-U', '-w', path, filter]
  const child = spawn('tcpdump', tcpdumpArguments, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start listening: ${stderr}`)), 10_000)
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text: string) => {
      stderr += text
      if (stderr.includes('listening on lo')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`tcpdump exited with ${code}: ${stderr}`))
    })
  })
  return {
    async stop() {
      const exited = once(child, 'exit')
      child.kill('SIGINT')
      await exited
    }
  }
}

/** How many packets a pcap or pcapng file holds, counted by tcpdump itself. */
export async function countPacketsWithTcpdump(path: string): Promise<number> {
  const { stdout } = await execFileAsync('tcpdump', ['-n', '-r', path], { maxBuffer: 64 * 1024 * 1024 })
  return stdout.split('\n').filter((line) => line.trim() !== '').length
}

/** A TCP listener and a UDP socket bound to the same loopback port. */
export interface LoopbackPeers {
  readonly port: number
  readonly tcpServer: Server
  readonly udpServer: UdpSocket
  /** Bytes the TCP server received, per connection, in order. */
  readonly tcpReceived: number[]
  close(): Promise<void>
}

/** Opens a TCP listener on port 0, then a UDP socket on the same port (retrying if UDP has it taken). */
export async function openLoopbackPeers(): Promise<LoopbackPeers> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcpReceived: number[] = []
    const tcpServer = createServer((socket) => {
      const slot = tcpReceived.push(0) - 1
      socket.on('data', (chunk) => {
        tcpReceived[slot] = elementAt(tcpReceived, slot) + chunk.length
        // Acknowledge each write with one byte, so every write is its own segment.
        socket.write('k')
      })
      socket.on('end', () => socket.end())
    })
    tcpServer.listen(0, '127.0.0.1')
    await once(tcpServer, 'listening')
    const port = (tcpServer.address() as { port: number }).port
    const udpServer = createSocket('udp4')
    try {
      await new Promise<void>((resolve, reject) => {
        udpServer.once('error', reject)
        udpServer.bind(port, '127.0.0.1', () => resolve())
      })
    } catch {
      udpServer.close()
      tcpServer.close()
      continue
    }
    return {
      port,
      tcpServer,
      udpServer,
      tcpReceived,
      async close() {
        udpServer.close()
        await new Promise<void>((resolve) => tcpServer.close(() => resolve()))
      }
    }
  }
  throw new Error('could not find a port free for both TCP and UDP')
}

/**
 * Sends `sizes.length` datagrams to 127.0.0.1:port; datagram i has sizes[i] bytes, starting with
 * firstNumber + i as 16 bits when it has room.
 */
export async function sendDatagrams(port: number, sizes: readonly number[], firstNumber = 0): Promise<void> {
  const client = createSocket('udp4')
  for (const [index, size] of sizes.entries()) {
    const payload = Buffer.alloc(size, 0x61)
    if (payload.length >= 2) payload.writeUInt16BE((firstNumber + index) % 65536, 0)
    await new Promise<void>((resolve, reject) => client.send(payload, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
  }
  await new Promise<void>((resolve) => client.close(() => resolve()))
}

/**
 * Connects to 127.0.0.1:port, writes each of `sizes` and waits for the server's one-byte answer
 * before the next, then closes both ways and waits until the connection is fully gone.
 */
export async function tcpExchange(port: number, sizes: readonly number[]): Promise<{ readonly clientPort: number }> {
  const socket: Socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const clientPort = socket.localPort as number
  for (const size of sizes) {
    socket.write(Buffer.alloc(size, 0x62))
    await once(socket, 'data')
  }
  socket.end()
  await once(socket, 'close')
  return { clientPort }
}

/** The shared poll helper, also offered here for the capture tests that import it with the traffic helpers. */
export { waitFor } from '../../../support/wait-for'
