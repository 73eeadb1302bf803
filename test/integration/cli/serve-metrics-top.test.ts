/**
 * `serve --metrics-top N`: /metrics in web mode gives the N busiest processes series of their
 * own and sums the rest as "other", as `exporter --top N` does; a value out of range is a usage
 * error. The real `serve` from the build, on a machine where more than N processes hold sockets.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { BUILT_CLI, runBuiltCli } from '../../support/built-cli'
import { firstFullScrape } from '../../support/metrics-exporter'
import { startProgram, stopPrograms } from '../../support/test-programs'

const running: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of running.splice(0)) await stop()
  await stopPrograms()
})

/** Starts serve with `args` and scrapes its /metrics once a full tick is in. */
async function scrapeServe(...args: string[]): Promise<string> {
  const serve = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--no-resolve', '--interval', '200', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(async () => {
    serve.kill('SIGTERM')
    await once(serve, 'exit')
  })
  const line = await new Promise<string>((done) => serve.stdout.once('data', (chunk: Buffer) => done(chunk.toString())))
  const url = new URL(/http:\/\/\S+/.exec(line)?.[0] ?? 'http://invalid')
  return (await firstFullScrape(`${url.origin}/metrics`, url.searchParams.get('token') ?? '')).body
}

/** The distinct processes `sockscope_process_sockets` has series for, `other` included. */
function processSeries(text: string): string[] {
  const seen = new Set<string>()
  for (const match of text.matchAll(/^sockscope_process_sockets\{process="([^"]*)"(?:,pid="(\d+)")?,state="[^"]*"\} \d+$/gm))
    seen.add(match[2] ? `${match[1]} ${match[2]}` : (match[1] ?? ''))
  return [...seen]
}

describe('sockscope serve --metrics-top', () => {
  it('gives the N busiest processes series of their own and the rest "other": one and two', async () => {
    // Three processes of this test hold sockets too, so more than two processes always do.
    for (const count of [3, 2, 1]) await startProgram('listeners.js', [String(count), `top-${count}`])
    const one = processSeries(await scrapeServe('--metrics-top', '1'))
    expect(one.filter((name) => name !== 'other')).toHaveLength(1)
    expect(one).toContain('other')
    const two = processSeries(await scrapeServe('--metrics-top', '2'))
    expect(two.filter((name) => name !== 'other')).toHaveLength(2)
    expect(two).toContain('other')
  })

  it('refuses 0 and 101 as usage errors, and names the range', async () => {
    for (const value of ['0', '101']) {
      const refused = await runBuiltCli('serve', '--metrics-top', value)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('--metrics-top must be between 1 and 100')
    }
  })
})
