/*
 * `sockscope close` on real loopback connections held by this test process: with --yes the
 * kernel aborts the matched connection and its peer sees a reset; without --yes and without a
 * terminal nothing is closed; every attempt lands in actions.log (0600) in the data folder.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runBuiltCli } from '../../support/built-cli'
import { carriesBytes, openKnownConnection, type KnownConnection } from '../../support/netlink/loopback-connection'
import { AS_NOBODY, canRunAsNobody, copyBuildForOtherUsers, makeSharedFolder } from '../../support/other-user'

const run = promisify(execFile)
const isRoot = process.getuid?.() === 0

interface LogLine {
  readonly actor: string
  readonly action: string
  readonly target: string
  readonly outcome: string
  readonly message: string
}

async function logLines(dataDirectory: string): Promise<LogLine[]> {
  const text = await readFile(join(dataDirectory, 'actions.log'), 'utf8')
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine)
}

describe.skipIf(process.platform !== 'linux')('sockscope close', () => {
  const cleanups: (() => Promise<void>)[] = []
  let dataDirectory: string

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'sockscope-close-data-'))
    cleanups.push(() => rm(dataDirectory, { recursive: true, force: true }))
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(1).reverse()) await cleanup()
  })

  async function connection(): Promise<KnownConnection> {
    const opened = await openKnownConnection(10, 10)
    cleanups.push(() => opened.close())
    return opened
  }

  it.skipIf(!isRoot)('with --yes closes the matched connection: exit 0, the peer sees ECONNRESET, the log says done', async () => {
    const target = await connection()
    const bystander = await connection()
    const peerError = new Promise<string | undefined>((resolve) => target.accepted.once('error', (error: NodeJS.ErrnoException) => resolve(error.code)))

    const result = await runBuiltCli('close', '--filter', `lport:${target.clientPort} rport:${target.serverPort}`, '--yes', '--data-dir', dataDirectory)

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('1 connection matches:')
    expect(result.stdout).toContain(`closed tcp 127.0.0.1:${target.clientPort} → 127.0.0.1:${target.serverPort} of node (${process.pid})`)
    expect(await peerError).toBe('ECONNRESET')
    expect(await carriesBytes(bystander)).toBe(true)
    const log = await logLines(dataDirectory)
    expect(log.at(-1)).toMatchObject({ actor: 'cli', action: 'close-connection', outcome: 'done', target: expect.stringContaining(`:${target.clientPort} →`) })
    expect((await stat(join(dataDirectory, 'actions.log'))).mode & 0o777).toBe(0o600)
  })

  it('without --yes and without a terminal closes nothing: exit 1, the connection still works, the log says refused', async () => {
    const target = await connection()
    // execFile gives the CLI a pipe, not a terminal, on stdin.
    const result = await runBuiltCli('close', '--filter', `port:${target.serverPort} -state:listen`, '--data-dir', dataDirectory)

    expect(result.code).toBe(1)
    expect(result.stdout).toContain('2 connections match:')
    expect(result.stderr).toContain('no terminal to confirm on, and no --yes; nothing was closed (add --yes to close without asking)')
    expect(await carriesBytes(target)).toBe(true)
    const refused = (await logLines(dataDirectory)).filter((line) => line.target.includes(`:${target.serverPort}`))
    expect(refused.map((line) => line.outcome)).toEqual(['refused', 'refused'])
  })

  it('asks on a terminal and closes nothing on "n"', async () => {
    const target = await connection()
    // script(1) runs the CLI on a pseudo-terminal and feeds it this test's answer. The filter names both
    // ports: an earlier connection from the same local port can still sit in TIME_WAIT.
    const command = `printf 'n\\n' | script -qec "${process.execPath} out/main/cli.js close --filter 'lport:${target.clientPort} rport:${target.serverPort}' --data-dir ${dataDirectory}" /dev/null`
    const result = await run('bash', ['-c', command]).catch((error: { code: number; stdout: string }) => error)
    expect(result).toMatchObject({ code: 1 })
    expect(result.stdout).toContain('Close this connection? [y/N]')
    expect(result.stdout).toContain('not confirmed; nothing was closed')
    expect(await carriesBytes(target)).toBe(true)
  })

  it.skipIf(!isRoot)('asks on a terminal and closes on "y"', async () => {
    const target = await connection()
    const peerError = new Promise<string | undefined>((resolve) => target.accepted.once('error', (error: NodeJS.ErrnoException) => resolve(error.code)))
    const command = `printf 'y\\n' | script -qec "${process.execPath} out/main/cli.js close --filter 'lport:${target.clientPort} rport:${target.serverPort}' --data-dir ${dataDirectory}" /dev/null`
    const result = await run('bash', ['-c', command])
    expect(result.stdout).toContain(`closed tcp 127.0.0.1:${target.clientPort}`)
    expect(await peerError).toBe('ECONNRESET')
  })

  it('exits 1 when no TCP connection matches, naming the listener it leaves alone', async () => {
    const target = await connection()
    const result = await runBuiltCli('close', '--filter', `lport:${target.serverPort} state:listen`, '--yes', '--data-dir', dataDirectory)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('note: 1 matching socket is not a TCP connection (listeners, UDP, UNIX) and is left alone')
    expect(result.stderr).toContain('no TCP connection matches; nothing was closed')
    expect(await carriesBytes(target)).toBe(true)
  })

  it('refuses to run without a filter (exit 2)', async () => {
    const result = await runBuiltCli('close', '--yes', '--data-dir', dataDirectory)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--filter is required')
  })

  it.skipIf(!canRunAsNobody)('as a user without CAP_NET_ADMIN: exit 1, says CAP_NET_ADMIN is missing, the connection still works', async () => {
    const target = await connection()
    const shared = await makeSharedFolder('sockscope-close-nobody')
    cleanups.push(() => shared.remove())
    const { cli } = await copyBuildForOtherUsers(shared.path)
    const nobodyData = join(tmpdir(), `sockscope-close-nobody-data-${process.pid}-${Date.now()}`)
    cleanups.push(() => rm(nobodyData, { recursive: true, force: true }))
    const [command, ...prefix] = AS_NOBODY
    const failure = await run(command, [...prefix, process.execPath, cli, 'close', '--filter', `lport:${target.clientPort}`, '--yes', '--data-dir', nobodyData], {
      cwd: shared.path
    }).catch((error: { code: number; stderr: string }) => error)
    expect(failure).toMatchObject({ code: 1 })
    expect((failure as { stderr: string }).stderr).toContain(`not closed tcp 127.0.0.1:${target.clientPort} → 127.0.0.1:${target.serverPort}`)
    expect((failure as { stderr: string }).stderr).toContain('closing a connection needs CAP_NET_ADMIN (run sockscope as root)')
    expect(await carriesBytes(target)).toBe(true)
  })
})
