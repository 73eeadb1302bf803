/**
 * Threat: `sockscope exporter` publishing this machine's sockets, processes and findings to
 * whoever asks. It serves /metrics alone, to the token alone; its token file gets the data
 * folder's checks; a bind beyond loopback is warned about as `serve --host` warns. Real exporter
 * processes from the build, real HTTP, real listeners held by real processes, promtool on the output.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runBuiltCli } from '../../support/built-cli'
import { firstFullScrape, promtoolCheck, scrape, startExporter, type RunningExporter } from '../../support/metrics-exporter'
import { startProgram, stopPrograms } from '../../support/test-programs'
import { waitFor } from '../../support/wait-for'

const TOKEN = `token-${randomBytes(12).toString('hex')}`
/** A process name with a double quote, a backslash and a line feed in it. */
const ODD_NAME = 'q"b\\s\nl'
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

let folder: string
let tokenPath: string
const exporters: RunningExporter[] = []

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sockscope-exporter-'))
  tokenPath = join(folder, 'token')
  await writeFile(tokenPath, `${TOKEN}\n`, { mode: 0o600 })
})

afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.stop()))
  await stopPrograms()
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

async function exporter(...args: string[]): Promise<RunningExporter> {
  const running = await startExporter('--interval', '0.2', ...args)
  exporters.push(running)
  return running
}

/** The distinct processes `sockscope_process_sockets` has series for, as `name pid` (`other` alone). */
function processSeries(text: string): string[] {
  const seen = new Set<string>()
  for (const match of text.matchAll(/^sockscope_process_sockets\{process="([^"]*)"(?:,pid="(\d+)")?,state="[^"]*"\} \d+$/gm))
    seen.add(match[2] ? `${match[1]} ${match[2]}` : match[1]!)
  return [...seen]
}

describe('sockscope exporter', () => {
  it('answers /metrics with the token only: none or a wrong one get 401, the right one both formats, which promtool accepts', async () => {
    // A process whose name needs every escape a label value has.
    const odd = await startProgram('listeners.js', ['2', ODD_NAME])
    // Only its sockets: on a busy machine twenty other processes may hold more.
    const running = await exporter('--token-file', tokenPath, '--filter', `pid:${odd.pid}`)
    expect(running.stdout()).not.toContain(TOKEN)

    const none = await scrape(running.url)
    expect(none.status).toBe(401)
    expect(none.body).not.toContain('sockscope_sockets')
    const wrong = await scrape(running.url, { token: `${TOKEN}x` })
    expect(wrong.status).toBe(401)
    // The token in the URL is not accepted: scrape logs and proxies keep URLs.
    expect((await scrape(`${running.url}?token=${TOKEN}`)).status).toBe(401)
    expect((await scrape(running.url, { headers: { cookie: `token=${TOKEN}` } })).status).toBe(401)

    const text = await firstFullScrape(running.url, TOKEN)
    expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(text.body).toMatch(/^sockscope_sockets\{protocol="tcp",state="LISTEN"\} [1-9]\d*$/m)
    expect(text.body).toMatch(/^sockscope_build_info\{version="\d+\.\d+\.\d+[^"]*"\} 1$/m)
    expect(text.body).toMatch(/^sockscope_ephemeral_port_range_size \d+$/m)
    expect(text.body).not.toContain('# EOF')
    expect(text.body).toContain(`sockscope_process_sockets{process="q\\"b\\\\s\\nl",pid="${odd.pid}",state="LISTEN"} 2\n`)
    expect(promtoolCheck(text.body)).toEqual({ code: 0, output: '' })

    const open = await scrape(running.url, { token: TOKEN, accept: OPENMETRICS })
    expect(open.status).toBe(200)
    expect(open.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(open.body.endsWith('\n# EOF\n')).toBe(true)
    expect(open.body).toContain('# UNIT sockscope_refresh_duration_seconds seconds')
    expect(promtoolCheck(open.body)).toEqual({ code: 0, output: '' })
  })

  it('serves nothing but /metrics: the UI, the API and any other path are 404, with the token too', async () => {
    const running = await exporter('--token-file', tokenPath)
    const base = running.url.replace(/\/metrics$/, '')
    for (const path of ['/', '/index.html', '/api', '/api/session', '/metrics/', '/metrics/x', '/favicon.ico']) {
      const answer = await scrape(`${base}${path}`, { token: TOKEN })
      expect(answer.status, path).toBe(404)
      expect(answer.body).not.toContain('sockscope_')
    }
  })

  it('gives N processes series of their own and sums the rest as other: N+3 processes, and just inside and just outside N', async () => {
    // Five processes with 1..5 listeners each, so the ranking is by count, never by pid.
    const holders = await Promise.all([1, 2, 3, 4, 5].map((count) => startProgram('listeners.js', [String(count)])))
    const byPid = new Map(holders.map((holder, index) => [holder.pid, index + 1]))
    const busiest = (n: number) =>
      [...byPid]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([pid]) => `node ${pid}`)
    // By pid: a filter on the command line would also match the exporter's own, and count its listener.
    // TCP only: each program's stdio are UNIX sockets, and its stderr is shared with this test's worker.
    const filter = ['--filter', `proto:tcp (${holders.map((holder) => `pid:${holder.pid}`).join(' or ')})`]

    const listenersOf = async (top: number) => {
      const running = await exporter('--token-file', tokenPath, '--top', String(top), ...filter)
      let text = ''
      // Wait until the table has every listener of the five (ports are bound before they print).
      await waitFor(
        async () => {
          text = (await scrape(running.url, { token: TOKEN })).body
          return /^sockscope_sockets\{protocol="tcp",state="LISTEN"\} 15$/m.test(text)
        },
        20_000,
        'all 15 listeners in the exported table'
      )
      await running.stop()
      return text
    }

    // N = 2 with N + 3 = 5 processes: two of their own, the three quietest (3 + 2 + 1 listeners) as other.
    const two = await listenersOf(2)
    expect(processSeries(two)).toEqual([...busiest(2), 'other'])
    expect(two).toMatch(/^sockscope_process_sockets\{process="other",state="LISTEN"\} 6$/m)
    // Just inside: N = 5 for five processes, no other.
    expect(processSeries(await listenersOf(5))).toEqual(busiest(5))
    // Just outside: N = 4 for five processes, the one-listener process is other.
    const four = await listenersOf(4)
    expect(processSeries(four)).toEqual([...busiest(4), 'other'])
    expect(four).toMatch(/^sockscope_process_sockets\{process="other",state="LISTEN"\} 1$/m)
  })

  it('without --token-file makes a token, prints it with how to use it, and serves to it alone', async () => {
    const running = await exporter()
    const token = /token for this run: (\S+)/.exec(running.stdout())?.[1]
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(running.stdout()).toContain('credentials_file')
    expect((await scrape(running.url)).status).toBe(401)
    expect((await firstFullScrape(running.url, token!)).status).toBe(200)
  })

  it('refuses a token file others may read, or one too short, and listens nowhere (exit 1)', async () => {
    const open = join(folder, 'open-token')
    await writeFile(open, `${TOKEN}\n`)
    await chmod(open, 0o644)
    const refused = await runBuiltCli('exporter', '--listen', '127.0.0.1:0', '--token-file', open)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(`sockscope exporter: sockscope will not read ${open}: other users have access to it (mode 0644). Run "chmod 600 ${open}".\n`)
    expect(refused.stdout).toBe('')

    const short = join(folder, 'short-token')
    await writeFile(short, '0123456789abcde\n', { mode: 0o600 })
    const tooShort = await runBuiltCli('exporter', '--listen', '127.0.0.1:0', '--token-file', short)
    expect(tooShort.code).toBe(1)
    expect(tooShort.stderr).toContain('at least 16 characters')
  })

  it('warns before binding a non-loopback --listen as serve --host does, and says why it could not', async () => {
    // 192.0.2.1 is a documentation address no interface holds: the bind fails after the warning.
    const result = await runBuiltCli('exporter', '--listen', '192.0.2.1:0', '--token-file', tokenPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('warning: binding to 192.0.2.1, which is not loopback. Anyone who can reach it and has the token')
    expect(result.stderr).toContain('cannot listen on 192.0.2.1:0')
    const loopback = await exporter('--token-file', tokenPath)
    expect(loopback.stderr()).not.toContain('warning')
  })

  it('refuses a missing or malformed --listen and a --top out of range as usage errors (exit 2)', async () => {
    expect((await runBuiltCli('exporter')).stderr).toContain('--listen is required')
    for (const args of [
      ['--listen', '9464'],
      ['--listen', '127.0.0.1:70000'],
      ['--listen', '[127.0.0.1]:9464'],
      ['--listen', '127.0.0.1:0', '--top', '0'],
      ['--listen', '127.0.0.1:0', '--top', '101']
    ]) {
      const result = await runBuiltCli('exporter', ...args)
      expect(result.code, args.join(' ')).toBe(2)
    }
  })
})
