/**
 * Reading every network namespace: ten namespaces made for the bench (`ip netns add`), each with a
 * process holding 500 loopback connections (1,000 sockets), read with owners through netlink
 * (entering each namespace) and through /proc/PID/net, against `ss -tanp` run at home and under
 * `ip netns exec` in each namespace, summed. Also what the other namespaces add to a read of the
 * home one alone. Needs root and `ip`; the namespaces are deleted afterwards.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { LinuxPlatform } from '../../electron/backend/platform/linux/linux-platform'
import { medianMs, ratio } from './support/statistics'

const run = promisify(execFile)
const NAMESPACES = 10
const CONNECTIONS_PER_NAMESPACE = 500
const STEADY_SERVER = join(__dirname, '../fixtures/programs/steady-server.js')

/** Starts a process holding quiet connections inside a namespace and waits until they are open. */
function holdConnectionsIn(namespace: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, STEADY_SERVER, String(CONNECTIONS_PER_NAMESPACE), '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`the holder in ${namespace} exited with ${code}`)))
  })
}

/** Prints the read time of every namespace against ss summed over them. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) {
    report('skipped: entering network namespaces needs root')
    return
  }
  const prefix = `sockscope-bench-${randomBytes(3).toString('hex')}`
  const namespaces = Array.from({ length: NAMESPACES }, (_, index) => `${prefix}-${index}`)
  const holders: ChildProcess[] = []
  const made: string[] = []
  try {
    for (const namespace of namespaces) {
      execFileSync('ip', ['netns', 'add', namespace])
      made.push(namespace)
      execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
      holders.push(await holdConnectionsIn(namespace))
    }
    const options = { maxBuffer: 256 * 1024 * 1024 }
    const theirs = await medianMs(5, async () => {
      await run('ss', ['-tanp'], options)
      for (const namespace of namespaces) await run('ip', ['netns', 'exec', namespace, 'ss', '-tanp'], options)
    })
    report(`${NAMESPACES} namespaces × ${2 * CONNECTIONS_PER_NAMESPACE} sockets, with owners      sockscope (ms)  ss -tanp summed (ms)  ratio`)
    for (const socketReader of ['netlink', 'proc'] as const) {
      const platform = new LinuxPlatform({ socketReader })
      try {
        await platform.sockets.read({ withProcesses: true })
        let rows = 0
        const ours = await medianMs(7, async () => (rows = (await platform.sockets.read({ withProcesses: true })).sockets.length))
        report(
          `  every namespace, ${socketReader.padEnd(7)} (${String(rows).padStart(6)} rows)          ${ours.toFixed(1).padStart(14)}  ${theirs.toFixed(1).padStart(20)}  ${ratio(ours, theirs)}`
        )
      } finally {
        platform.dispose()
      }
    }
    const homeOnly = new LinuxPlatform({ socketReader: 'netlink', allNamespaces: false })
    const everyNamespace = new LinuxPlatform({ socketReader: 'netlink' })
    try {
      await homeOnly.sockets.read({ withProcesses: true })
      await everyNamespace.sockets.read({ withProcesses: true })
      const home = await medianMs(7, () => homeOnly.sockets.read({ withProcesses: true }))
      const all = await medianMs(7, () => everyNamespace.sockets.read({ withProcesses: true }))
      report(`  the other namespaces add ${(all - home).toFixed(1)} ms to a ${home.toFixed(1)} ms read of the home namespace (netlink)`)
    } finally {
      homeOnly.dispose()
      everyNamespace.dispose()
    }
  } finally {
    for (const holder of holders) holder.kill('SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (const namespace of made) execFileSync('ip', ['netns', 'del', namespace])
  }
}
