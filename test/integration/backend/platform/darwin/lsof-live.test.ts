/*
 * The lsof field parser on live output: lsof prints the same `-F` fields on Linux as on macOS, so
 * this runs the real lsof of this machine, with the field list the macOS fallback asks for,
 * against sockets a child process opens on loopback, and checks that every one comes back as
 * opened. (A Python child, because Node reads every socket eagerly and could not leave bytes
 * unread.) What only macOS prints (its state names, a kernel address in `d`) is covered from the
 * documented format in test/unit/backend/platform/darwin/lsof-fields.test.ts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { parseLsofFields } from '../../../../../electron/backend/platform/darwin/lsof-fields'
import { LSOF_ARGUMENTS } from '../../../../../electron/backend/platform/darwin/lsof-table-reader'

const run = promisify(execFile)

/** Opens a listener with one connection waiting to be accepted, a connection with 100 unread bytes, and a connected UDP socket; prints the ports. */
const HOLDER = `
import socket, sys, time
listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(8)
client = socket.create_connection(listener.getsockname()); accepted, _ = listener.accept()
client.sendall(b'x' * 100)
waiting = socket.create_connection(listener.getsockname())
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(('127.0.0.1', 0)); udp.connect(('127.0.0.1', 9))
print(listener.getsockname()[1], client.getsockname()[1], waiting.getsockname()[1], udp.getsockname()[1], flush=True)
time.sleep(60)
`

describe.skipIf(process.platform !== 'linux')('parseLsofFields on live lsof output', () => {
  let child: ChildProcess | null = null
  afterEach(() => {
    child?.kill('SIGKILL')
    child = null
  })

  it('finds a listener with its queue, both ends of a connection with unread bytes, and a connected UDP socket', async () => {
    const holder = spawn('python3', ['-c', HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] })
    child = holder
    // The line may arrive in pieces (an unbuffered Python writes each value apart).
    const line = await new Promise<string>((resolve, reject) => {
      let text = ''
      holder.stdout?.on('data', (data: Buffer) => {
        text += data.toString()
        if (text.includes('\n')) resolve(text)
      })
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)))
    })
    const [listenPort, clientPort, waitingPort, udpPort] = line.trim().split(' ').map(Number)
    const pid = holder.pid ?? 0
    const { stdout } = await run('lsof', [...LSOF_ARGUMENTS, '-a', '-p', String(pid)])
    const { sockets, issues } = parseLsofFields(stdout)
    expect(issues).toEqual([])
    expect(sockets.every((socket) => socket.pid === pid && socket.command === 'python3')).toBe(true)
    const rows = sockets.map((socket) => [socket.protocol, socket.localPort, socket.remotePort, socket.state, socket.recvQueue])
    expect(rows).toEqual([
      ['tcp', listenPort, 0, 'LISTEN', 1],
      ['tcp', clientPort, listenPort, 'ESTABLISHED', 0],
      ['tcp', listenPort, clientPort, 'ESTABLISHED', 100],
      ['tcp', waitingPort, listenPort, 'ESTABLISHED', 0],
      ['udp', udpPort, 9, 'ESTABLISHED', 0]
    ])
    expect(sockets.every((socket) => socket.localAddress === '127.0.0.1')).toBe(true)
  })
})
