/**
 * Real TCP traffic with real loss, captured by tcpdump: a client and a server namespace made
 * for the run, each joined by a veth pair to a router namespace between them, an nft rule in
 * the router that drops a share of the client's data segments (a drop on the sender's own
 * output would only make its TCP send again, never lose anything), and a transfer between two
 * Node processes.
 * Everything is deleted afterwards, also when a step fails; names carry the process id and a
 * random part, so parallel runs never meet.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { hasTool } from './wireshark-tools'

/** Why namespace captures cannot run here, or null when they can. */
export function namespaceCaptureMissingReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  for (const tool of ['ip', 'nft', 'tshark', 'tcpdump']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) return `${tool} is not installed (.ci/run installs it)`
  }
  return hasTool('tshark') ? null : 'tshark does not run here'
}

/** What a lossy transfer sends and how much of it the sender's rule drops. */
export interface LossyTransferOptions {
  /** The capture file tcpdump writes. */
  readonly file: string
  /** Payload bytes the client sends. */
  readonly bytes: number
  /** Percent of the client's data segments (not its SYN) dropped before the wire. */
  readonly dropPercent: number
  /** Which end's veth tcpdump listens on: the receiver sees the gaps, the sender its own retransmissions. */
  readonly captureAt: 'receiver' | 'sender'
}

function run(command: string, args: readonly string[], input?: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message || `exit ${result.status}`}`)
}

/** Waits until `child` prints `marker` on the given stream, or fails after `timeoutMs`. */
function waitForOutput(child: ChildProcess, stream: 'stdout' | 'stderr', marker: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`no "${marker}" within ${timeoutMs} ms; got: ${seen}`)), timeoutMs)
    child[stream]?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes(marker)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before "${marker}": ${seen}`))
    })
  })
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

/**
 * Sends `bytes` from a client namespace to a server namespace through a lossy rule and writes
 * what tcpdump saw to `file`. Resolves once the transfer ended and the capture is on disk.
 */
export async function captureLossyTransfer(options: LossyTransferOptions): Promise<void> {
  const tag = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`
  const [client, router, server] = ['c', 'r', 's'].map((role) => `ss${role}${tag}`) as [string, string, string]
  // An address block private to this run's namespaces; nothing outside them ever routes it.
  const prefix = `10.${200 + (process.pid % 50)}.${(randomBytes(1)[0] ?? 0) & 0xfe}`
  const serverPrefix = prefix.replace(/\.(\d+)$/, (_, last: string) => `.${Number(last) + 1}`)
  const serverAddress = `${serverPrefix}.2`
  const port = 40_000 + (process.pid % 20_000)
  const children: ChildProcess[] = []
  const created: string[] = []
  try {
    for (const name of [client, router, server]) {
      run('ip', ['netns', 'add', name])
      created.push(name)
    }
    // Two links: client to router, router to server. The router forwards, and drops.
    const links = [
      { near: client, far: router, nearLink: `vc${tag}`, farLink: `vrc${tag}`, net: prefix },
      { near: server, far: router, nearLink: `vs${tag}`, farLink: `vrs${tag}`, net: serverPrefix }
    ].map((link) => ({ ...link, nearLink: link.nearLink.slice(0, 15), farLink: link.farLink.slice(0, 15) }))
    for (const link of links) {
      run('ip', ['link', 'add', link.nearLink, 'netns', link.near, 'type', 'veth', 'peer', 'name', link.farLink, 'netns', link.far])
      for (const [name, device, address] of [
        [link.near, link.nearLink, `${link.net}.2/24`],
        [link.far, link.farLink, `${link.net}.1/24`]
      ] as const) {
        run('ip', ['-n', name, 'addr', 'add', address, 'dev', device])
        // Segments of one MSS on the wire, as a real link carries them, instead of 64 KiB offloads.
        run('ip', ['-n', name, 'link', 'set', device, 'gso_max_size', '1500', 'up'])
      }
      run('ip', ['-n', link.near, 'link', 'set', 'lo', 'up'])
      run('ip', ['-n', link.near, 'route', 'add', 'default', 'via', `${link.net}.1`])
    }
    run('ip', ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    run(
      'ip',
      ['netns', 'exec', router, 'nft', '-f', '-'],
      `table inet lossy {\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n    ip daddr ${serverAddress} tcp dport ${port} tcp flags != syn numgen random mod 100 < ${options.dropPercent} drop\n  }\n}\n`
    )
    const [clientLink, serverLink] = links.map((link) => link.nearLink) as [string, string]
    const captureNamespace = options.captureAt === 'receiver' ? server : client
    const captureLink = options.captureAt === 'receiver' ? serverLink : clientLink
    const tcpdump = spawn(
      'ip',
      ['netns', 'exec', captureNamespace, 'tcpdump', '-i', captureLink, '-U', '-B', '32768', '-s', '0', '-w', options.file, 'tcp', 'port', String(port)],
      {
        stdio: ['ignore', 'ignore', 'pipe']
      }
    )
    children.push(tcpdump)
    await waitForOutput(tcpdump, 'stderr', 'listening on', 10_000)
    const serverProcess = spawn(
      'ip',
      [
        'netns',
        'exec',
        server,
        process.execPath,
        '-e',
        `const net = require('node:net'); const s = net.createServer((c) => { c.resume(); c.on('end', () => { c.end(); s.close() }) }); s.listen(${port}, '${serverAddress}', () => console.log('ready'))`
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    children.push(serverProcess)
    await waitForOutput(serverProcess, 'stdout', 'ready', 10_000)
    const clientProcess = spawn(
      'ip',
      [
        'netns',
        'exec',
        client,
        process.execPath,
        '-e',
        `const c = require('node:net').connect(${port}, '${serverAddress}', () => c.end(Buffer.alloc(${options.bytes}, 7))); c.resume(); c.on('close', () => process.exit(0))`
      ],
      { stdio: 'ignore' }
    )
    children.push(clientProcess)
    if ((await exited(clientProcess, 60_000)) !== 0) throw new Error('the transfer client failed')
    if ((await exited(serverProcess, 10_000)) !== 0) throw new Error('the transfer server failed')
    // Let the last ACKs and FINs reach tcpdump, then have it write out what it holds.
    await new Promise((resolve) => setTimeout(resolve, 300))
    tcpdump.kill('SIGINT')
    await exited(tcpdump, 10_000)
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    // Deleting a namespace deletes its veth ends (and with them the pairs) and its nft table.
    for (const name of created) spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore' })
  }
}

/** Namespace names a run of this process left behind (none, when cleanup worked). */
export function leftoverNamespaces(): string[] {
  const tag = process.pid.toString(36)
  const listing = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout
  return listing
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => ['ssc', 'ssr', 'sss'].some((role) => name.startsWith(`${role}${tag}`)))
}
