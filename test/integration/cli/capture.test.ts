/**
 * `sockscope capture` from the build, on lo, with real traffic from this process; the files are
 * checked with Wireshark's own tools (capinfos, tshark).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_CLI, runBuiltCli } from '../../support/built-cli'
import { capinfosCounts, tsharkFields, wiresharkMissingReason } from '../../support/capture/wireshark-tools'
import { runningAsRoot, sendDatagrams, tcpExchange } from '../backend/capture/live-traffic'
import { AS_NOBODY, canRunAsNobody, copyBuildForOtherUsers, makeSharedFolder } from '../../support/other-user'

const run = promisify(execFile)

const started: ChildProcess[] = []

/** A running `sockscope capture`, resolved once it says it is capturing. */
async function startCapture(args: readonly string[]) {
  // A time limit on every run, so a failed test cannot leave a capture running.
  const child = spawn(process.execPath, [BUILT_CLI, 'capture', '-a', 'duration:30', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8')
  const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)))
  await new Promise<void>((done, fail) => {
    child.stderr.on('data', (text: string) => {
      stderr += text
      if (stderr.includes('Capturing on')) done()
    })
    void exited.then((code) => fail(new Error(`capture exited with ${code} before starting: ${stderr}`)))
  })
  return {
    child,
    async finished() {
      const code = await exited
      return { code, stdout, stderr }
    }
  }
}

describe.skipIf(!runningAsRoot || wiresharkMissingReason !== null)('sockscope capture', () => {
  let directory = ''

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sockscope-cli-capture-'))
  })

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    await rm(directory, { recursive: true, force: true })
  })

  it('writes a pcapng with every datagram sent, each commented with this process', async () => {
    const receiver = createSocket('udp4')
    await new Promise<void>((done) => receiver.bind(0, '127.0.0.1', () => done()))
    const port = receiver.address().port
    const path = join(directory, 'udp.pcapng')
    const capture = await startCapture(['-i', 'lo', '-f', `udp dst port ${port}`, '-c', '30', '-w', path, '--json-summary'])
    await sendDatagrams(
      port,
      Array.from({ length: 30 }, (_, index) => 20 + index)
    )
    const { code, stdout } = await capture.finished()
    receiver.close()

    expect(code).toBe(0)
    const summary = JSON.parse(stdout) as { packets: number; reason: string; format: string; attributedPackets: number; stats: { droppedByHelper: number } }
    expect(summary).toMatchObject({ packets: 30, reason: 'count', format: 'pcapng', attributedPackets: 30, stats: { droppedByHelper: 0 } })
    expect(capinfosCounts(path).packets).toBe(30)
    const rows = tsharkFields(path, ['udp.dstport', 'udp.length', 'frame.comment'])
    expect(rows.map((row) => Number(row[0]))).toEqual(Array.from({ length: 30 }, () => port))
    expect(rows.map((row) => Number(row[1]))).toEqual(Array.from({ length: 30 }, (_, index) => 28 + index))
    for (const row of rows) expect(row[2]).toMatch(new RegExp(`\\(pid ${process.pid}\\)$`))
  })

  it('stops cleanly on SIGINT and comments TCP packets with the owning process', async () => {
    const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const port = (server.address() as { port: number }).port
    const path = join(directory, 'tcp.pcapng')
    const capture = await startCapture(['-i', 'lo', '-f', `tcp port ${port}`, '-w', path, '--json-summary'])
    const { clientPort } = await tcpExchange(port, [300, 300, 300])
    await new Promise((done) => setTimeout(done, 300))
    capture.child.kill('SIGINT')
    const { code, stdout } = await capture.finished()
    server.close()

    expect(code).toBe(0)
    const summary = JSON.parse(stdout) as { packets: number; reason: string }
    expect(summary.reason).toBe('stopped')
    expect(capinfosCounts(path).packets).toBe(summary.packets)
    const rows = tsharkFields(path, ['tcp.srcport', 'tcp.len', 'frame.comment'])
    expect(rows.length).toBe(summary.packets)
    const fromClient = rows.filter((row) => Number(row[0]) === clientPort)
    expect(fromClient.reduce((total, row) => total + Number(row[1]), 0)).toBe(900)
    for (const row of rows) expect(row[2]).toMatch(new RegExp(`\\(pid ${process.pid}\\)$`))
  })

  it('writes classic pcap when the name asks for it, and prints counts with drops', async () => {
    const receiver = createSocket('udp4')
    await new Promise<void>((done) => receiver.bind(0, '127.0.0.1', () => done()))
    const port = receiver.address().port
    const path = join(directory, 'udp.pcap')
    const capture = await startCapture(['-i', 'lo', '-f', `udp dst port ${port}`, '-c', '5', '-w', path])
    await sendDatagrams(port, [1, 2, 3, 4, 5, 6, 7])
    const { code, stderr } = await capture.finished()
    receiver.close()
    expect(code).toBe(0)
    expect(stderr).toContain(`5 packets captured`)
    expect(stderr).toMatch(/0 dropped by the helper/)
    expect(stderr).toMatch(/dropped by the kernel: not reported/)
    const { stdout } = await run('capinfos', ['-t', '-c', path])
    expect(stdout).toMatch(/File type:\s+Wireshark\/tcpdump\/\.\.\. - pcap/)
    expect(stdout).toMatch(/Number of packets:\s+5\b/)
  })

  it("exits 1 with libpcap's message on a bad filter, and writes nothing", async () => {
    const path = join(directory, 'never.pcapng')
    const failure = await runBuiltCli('capture', '-i', 'lo', '-f', 'tcp and and', '-w', path)
    expect(failure).toMatchObject({ code: 1 })
    expect(failure.stderr).toContain("can't parse filter expression: syntax error")
    await expect(run('ls', [path])).rejects.toThrow()
  })

  it.skipIf(!canRunAsNobody)('exits 1 with the setcap advice when not allowed to capture', async () => {
    // nobody may not be able to read the checkout: it runs a copy of the build.
    const shared = await makeSharedFolder('sockscope-cli-nobody')
    try {
      const { cli } = await copyBuildForOtherUsers(shared.path)
      const [command, ...prefix] = AS_NOBODY
      const failure = await run(command, [...prefix, process.execPath, cli, 'capture', '-i', 'lo', '-w', join(shared.path, 'never.pcapng')], { cwd: shared.path }).catch(
        (error: { code: number; stderr: string }) => error
      )
      expect(failure).toMatchObject({ code: 1 })
      const stderr = (failure as { stderr: string }).stderr
      expect(stderr).toMatch(/Operation not permitted|permission/i)
      expect(stderr).toContain('sudo setcap cap_net_raw,cap_net_admin=eip')
      await expect(run('ls', [join(shared.path, 'never.pcapng')])).rejects.toThrow()
    } finally {
      await shared.remove()
    }
  })
})
