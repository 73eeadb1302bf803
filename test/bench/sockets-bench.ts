/**
 * Socket-table read time against `ss -tanup` on the same sockets: 1k and then 10k loopback TCP
 * connections, held by child processes so this process's fd limit is not the bound, for each
 * table reader (netlink, and /proc/net as the fallback); then the backend's CPU time per tick at
 * 10k sockets. Whole processes are timed in `cli-bench.ts`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { SocketMonitor } from '../../electron/backend/sockets/socket-monitor'
import { LinuxPlatform } from '../../electron/backend/platform/linux/linux-platform'
import { medianMs, ratio } from './support/statistics'

const READERS = ['netlink', 'proc'] as const

const run = promisify(execFile)

/** A child that listens and opens `count` connections to itself, then waits. */
const holderSource = `
const net = require('node:net')
const count = Number(process.argv[1])
const kept = []
const server = net.createServer((socket) => kept.push(socket))
server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port
  for (let opened = 0; opened < count; ) {
    const batch = Math.min(200, count - opened)
    await Promise.all(Array.from({ length: batch }, () => new Promise((done, fail) => {
      const socket = net.connect(port, '127.0.0.1', () => done())
      socket.on('error', fail)
      kept.push(socket)
    })))
    opened += batch
  }
  process.stdout.write('ready\\n')
})
`

/** Child processes holding `total` loopback connections (two sockets each) until killed. */
export async function holdConnections(total: number): Promise<ChildProcess[]> {
  // Each connection costs two fds (both ends), so 4,000 connections per child stays under 20k fds.
  const perChild = 4000
  const children: ChildProcess[] = []
  for (let remaining = total; remaining > 0; remaining -= perChild) {
    const child = spawn(process.execPath, ['-e', holderSource, String(Math.min(perChild, remaining))], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    await new Promise<void>((done, fail) => {
      child.stdout?.once('data', () => done())
      child.once('exit', (code) => fail(new Error(`holder exited with ${code}`)))
    })
  }
  return children
}

/** Prints the snapshot-vs-ss comparison for 1k and 10k connections. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  const providers = READERS.map((reader) => [reader, new LinuxPlatform({ socketReader: reader }).sockets] as const)
  report('connections  reader   sockscope snapshot (ms)  ss -tanup (ms)  ratio')
  for (const connections of [1000, 10_000]) {
    const children = await holdConnections(connections)
    try {
      const theirs = await medianMs(7, () => run('ss', ['-tanup'], { maxBuffer: 256 * 1024 * 1024 }))
      for (const [reader, provider] of providers) {
        await provider.read({ withProcesses: true })
        const ours = await medianMs(7, () => provider.read({ withProcesses: true }))
        report(`${String(connections).padStart(11)}  ${reader.padEnd(7)}  ${ours.toFixed(1).padStart(23)}  ${theirs.toFixed(1).padStart(14)}  ${ratio(ours, theirs)}`)
      }
      if (connections === 10_000) {
        for (const [reader, provider] of providers) {
          const monitor = new SocketMonitor(provider, { intervalMs: 1000 })
          await monitor.refresh()
          const ticks = 10
          const before = process.cpuUsage()
          for (let tick = 0; tick < ticks; tick++) await monitor.refresh()
          const used = process.cpuUsage(before)
          const sockets = monitor.current().sockets.length
          report(`backend CPU per tick at ${sockets} sockets, ${reader}: ${((used.user + used.system) / 1000 / ticks).toFixed(1)} ms (read + diff)`)
        }
      }
    } finally {
      for (const child of children) child.kill()
    }
  }
}
