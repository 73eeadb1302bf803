/**
 * The headless exporter behind `sockscope exporter`: one HTTP endpoint, `/metrics`, for a
 * Prometheus server to scrape, and nothing else (no UI, no API). Unlike web mode it does not
 * insist on a loopback Host name: a scraper on another machine names this one however its
 * config does, and no browser page can send the bearer header it needs without the token.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatHostPort } from '../../../shared/format/socket-text'
import type { MetricsSource } from '../metrics/metrics-source'
import { AccessToken } from './access-token'
import { answerMetrics, METRICS_PATH } from './metrics-endpoint'
import { answerPlainText } from './static-files'

/** Options for {@link startMetricsExporter}. */
export interface MetricsExporterOptions {
  readonly metrics: MetricsSource
  /** The token scrapers must send as `Authorization: Bearer TOKEN`. */
  readonly token: string
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
}

/** A running exporter. */
export interface MetricsExporter {
  /** Where the metrics are, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

/** Open connections at once, from anyone: a scraper needs one, a flood must not take the monitor's descriptors. */
const MAX_CONNECTIONS = 64

/** A scrape that has not sent its headers or finished its request by then is dropped. */
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 15_000

/** Starts the exporter; resolves once it listens. */
export async function startMetricsExporter(options: MetricsExporterOptions): Promise<MetricsExporter> {
  const access = new AccessToken(options.token)
  const server: Server = createServer((request, response) => {
    response.setHeader('Cache-Control', 'no-store')
    response.setHeader('X-Content-Type-Options', 'nosniff')
    const { pathname } = new URL(request.url ?? '/', 'http://localhost')
    if (pathname !== METRICS_PATH) return answerPlainText(response, 404, `not found; sockscope exporter serves ${METRICS_PATH} only`)
    answerMetrics(request, response, access, options.metrics)
  })
  server.maxConnections = MAX_CONNECTIONS
  server.headersTimeout = HEADERS_TIMEOUT_MS
  server.requestTimeout = REQUEST_TIMEOUT_MS

  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${formatHostPort(options.host, port)}${METRICS_PATH}`,
    host: options.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
