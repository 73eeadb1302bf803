/**
 * The netlink engine against the references it replaces, on the same sockets in the same run:
 * - TCP table reads at 10k and 50k loopback sockets (held by several child processes, for the
 *   20k fd limit): a netlink dump of IPv4 and IPv6 against `ss -tan` and against reading and
 *   parsing /proc/net/tcp and tcp6 with the existing parser; then a dump with tcp_info,
 *   congestion and memory against `ss -tainm`. ss times include starting the ss process and
 *   printing, which is what "ask ss" costs a caller.
 * - Close events under a churn of 1,000 connections a second for 5 s, while the same event loop
 *   dumps every table once a second (what the app's poll does): the share of connection ends
 *   logged and the losses reported, with sockscope's raised receive buffer and with the kernel's
 *   default one.
 *
 * The engine and the /proc parser are timed from a bundle made like the app's build, not through
 * the TypeScript runner, whose per-import shims would otherwise dominate the decoders' time.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import type { InetDiagSocket } from '../../electron/backend/platform/linux/netlink/inet-diag'
import type { SocketDiagnostics } from '../../electron/backend/platform/linux/netlink/socket-diagnostics'
import { bundleForOtherUsers, makeSharedFolder } from '../support/other-user'
import { startProgram, stopPrograms } from '../support/test-programs'
import { medianMs, ratio } from './support/statistics'
import { elementAt } from '../../shared/element-at'

type Engine = typeof import('./support/netlink-engine-entry')

const run = promisify(execFile)
/** Both ends of each connection live in the holder: two fds per connection, under the 20k limit. */
const CONNECTIONS_PER_HOLDER = 5000
const SAMPLES = 7
const CHURN_RATE = 1000
const CHURN_SECONDS = 5
/** The churn is split over two programs, so one busy event loop does not cap the rate. */
const CHURN_PROGRAMS = 2
/** net.core.rmem_default on Debian: what a socket gets unless it asks (and what `ss -E` uses). */
const KERNEL_DEFAULT_RECEIVE_BUFFER = 212_992

async function holdConnections(connections: number): Promise<void> {
  const holders: Promise<unknown>[] = []
  for (let remaining = connections; remaining > 0; remaining -= CONNECTIONS_PER_HOLDER) {
    holders.push(startProgram('steady-server.js', [String(Math.min(CONNECTIONS_PER_HOLDER, remaining))]))
  }
  await Promise.all(holders)
}

/** Bundles the engine into a temporary folder with a copy of koffi beside it, and loads it. */
async function loadEngine(): Promise<{ engine: Engine; remove(): Promise<void> }> {
  const folder = await makeSharedFolder('sockscope-netlink-bench')
  const bundle = await bundleForOtherUsers(join(__dirname, 'support/netlink-engine-entry.ts'), folder.path, ['koffi'])
  return { engine: createRequire(__filename)(bundle) as Engine, remove: folder.remove }
}

function dumpTcp(diagnostics: SocketDiagnostics, extensions: number): number {
  return diagnostics.dumpInet({ family: 4, protocol: 'tcp', extensions }).sockets.length + diagnostics.dumpInet({ family: 6, protocol: 'tcp', extensions }).sockets.length
}

async function parseProcTcp({ parseInetTable }: Engine): Promise<number> {
  const [tcp, tcp6] = await Promise.all([readFile('/proc/net/tcp', 'utf8'), readFile('/proc/net/tcp6', 'utf8')])
  return (
    parseInetTable(tcp, { source: '/proc/net/tcp', protocol: 'tcp', family: 4 }).rows.length +
    parseInetTable(tcp6, { source: '/proc/net/tcp6', protocol: 'tcp', family: 6 }).rows.length
  )
}

async function benchmarkDumps(engine: Engine, report: (line: string) => void): Promise<void> {
  const { INET_DIAG_EXTENSIONS } = engine
  const diagnostics = engine.SocketDiagnostics.open()
  const withInfo = INET_DIAG_EXTENSIONS.tcpInfo | INET_DIAG_EXTENSIONS.congestion | INET_DIAG_EXTENSIONS.memory
  const ss = (flags: string) => () => run('ss', [flags], { maxBuffer: 1024 * 1024 * 1024 })
  report('TCP sockets  netlink (ms)  ss -tan (ms)  /proc parse (ms)  vs ss  vs /proc  |  netlink +tcp_info (ms)  ss -tainm (ms)  vs ss')
  try {
    for (const connections of [5_000, 25_000]) {
      await holdConnections(connections)
      try {
        const sockets = dumpTcp(diagnostics, 0)
        // Warm every path up first, so the first one timed does not pay for compiling the decoders.
        for (let round = 0; round < 3; round++) {
          dumpTcp(diagnostics, 0)
          dumpTcp(diagnostics, withInfo)
          await parseProcTcp(engine)
        }
        const plain = await medianMs(SAMPLES, () => dumpTcp(diagnostics, 0))
        const ssPlain = await medianMs(SAMPLES, ss('-tan'))
        const proc = await medianMs(SAMPLES, () => parseProcTcp(engine))
        const detailed = await medianMs(SAMPLES, () => dumpTcp(diagnostics, withInfo))
        const ssDetailed = await medianMs(SAMPLES, ss('-tainm'))
        report(
          `${String(sockets).padStart(11)}  ${plain.toFixed(1).padStart(12)}  ${ssPlain.toFixed(1).padStart(12)}  ${proc.toFixed(1).padStart(16)}  ` +
            `${ratio(plain, ssPlain).padStart(5)}  ${ratio(plain, proc).padStart(7)}  |  ${detailed.toFixed(1).padStart(22)}  ${ssDetailed.toFixed(1).padStart(14)}  ${ratio(detailed, ssDetailed).padStart(5)}`
        )
      } finally {
        await stopPrograms()
      }
    }
  } finally {
    diagnostics.close()
  }
}

/** Starts the churn program and resolves with its port at once and its summary when it ends. */
async function startChurn(count: number, rate: number): Promise<{ port: number; finished: Promise<{ elapsedMs: number }> }> {
  const { child, ready } = await startProgram('connection-churn.js', [String(count), String(rate)])
  const finished = new Promise<{ elapsedMs: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { done?: boolean; elapsedMs?: number }
      if (message.done) resolve({ elapsedMs: message.elapsedMs! })
    })
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the churn exited with ${code}`))))
  })
  return { port: Number(ready.port), finished }
}

async function benchmarkCloseEvents({ CloseEventSubscription, SocketDiagnostics }: Engine, report: (line: string) => void): Promise<void> {
  const count = CHURN_RATE * CHURN_SECONDS
  const subscriptions = [
    { name: 'sockscope (8 MiB asked)', subscription: CloseEventSubscription.start() },
    { name: 'kernel default buffer', subscription: CloseEventSubscription.start({ receiveBufferBytes: KERNEL_DEFAULT_RECEIVE_BUFFER / 2 }) }
  ]
  const heard = subscriptions.map(() => [] as InetDiagSocket[])
  subscriptions.forEach(({ subscription }, index) => subscription.on('closed', (batch) => elementAt(heard, index).push(...batch.sockets)))
  const diagnostics = SocketDiagnostics.open()
  let polls = 0
  const poll = setInterval(() => {
    diagnostics.dumpAll()
    polls++
  }, 1000)
  try {
    const churns = await Promise.all(Array.from({ length: CHURN_PROGRAMS }, () => startChurn(count / CHURN_PROGRAMS, CHURN_RATE / CHURN_PROGRAMS)))
    const elapsedMs = Math.max(...(await Promise.all(churns.map((churn) => churn.finished))).map((summary) => summary.elapsedMs))
    const ports = new Set(churns.map((churn) => churn.port))
    // The last closes finish in the kernel just after the programs report.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const expected = 2 * count
    report(
      `close events: ${count} connections in ${(elapsedMs / 1000).toFixed(1)} s (${Math.round((count * 1000) / elapsedMs)}/s), ${expected} connection ends, ${polls} full dumps meanwhile`
    )
    subscriptions.forEach(({ name, subscription }, index) => {
      const ours = elementAt(heard, index).filter((socket) => ports.has(socket.remotePort) || (ports.has(socket.localPort) && socket.remotePort !== 0)).length
      const stats = subscription.stats()
      report(
        `  ${name.padEnd(24)} buffer ${(stats.receiveBufferBytes / 1024).toFixed(0).padStart(6)} KiB: logged ${ours}/${expected} ` +
          `(${((100 * ours) / expected).toFixed(1)}%), lost reported ${stats.lost} in ${stats.overflows} overflows`
      )
    })
  } finally {
    clearInterval(poll)
    diagnostics.close()
    for (const { subscription } of subscriptions) subscription.close()
    await stopPrograms()
  }
}

/** Prints the dump ratios at 10k and 50k sockets, then the close-event coverage. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  const { engine, remove } = await loadEngine()
  try {
    await benchmarkDumps(engine, report)
    await benchmarkCloseEvents(engine, report)
  } finally {
    await remove()
  }
}
