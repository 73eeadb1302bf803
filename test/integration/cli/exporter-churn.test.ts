/**
 * `sockscope exporter` judges connection churn too: it follows the kernel's close events, as the
 * backend's events domain does, so a burst of short-lived loopback connections to one port becomes
 * a `connection-churn` finding on /metrics (the default threshold is 600 a minute).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { scrape, startExporter, type RunningExporter } from '../../support/metrics-exporter'
import { waitFor } from '../../support/wait-for'

const CHURN_PROGRAM = join(__dirname, '../../fixtures/programs/connection-churn.js')

let running: RunningExporter | null = null
afterEach(async () => {
  await running?.stop()
  running = null
})

describe.skipIf(process.platform !== 'linux')('sockscope exporter and connection churn', () => {
  it('reports a connection-churn finding for 800 short connections to one port', async () => {
    running = await startExporter('--interval', '0.25')
    const token = /token for this run: (\S+)/.exec(running.stdout())?.[1] ?? ''
    const churnFinding = /^sockscope_finding\{kind="connection-churn",process="[^"]*"\} [1-9]\d*$/m
    expect((await scrape(running.url, { token })).body).not.toMatch(churnFinding)
    // 800 connections at 200 a second: above 600 in the last minute for the rest of that minute.
    const churn = spawn(process.execPath, [CHURN_PROGRAM, '800', '200'], { stdio: ['ignore', 'ignore', 'inherit'] })
    await once(churn, 'exit')
    let body = ''
    await waitFor(
      async () => {
        body = (await scrape(running!.url, { token })).body
        return churnFinding.test(body)
      },
      30_000,
      'the connection-churn finding on /metrics'
    )
    expect(body).toMatch(churnFinding)
  }, 60_000)
})
