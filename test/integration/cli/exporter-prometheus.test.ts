/**
 * A real Prometheus (Debian's package) scrapes a real `sockscope exporter` with its token from a
 * credentials_file, parses what it gets as OpenMetrics (what Prometheus asks for), and answers
 * queries for it; a job with a wrong token is refused with 401. A process whose name needs every
 * label escape proves the escaping survives Prometheus' own parser.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExporter, type RunningExporter } from '../../support/metrics-exporter'
import { startProgram, stopPrograms, type RunningProgram } from '../../support/test-programs'
import { waitFor } from '../../support/wait-for'

const TOKEN = `token-${randomBytes(12).toString('hex')}`
/** A process name with a double quote, a backslash and a line feed in it. */
const ODD_NAME = 'q"b\\s\nl'

let folder: string
let exporter: RunningExporter
let prometheus: ChildProcess
let prometheusUrl: string
let prometheusLog = ''
let odd: RunningProgram

/** A port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

interface QueryResult {
  readonly metric: Record<string, string>
  readonly value: [number, string]
}

/** Runs an instant PromQL query against the test's Prometheus. */
async function query(promql: string): Promise<QueryResult[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`)
  const answer = (await response.json()) as { status: string; data: { result: QueryResult[] } }
  expect(answer.status).toBe('success')
  return answer.data.result
}

/** Waits until `promql` returns at least one series, and returns them. */
async function seriesOf(promql: string): Promise<QueryResult[]> {
  let result: QueryResult[] = []
  await waitFor(async () => (result = await query(promql)).length > 0, 30_000, `Prometheus to answer ${promql} (its log: ${prometheusLog.slice(-2000)})`)
  return result
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sockscope-prometheus-'))
  await writeFile(join(folder, 'token'), `${TOKEN}\n`, { mode: 0o600 })
  await writeFile(join(folder, 'wrong-token'), `${TOKEN}-wrong\n`, { mode: 0o600 })
  odd = await startProgram('listeners.js', ['2', ODD_NAME])
  // Only its sockets: on a busy machine the busiest twenty processes may not include it.
  exporter = await startExporter('--interval', '0.2', '--token-file', join(folder, 'token'), '--filter', `pid:${odd.pid}`)
  const config = [
    'global:',
    '  scrape_interval: 300ms',
    '  scrape_timeout: 250ms',
    'scrape_configs:',
    '  - job_name: sockscope',
    `    authorization: { credentials_file: ${join(folder, 'token')} }`,
    `    static_configs: [{ targets: ['127.0.0.1:${exporter.port}'] }]`,
    '  - job_name: wrong-token',
    `    authorization: { credentials_file: ${join(folder, 'wrong-token')} }`,
    `    static_configs: [{ targets: ['127.0.0.1:${exporter.port}'] }]`,
    ''
  ].join('\n')
  await writeFile(join(folder, 'prometheus.yml'), config)
  const port = await freePort()
  prometheusUrl = `http://127.0.0.1:${port}`
  prometheus = spawn(
    'prometheus',
    [`--config.file=${join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  prometheus.stdout!.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()))
  prometheus.stderr!.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()))
  prometheus.once('error', (error) => (prometheusLog += `could not start prometheus (apt-get install prometheus): ${error.message}`))
  await waitFor(
    async () =>
      (await fetch(`${prometheusUrl}/-/ready`)
        .then((response) => response.ok)
        .catch(() => false)) || prometheus.exitCode !== null,
    30_000,
    'Prometheus to get ready'
  )
  expect(prometheus.exitCode, prometheusLog).toBeNull()
}, 60_000)

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
    prometheus.kill('SIGKILL')
    await once(prometheus, 'exit')
  }
  await exporter?.stop()
  await stopPrograms()
  await rm(folder, { recursive: true, force: true })
})

describe('Prometheus scraping sockscope exporter', () => {
  it('scrapes it with the token from credentials_file and answers a query for sockscope_sockets', async () => {
    const sockets = await seriesOf('sockscope_sockets{job="sockscope"}')
    const listening = sockets.find((series) => series.metric.protocol === 'tcp' && series.metric.state === 'LISTEN')
    expect(listening?.metric).toMatchObject({ __name__: 'sockscope_sockets', job: 'sockscope', instance: `127.0.0.1:${exporter.port}` })
    expect(Number(listening!.value[1])).toBeGreaterThanOrEqual(2)
    expect((await seriesOf('up{job="sockscope"}'))[0]!.value[1]).toBe('1')
  })

  it('keeps a process name with a quote, a backslash and a line feed intact through its parser', async () => {
    const series = await seriesOf(`sockscope_process_sockets{job="sockscope",pid="${odd.pid}",state="LISTEN"}`)
    expect(series.map((one) => [one.metric.process, one.value[1]])).toEqual([[ODD_NAME, '2']])
  })

  it("answers the README's queries: fd use against the limit joins per process, CLOSE_WAIT per process and port-range share evaluate", async () => {
    const [headroom] = await seriesOf(`sockscope_process_open_fds{pid="${odd.pid}"} / sockscope_process_fd_soft_limit`)
    const fds = (await seriesOf(`sockscope_process_open_fds{pid="${odd.pid}"}`))[0]!.value[1]
    const limit = (await seriesOf(`sockscope_process_fd_soft_limit{pid="${odd.pid}"}`))[0]!.value[1]
    expect(Number(headroom!.value[1])).toBeCloseTo(Number(fds) / Number(limit), 12)
    expect(headroom!.metric).toMatchObject({ process: ODD_NAME, pid: String(odd.pid) })
    for (const promql of [
      'sum by (instance, process, pid) (sockscope_process_sockets{state="CLOSE_WAIT"})',
      'sockscope_ephemeral_ports / on (instance, job) group_left () sockscope_ephemeral_port_range_size',
      'sum by (kind) (sockscope_finding)',
      'time() - sockscope_last_refresh_timestamp_seconds > 60'
    ]) {
      await query(promql)
    }
    expect(await query('time() - sockscope_last_refresh_timestamp_seconds{job="sockscope"} > 60')).toEqual([])
  })

  it('is refused with 401 for a job whose token is wrong, and stores nothing from it', async () => {
    expect((await seriesOf('up{job="wrong-token"}'))[0]!.value[1]).toBe('0')
    const targets = (await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] }
    }
    const wrong = targets.data.activeTargets.find((target) => target.labels.job === 'wrong-token')
    expect(wrong).toMatchObject({ health: 'down', lastError: expect.stringContaining('401') })
    expect(await query('sockscope_sockets{job="wrong-token"}')).toEqual([])
  })
})
