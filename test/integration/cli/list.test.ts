/**
 * `sockscope list` from the build, checked against `ss` run at the same moment on sockets this
 * test owns: a listener, a UDP socket, and a listener held by a child process.
 */
import { execFile } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { MAXIMUM_QUERY_NESTING } from '../../../shared/query/query-parser'
import { runBuiltCli } from '../../support/built-cli'
import { startProgram, stopPrograms } from '../../support/test-programs'
import { elementAt } from '../../../shared/element-at'

const run = promisify(execFile)

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
  const listed = await runBuiltCli('list', '--json', '--no-resolve', ...extra)
  if (listed.code !== 0) throw new Error(`sockscope list exited with ${listed.code}: ${listed.stderr}`)
  return JSON.parse(listed.stdout) as ListedSocket[]
}

/** The one listed row with these fields; fails when there is none or more than one. */
function onlyRow(listed: readonly ListedSocket[], fields: Partial<ListedSocket>): ListedSocket {
  const matching = listed.filter((socket) => Object.entries(fields).every(([key, value]) => socket[key as keyof ListedSocket] === value))
  expect(matching, JSON.stringify(fields)).toHaveLength(1)
  return elementAt(matching, 0)
}

describe('sockscope list', () => {
  it('agrees with ss on a TCP listener, a UDP socket and a child-owned listener', async () => {
    const server = createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
    const tcpPort = (server.address() as { port: number }).port
    const udp = createSocket('udp6')
    await new Promise<void>((done) => udp.bind(0, '::1', () => done()))
    const udpPort = udp.address().port
    // A listener held by another process: the closing server only ever listens here.
    const child = await startProgram('closing-server.js')
    const childPort = Number(child.ready.port)
    try {
      const listed = await listJson('--filter', `port:${tcpPort} or port:${udpPort} or port:${childPort}`)
      const { stdout: ssTcp } = await run('ss', ['-tlnpeH', `( sport = :${tcpPort} or sport = :${childPort} )`])
      const { stdout: ssUdp } = await run('ss', ['-ulnpeH', `sport = :${udpPort}`])

      // Rows are told apart by their whole identity: another socket (a TIME_WAIT left by another
      // test, a connection to a listener that used the same port) may share a port number.
      const tcp = onlyRow(listed, { protocol: 'tcp', localAddress: '127.0.0.1', localPort: tcpPort, state: 'LISTEN' })
      expect(tcp).toMatchObject({ protocol: 'tcp', family: 4, localAddress: '127.0.0.1', state: 'LISTEN', pid: process.pid, remoteAddress: '0.0.0.0', remotePort: 0 })
      expect(ssTcp).toContain(`127.0.0.1:${tcpPort}`)
      expect(ssTcp).toContain(`pid=${process.pid},`)

      const udpRow = onlyRow(listed, { protocol: 'udp', localAddress: '::1', localPort: udpPort })
      expect(udpRow).toMatchObject({ protocol: 'udp', family: 6, localAddress: '::1', state: 'UNCONN', pid: process.pid })
      expect(ssUdp).toContain(`[::1]:${udpPort}`)
      expect(ssUdp).toMatch(/^UNCONN/)

      const childRow = onlyRow(listed, { protocol: 'tcp', localAddress: '127.0.0.1', localPort: childPort, state: 'LISTEN' })
      expect(childRow).toMatchObject({ protocol: 'tcp', state: 'LISTEN', pid: child.pid, process: 'node' })
      expect(ssTcp).toContain(`pid=${child.pid},`)
      for (const socket of [tcp, udpRow, childRow]) {
        expect(ssTcp + ssUdp).toMatch(new RegExp(`:${socket.localPort}\\b`))
        expect(ssTcp + ssUdp).toContain(`ino:${socket.inode} `)
        expect(socket.uid).toBe(process.getuid?.())
      }
    } finally {
      await stopPrograms()
      server.close()
      udp.close()
    }
  })

  it('exits 2 with a clear message on a bad filter or an unknown option', async () => {
    const bad = await runBuiltCli('list', '--filter', 'port:99999')
    expect(bad).toMatchObject({ code: 2 })
    expect(bad.stderr).toContain('65535')
    const unknown = await runBuiltCli('list', '--bogus')
    expect(unknown).toMatchObject({ code: 2 })
    expect(unknown.stderr).toContain('--bogus')
  })

  it('exits 2 with a located message on a filter nested thousands deep', async () => {
    const nested = await runBuiltCli('list', '--filter', '('.repeat(10_000) + 'port:80' + ')'.repeat(10_000))
    expect(nested.code).toBe(2)
    expect(nested.stderr).toContain(`bad --filter: nested too deeply at ${MAXIMUM_QUERY_NESTING + 1}`)
    expect(nested.stderr).not.toContain('Maximum call stack')
  })

  it('prints help for every command', async () => {
    const { code, stdout } = await runBuiltCli('--help')
    expect(code).toBe(0)
    const names = [...stdout.matchAll(/^ {2}(\S+) {2}/gm)].map((match) => elementAt(match, 1))
    expect(names).toContain('list')
    expect(names).toContain('serve')
    for (const name of names) {
      const help = await runBuiltCli(name, '--help')
      expect(help.code, name).toBe(0)
      expect(help.stdout).toContain(`sockscope ${name}`)
    }
  })
})
