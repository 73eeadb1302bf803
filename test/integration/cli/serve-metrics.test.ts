/**
 * Threat: web mode's /metrics handing the socket table to a page or process without the token.
 * It answers the bearer header only: not the `?token=` the page uses (scrape logs and proxies
 * keep URLs), not a cookie, and not a foreign Host name. The real `serve` from the build.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_CLI } from '../../support/built-cli'
import { firstFullScrape, promtoolCheck, scrape } from '../../support/metrics-exporter'

let serve: ChildProcess
let origin: string
let token: string

beforeAll(async () => {
  serve = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--no-resolve', '--interval', '200'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const line = await new Promise<string>((done) => serve.stdout!.once('data', (chunk: Buffer) => done(chunk.toString())))
  const url = new URL(/http:\/\/\S+/.exec(line)![0])
  origin = url.origin
  token = url.searchParams.get('token')!
})

afterAll(async () => {
  serve.kill('SIGTERM')
  await once(serve, 'exit')
})

/** A GET of /metrics with a Host header of our choosing (fetch will not send a foreign one). */
function getWithHost(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin)
    request({ hostname, port, path: '/metrics', headers: { host, authorization: `Bearer ${token}` } }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
      .on('error', reject)
      .end()
  })
}

describe('sockscope serve /metrics', () => {
  it('serves the metrics to the bearer token, in either format, and promtool accepts them', async () => {
    const text = await firstFullScrape(`${origin}/metrics`, token)
    expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(text.body).toMatch(/^sockscope_sockets\{protocol="tcp",state="LISTEN"\} [1-9]\d*$/m)
    expect(promtoolCheck(text.body)).toEqual({ code: 0, output: '' })
    const open = await scrape(`${origin}/metrics`, { token, accept: 'application/openmetrics-text; version=1.0.0' })
    expect(open.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(open.body.endsWith('# EOF\n')).toBe(true)
  })

  it('answers 401 without the header: no token, a wrong one, the token in the URL or in a cookie', async () => {
    for (const attempt of [
      scrape(`${origin}/metrics`),
      scrape(`${origin}/metrics`, { token: `${token}x` }),
      scrape(`${origin}/metrics?token=${token}`),
      scrape(`${origin}/metrics`, { headers: { cookie: `token=${token}` } })
    ]) {
      const answer = await attempt
      expect(answer.status).toBe(401)
      expect(answer.body).not.toContain('sockscope_')
    }
  })

  it('refuses a foreign Host name with the token too (DNS rebinding)', async () => {
    expect(await getWithHost('attacker.example:80')).toBe(421)
    expect(await getWithHost(new URL(origin).host)).toBe(200)
  })
})
