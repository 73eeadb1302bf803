/**
 * The built `sockscope exporter` as the metrics tests run it, and a scrape of it: the exporter
 * is a real child process on a free loopback port, asked over real HTTP.
 */
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { BUILT_CLI } from './built-cli'
import { waitFor } from './wait-for'

/** A running exporter. */
export interface RunningExporter {
  /** The URL it printed, e.g. http://127.0.0.1:41234/metrics. */
  readonly url: string
  readonly port: number
  /** Everything it printed on stdout so far. */
  stdout(): string
  stderr(): string
  /** Stops it (SIGTERM) and resolves with its exit code. */
  stop(): Promise<number | null>
}

/** Starts `sockscope exporter --listen 127.0.0.1:0 ...args` and waits for its URL. */
export async function startExporter(...args: string[]): Promise<RunningExporter> {
  const child = spawn(process.execPath, [BUILT_CLI, 'exporter', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  await Promise.race([
    waitFor(() => /http:\/\/\S+\/metrics/.test(stdout), 20_000, 'the exporter to print its URL'),
    exited.then((code) => Promise.reject(new Error(`the exporter exited with ${code}: ${stderr}`)))
  ])
  const url = /http:\/\/\S+\/metrics/.exec(stdout)![0]
  return {
    url,
    port: Number(new URL(url).port),
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return exited
    }
  }
}

/** What a scrape got back. */
export interface Scrape {
  readonly status: number
  readonly contentType: string | null
  readonly body: string
}

/** GETs `url` with the token (when given) as a bearer header and the Accept header given. */
export async function scrape(url: string, options: { token?: string; accept?: string; headers?: Record<string, string> } = {}): Promise<Scrape> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.accept !== undefined) headers.accept = options.accept
  const response = await fetch(url, { headers })
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() }
}

/** Scrapes until the exporter has read the socket table once (before that it has build info only). */
export async function firstFullScrape(url: string, token: string, accept?: string): Promise<Scrape> {
  let last: Scrape | null = null
  await waitFor(
    async () => {
      last = await scrape(url, { token, accept })
      return last.status === 200 && last.body.includes('sockscope_sockets{')
    },
    20_000,
    'a scrape with the socket table in it'
  )
  return last!
}

/** Runs `promtool check metrics` on `text`: its exit code and what it said. */
export function promtoolCheck(text: string): { readonly code: number | null; readonly output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  if (run.error) throw new Error(`promtool could not run (apt-get install prometheus): ${run.error.message}`)
  return { code: run.status, output: `${run.stdout}${run.stderr}` }
}
