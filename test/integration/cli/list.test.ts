/**
 * `sockscope list` from the build, checked against `ss` run at the same moment on sockets this
 * test owns: a listener, a UDP socket, and a listener held by a child process.
 */
import { execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const cli = resolve(__dirname, '../../../out/main/cli.js')

interface ListedSocket {
  protocol: string
  family: number | null
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  state: string
  inode: number
  uid: number
  pid: number | null
  process: string | null
  command: string | null
  recvQueue: number
  sendQueue: number
}

async function listJson(...extra: string[]): Promise<ListedSocket[]> {
  const { stdout } = await run(process.execPath, [cli, 'list', '--json', '--no-resolve', ...extra], { maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout) as ListedSocket[]
}

describe('sockscope list', () => {
  it('agrees with ss on a TCP listener, a UDP socket and a child-owned listener', async () => {
    const server = createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
    const tcpPort = (server.address() as { port: number }).port
    const udp = createSocket('udp6')
    await new Promise<void>((done) => udp.bind(0, '::1', () => done()))
    const udpPort = udp.address().port
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(0,'127.0.0.1',function(){console.log(this.address().port)})"], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const childPort = Number(await new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(chunk.toString()))))
    try {
      const listed = await listJson('--filter', `port:${tcpPort} or port:${udpPort} or port:${childPort}`)
      const { stdout: ssTcp } = await run('ss', ['-tlnpH', `( sport = :${tcpPort} or sport = :${childPort} )`])
      const { stdout: ssUdp } = await run('ss', ['-ulnpH', `sport = :${udpPort}`])

      const tcp = listed.find((socket) => socket.localPort === tcpPort)
      expect(tcp).toMatchObject({ protocol: 'tcp', family: 4, localAddress: '127.0.0.1', state: 'LISTEN', pid: process.pid, remoteAddress: '0.0.0.0', remotePort: 0 })
      expect(ssTcp).toContain(`127.0.0.1:${tcpPort}`)
      expect(ssTcp).toContain(`pid=${process.pid},`)

      const udpRow = listed.find((socket) => socket.localPort === udpPort)
      expect(udpRow).toMatchObject({ protocol: 'udp', family: 6, localAddress: '::1', state: 'UNCONN', pid: process.pid })
      expect(ssUdp).toContain(`[::1]:${udpPort}`)
      expect(ssUdp).toMatch(/^UNCONN/)

      const childRow = listed.find((socket) => socket.localPort === childPort)
      expect(childRow).toMatchObject({ protocol: 'tcp', state: 'LISTEN', pid: child.pid, process: 'node' })
      expect(ssTcp).toContain(`pid=${child.pid},`)
      for (const socket of [tcp, udpRow, childRow]) {
        expect(ssTcp + ssUdp).toMatch(new RegExp(`:${socket?.localPort}\\b`))
        expect(typeof socket?.inode).toBe('number')
        expect(socket?.uid).toBe(process.getuid?.())
      }
    } finally {
      child.kill()
      server.close()
      udp.close()
    }
  })

  it('exits 2 with a clear message on a bad filter or an unknown option', async () => {
    const bad = await run(process.execPath, [cli, 'list', '--filter', 'port:99999']).catch((error: { code: number; stderr: string }) => error)
    expect(bad).toMatchObject({ code: 2 })
    expect((bad as { stderr: string }).stderr).toContain('65535')
    const unknown = await run(process.execPath, [cli, 'list', '--bogus']).catch((error: { code: number; stderr: string }) => error)
    expect(unknown).toMatchObject({ code: 2 })
    expect((unknown as { stderr: string }).stderr).toContain('--bogus')
  })

  it('prints help for every command', async () => {
    const { stdout } = await run(process.execPath, [cli, '--help'])
    const names = [...stdout.matchAll(/^ {2}(\S+) {2}/gm)].map((match) => match[1])
    expect(names).toContain('list')
    expect(names).toContain('serve')
    for (const name of names) {
      const help = await run(process.execPath, [cli, name, '--help'])
      expect(help.stdout).toContain(`sockscope ${name}`)
    }
  })
})
