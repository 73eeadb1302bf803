/**
 * Packet capture against the reference tools, measured in the same run:
 * (a) live capture of UDP on lo at rising rates, sockscope's backend and tcpdump side by side,
 *     each one's captured/sent ratio and the highest rate each kept without loss;
 * (b) importing a 1M-packet pcapng through the capture domain's import channels (what the UI
 *     does), `read --summary --json` and the display filter over it, as ratios against
 *     `tcpdump -r FILE -nn -q` (the issue's goals: at most 1.0, 0.5 and 0.1), and against
 *     `tshark -r FILE -T fields -e frame.len`;
 * (c) resident memory with those 1M packets held in the capture store;
 * (d) a pcap of 1M distinct UDP conversations: resident memory of the import (what `serve` holds)
 *     and of `sockscope read F --summary --json`, and both times against `tcpdump -r F -nn -q`.
 */
import { execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createBackend, type Backend } from '../../electron/backend'
import { CaptureFileWriter, createCaptureEncoder } from '../../electron/backend/capture/files/capture-file-writer'
import { IMPORT_CHUNK_BYTES } from '../../shared/contract/capture'
import type { RawPacket } from '../../shared/model/packet'
import { startTcpdump } from '../integration/backend/capture/live-traffic'
import { writeManyFlowsCapture } from '../support/capture/many-flows-capture'
import { ethernetFrame, ipv4Packet, udpDatagram } from '../support/capture/packet-builder'
import { ask } from '../support/backend-requests'
import { BUILT_CLI } from '../support/built-cli'
import { waitFor } from '../support/wait-for'
import { ratio } from './support/statistics'
import { elementAt } from '../../shared/element-at'

const run = promisify(execFile)

/** Packets per second tried, two seconds each. */
const RATES = [10_000, 50_000, 100_000, 200_000]
const SECONDS_PER_RATE = 2
const IMPORT_PACKETS = 1_000_000
/** Conversations in the many-conversations file, one packet each. */
const MANY_CONVERSATIONS = 1_000_000
/** Makes this file run the import measurement alone when started as a child process. */
const IMPORT_CHILD_FLAG = '--capture-bench-import'
/** The same for the many-conversations import. */
const CONVERSATIONS_CHILD_FLAG = '--capture-bench-conversations'

/**
 * A sender in its own process, so it does not compete with the capture for this event loop:
 * paces `rate` datagrams a second to the port for `seconds`, then prints how many went out.
 */
const senderSource = `
const dgram = require('node:dgram')
const [port, rate, seconds] = process.argv.slice(1).map(Number)
const socket = dgram.createSocket('udp4')
let delivered = 0
let failed = 0
socket.on('error', () => failed++)
socket.connect(port, '127.0.0.1', () => {
  const payload = Buffer.alloc(64, 0x73)
  const total = rate * seconds
  const started = performance.now()
  let sent = 0
  let elapsed = 0
  const done = (error) => (error ? failed++ : delivered++)
  const finish = () => {
    if (delivered + failed < sent) return setTimeout(finish, 10)
    process.stdout.write(JSON.stringify({ sent: delivered, seconds: elapsed }))
    socket.close()
  }
  const pump = () => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate))
    while (sent < due) { socket.send(payload, done); sent++ }
    if (sent < total && performance.now() - started < seconds * 1000 + 2000) return setImmediate(pump)
    elapsed = (performance.now() - started) / 1000
    finish()
  }
  pump()
})
`

async function sendUdp(port: number, rate: number, seconds: number): Promise<{ sent: number; seconds: number }> {
  const child = spawn(process.execPath, ['-e', senderSource, String(port), String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (text: string) => (output += text))
  await once(child, 'exit')
  return JSON.parse(output) as { sent: number; seconds: number }
}

/** Packets in a capture file, as capinfos counts them. */
async function countWithCapinfos(path: string): Promise<number> {
  const { stdout } = await run('capinfos', ['-M', '-c', path])
  const match = /Number of packets:\s+(\d+)/.exec(stdout)
  return match ? Number(match[1]) : 0
}

/** (a) Loss at rising rates: sockscope's backend and tcpdump capture the same datagrams. */
async function captureRates(report: (line: string) => void, directory: string): Promise<void> {
  const receiver = createSocket('udp4')
  receiver.bind(0, '127.0.0.1')
  await once(receiver, 'listening')
  receiver.on('message', () => undefined)
  const port = receiver.address().port
  const backend = createBackend({ dataDirectory: join(directory, 'data'), resolveNames: false })
  const lossless = { sockscope: 0, tcpdump: 0 }
  report('(a) UDP on lo, 64-byte payloads, 2 s per rate; captured/sent for each tool')
  report('  target pkt/s  sent pkt/s    sent  sockscope  ratio  drops(k/app)   tcpdump  ratio')
  try {
    for (const rate of RATES) {
      const reference = join(directory, `tcpdump-${rate}.pcap`)
      const tcpdump = await startTcpdump(`udp and port ${port}`, reference)
      await ask(backend, 'capture/start', { interface: 'lo', filter: `udp and port ${port}`, bufferSize: 32 * 1024 * 1024 })
      const { sent, seconds } = await sendUdp(port, rate, SECONDS_PER_RATE)
      // Let both drain what the kernel already holds before stopping them.
      await new Promise((resolve) => setTimeout(resolve, 500))
      const status = await ask(backend, 'capture/stop', {})
      await tcpdump.stop()
      const ours = status.counters?.packets ?? 0
      const theirs = await countWithCapinfos(reference)
      const drops = `${status.stats?.droppedByKernel ?? '?'}/${status.stats?.droppedByHelper ?? '?'}`
      if (ours >= sent) lossless.sockscope = Math.max(lossless.sockscope, rate)
      if (theirs >= sent) lossless.tcpdump = Math.max(lossless.tcpdump, rate)
      report(
        `  ${String(rate).padStart(11)}  ${String(Math.round(sent / seconds)).padStart(10)}  ${String(sent).padStart(6)}  ${String(ours).padStart(9)}  ${ratio(ours, sent).padStart(5)}  ${drops.padStart(12)}  ${String(theirs).padStart(8)}  ${ratio(theirs, sent).padStart(5)}`
      )
      await rm(reference, { force: true })
    }
  } finally {
    await backend.dispose()
    receiver.close()
  }
  report(`  highest lossless target rate: sockscope ${lossless.sockscope || 'none'} pkt/s, tcpdump ${lossless.tcpdump || 'none'} pkt/s`)
}

/** One Ethernet/IPv4/UDP frame from 127.0.0.1:40000 to 127.0.0.2:53 with a 32-byte payload; copies are patched per packet. */
const UDP_TEMPLATE = ethernetFrame(0x0800, ipv4Packet({ protocol: 17, payload: udpDatagram(40_000, 53, new Uint8Array(32)) }))
/** Where the source port and the payload start in the template. */
const SOURCE_PORT_OFFSET = 14 + 20
const PAYLOAD_OFFSET = 14 + 20 + 8

/** The template with a source port out of 50 and `index` at the start of its payload, ten thousand packets a second. */
function syntheticPacket(index: number, second: number): RawPacket {
  const data = UDP_TEMPLATE.slice()
  const view = new DataView(data.buffer)
  view.setUint16(SOURCE_PORT_OFFSET, 40_000 + (index % 50))
  view.setUint32(PAYLOAD_OFFSET, index)
  return { interfaceIndex: 0, timestampSeconds: second + Math.floor(index / 10_000), timestampNanos: (index % 10_000) * 100_000, originalLength: data.length, data }
}

/** Runs the garbage collector when it can be reached, so resident-memory figures settle. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as (() => void) | undefined
  gc?.()
}

/** What the import child measures. */
interface ImportFigures {
  readonly importMs: number
  readonly packets: number
  readonly error: string | null
  readonly lastPageMs: number
  readonly filterMs: number
  readonly filterMatched: number
  readonly rssBefore: number
  readonly rssAfter: number
  /** Live JavaScript memory (heap, array buffers, external) after a garbage collection. */
  readonly liveBefore: number
  readonly liveAfter: number
  /** The highest resident memory the measuring process reached. */
  readonly peakRss: number
}

/** Heap plus the memory outside it that typed arrays and buffers hold. */
function liveMemory(): number {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

/** Sends a file through the capture domain's import channels in base64 chunks, as the renderer does. */
async function importThroughChannels(backend: Backend, path: string): Promise<{ packets: number; error: string | null }> {
  const size = (await stat(path)).size
  const begun = await ask(backend, 'capture/import-begin', { fileName: basename(path), size })
  const handle = await open(path, 'r')
  const chunk = Buffer.alloc(IMPORT_CHUNK_BYTES)
  for (let offset = 0; offset < size;) {
    const { bytesRead } = await handle.read(chunk, 0, IMPORT_CHUNK_BYTES, offset)
    await ask(backend, 'capture/import-chunk', { importId: begun.importId, offset, data: chunk.subarray(0, bytesRead).toString('base64') })
    offset += bytesRead
  }
  await handle.close()
  return ask(backend, 'capture/import-end', { importId: begun.importId })
}

/**
 * Imports the file through the capture domain's import channels, as the renderer does (base64 chunks),
 * then reads the last page and runs a display filter over every packet. Runs in a fresh process
 * so the resident-memory figure is the store's, not the file generator's garbage.
 */
async function importInThisProcess(path: string, directory: string): Promise<ImportFigures> {
  const backend = createBackend({ autoStart: false, dataDirectory: join(directory, 'data'), resolveNames: false })
  try {
    collectGarbage()
    const rssBefore = process.memoryUsage().rss
    const liveBefore = liveMemory()
    let started = performance.now()
    const final = await importThroughChannels(backend, path)
    const importMs = performance.now() - started

    started = performance.now()
    await ask(backend, 'capture/packet-page', { start: Math.max(0, final.packets - 100), count: 100 })
    const lastPageMs = performance.now() - started
    started = performance.now()
    await ask(backend, 'capture/set-display-filter', { filter: 'lport:40007' })
    await waitFor(async () => !(await ask(backend, 'capture/view-state', {})).filtering, 120_000, 'the display filter')
    const filterMs = performance.now() - started
    const filterMatched = (await ask(backend, 'capture/view-state', {})).matched
    collectGarbage()
    return {
      importMs,
      packets: final.packets,
      error: final.error,
      lastPageMs,
      filterMs,
      filterMatched,
      rssBefore,
      rssAfter: process.memoryUsage().rss,
      liveBefore,
      liveAfter: liveMemory(),
      peakRss: process.resourceUsage().maxRSS * 1024
    }
  } finally {
    await backend.dispose()
  }
}

/** (b) and (c): a 1M-packet pcapng imported the way the UI does it, against tshark. */
async function importMillion(report: (line: string) => void, directory: string): Promise<void> {
  const path = join(directory, 'million.pcapng')
  const writer = await CaptureFileWriter.create(path, createCaptureEncoder({ format: 'pcapng', interfaces: [{ name: 'lo', linkType: 1, snaplen: 65535, timestampDecimals: 9 }] }))
  const start = Math.floor(Date.now() / 1000)
  for (let index = 0; index < IMPORT_PACKETS; index++) await writer.writePacket(syntheticPacket(index, start))
  await writer.close()
  const size = (await stat(path)).size
  report(`(b) import of ${IMPORT_PACKETS.toLocaleString()} packets (${(size / 1024 / 1024).toFixed(0)} MiB pcapng)`)

  const started = performance.now()
  await run('sh', ['-c', `tshark -r '${path}' -T fields -e frame.len > /dev/null`], { maxBuffer: 1024 * 1024 })
  const tsharkMs = performance.now() - started

  const tcpdump = await timeCommand('tcpdump', ['-r', path, '-nn', '-q'])

  const figures = await measureInChild<ImportFigures>(IMPORT_CHILD_FLAG, path, directory)
  if (figures.error) report(`  import error: ${figures.error}`)
  report(`  tcpdump -r FILE -nn -q (the reference):                           ${(tcpdump.ms / 1000).toFixed(2)} s`)
  report(
    `  sockscope import (parse, store, decode, conversations, throughput, TCP analysis): ${(figures.importMs / 1000).toFixed(2)} s for ${figures.packets.toLocaleString()} packets`
  )
  report(
    `    ratio to tcpdump: ${ratio(figures.importMs, tcpdump.ms)} (goal 1.0); to tshark -r FILE -T fields -e frame.len (${(tsharkMs / 1000).toFixed(2)} s): ${ratio(figures.importMs, tsharkMs)}`
  )
  report(
    `  then: last page of 100 rows ${figures.lastPageMs.toFixed(1)} ms; display filter lport:40007 over every packet ${(figures.filterMs / 1000).toFixed(2)} s (${figures.filterMatched.toLocaleString()} match), ratio to tcpdump ${ratio(figures.filterMs, tcpdump.ms)} (goal 0.1)`
  )
  if (existsSync(BUILT_CLI)) {
    const summary = await timeCommand(process.execPath, [BUILT_CLI, 'read', path, '--summary', '--json'])
    report(
      `  sockscope read FILE --summary --json: ${(summary.ms / 1000).toFixed(2)} s, ratio to tcpdump ${ratio(summary.ms, tcpdump.ms)} (goal 0.5)${summary.code === 0 ? '' : `, exit ${summary.code}`}`
    )
  }
  const grown = figures.rssAfter - figures.rssBefore
  report(
    `(c) resident memory: ${(figures.rssBefore / 1024 / 1024).toFixed(0)} MiB with an empty store, ${(figures.rssAfter / 1024 / 1024).toFixed(0)} MiB holding ${figures.packets.toLocaleString()} packets ` +
      `(+${(grown / 1024 / 1024).toFixed(0)} MiB, ${Math.round(grown / Math.max(1, figures.packets))} bytes a packet; their bytes live in the store's file)`
  )
  const live = figures.liveAfter - figures.liveBefore
  report(
    `    live JavaScript memory after a collection: +${(live / 1024 / 1024).toFixed(0)} MiB (${Math.round(live / Math.max(1, figures.packets))} bytes of heap a packet held, goal 64); the rest of the resident growth is the heap's high-water mark from decoding`
  )
  report(`    peak resident memory of the importing process: ${(figures.peakRss / 1024 / 1024).toFixed(0)} MiB`)
}

/** What the many-conversations import child measures. */
interface ConversationImportFigures {
  readonly importMs: number
  readonly packets: number
  readonly conversations: number
  readonly error: string | null
  readonly busiestMs: number
  readonly rssBefore: number
  readonly rssAfter: number
  readonly peakRss: number
}

/** Imports the many-conversations file in this (fresh) process and asks for the busiest hundred, as the Conversations view does. */
async function importConversationsInThisProcess(path: string, directory: string): Promise<ConversationImportFigures> {
  const backend = createBackend({ autoStart: false, dataDirectory: join(directory, 'data'), resolveNames: false })
  try {
    collectGarbage()
    const rssBefore = process.memoryUsage().rss
    let started = performance.now()
    const final = await importThroughChannels(backend, path)
    const importMs = performance.now() - started
    started = performance.now()
    const list = await ask(backend, 'capture/conversations', { limit: 100 })
    const busiestMs = performance.now() - started
    collectGarbage()
    const peakRss = process.resourceUsage().maxRSS * 1024
    return { importMs, packets: final.packets, conversations: list.total, error: final.error, busiestMs, rssBefore, rssAfter: process.memoryUsage().rss, peakRss }
  } finally {
    await backend.dispose()
  }
}

/** Runs this file in a child process with `flag` and parses the JSON it prints. */
async function measureInChild<T>(flag: string, ...args: string[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, flag, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (text: string) => (output += text))
  const [code] = (await once(child, 'exit')) as [number]
  if (code !== 0) throw new Error(`the measuring process (${flag}) exited with ${code}`)
  return JSON.parse(output) as T
}

/** The highest resident memory a process reached, in bytes, read from /proc while it runs. */
function watchPeakResident(pid: number): () => number {
  let peak = 0
  const timer = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (match) peak = Math.max(peak, Number(match[1]) * 1024)
    } catch {
      // The process is gone; the last reading stands.
    }
  }, 50)
  return () => {
    clearInterval(timer)
    return peak
  }
}

/** Runs a command with its output thrown away; resolves with its time in milliseconds and its peak resident memory. */
async function timeCommand(command: string, args: readonly string[]): Promise<{ ms: number; peakRss: number; code: number | null }> {
  const started = performance.now()
  const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'inherit'] })
  const peak = watchPeakResident(child.pid!)
  const [code] = (await once(child, 'exit')) as [number | null]
  return { ms: performance.now() - started, peakRss: peak(), code }
}

const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

/** (d) 1M conversations: the import's and `read --summary --json`'s memory and time, against tcpdump reading the same file. */
async function millionConversations(report: (line: string) => void, directory: string): Promise<void> {
  const path = join(directory, 'conversations.pcap')
  await writeManyFlowsCapture(path, MANY_CONVERSATIONS)
  report(`(d) ${MANY_CONVERSATIONS.toLocaleString()} distinct UDP conversations, one packet each (${mebibytes((await stat(path)).size)} pcap)`)
  const tcpdump = await timeCommand('tcpdump', ['-r', path, '-nn', '-q'])
  report(`  tcpdump -r F -nn -q:                 ${(tcpdump.ms / 1000).toFixed(2)} s`)

  const figures = await measureInChild<ConversationImportFigures>(CONVERSATIONS_CHILD_FLAG, path, directory)
  if (figures.error) report(`  import error: ${figures.error}`)
  report(
    `  import through the UI's channels:     ${(figures.importMs / 1000).toFixed(2)} s (ratio ${ratio(figures.importMs, tcpdump.ms)}) for ${figures.conversations.toLocaleString()} conversations; busiest 100 in ${figures.busiestMs.toFixed(0)} ms`
  )
  const held = figures.rssAfter - figures.rssBefore
  report(
    `    resident: ${mebibytes(figures.rssAfter)} holding them (+${mebibytes(held)}, ${Math.round(held / MANY_CONVERSATIONS)} bytes a conversation with its packet), peak ${mebibytes(figures.peakRss)}`
  )

  if (existsSync(BUILT_CLI)) {
    const summary = await timeCommand(process.execPath, [BUILT_CLI, 'read', path, '--summary', '--json'])
    report(
      `  sockscope read F --summary --json:    ${(summary.ms / 1000).toFixed(2)} s (ratio ${ratio(summary.ms, tcpdump.ms)}), peak resident ${mebibytes(summary.peakRss)}${summary.code === 0 ? '' : `, exit ${summary.code}`}`
    )
  } else {
    report('  sockscope read: skipped, build first (npm run build)')
  }
}

/** Prints the capture, import and memory figures. */
export async function runBenchmark(report: (line: string) => void): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'sockscope-capture-bench-'))
  try {
    if (typeof process.getuid === 'function' && process.getuid() === 0) await captureRates(report, directory)
    else report('(a) skipped: live capture needs root (or the capture capabilities) here')
    await importMillion(report, directory)
    await millionConversations(report, directory)
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

/** The measurements a child process of this file runs, by the flag it is started with. */
const CHILD_MEASUREMENTS: Readonly<Record<string, (path: string, directory: string) => Promise<unknown>>> = {
  [IMPORT_CHILD_FLAG]: importInThisProcess,
  [CONVERSATIONS_CHILD_FLAG]: importConversationsInThisProcess
}

const childMeasurement = require.main === module ? CHILD_MEASUREMENTS[process.argv[2] ?? ''] : undefined
if (childMeasurement !== undefined) {
  childMeasurement(elementAt(process.argv, 3), elementAt(process.argv, 4)).then(
    (figures) => {
      process.stdout.write(JSON.stringify(figures))
      process.exit(0)
    },
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
