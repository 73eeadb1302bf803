/**
 * `GET /metrics`, as web mode and the headless exporter both serve it: the bearer token in the
 * Authorization header (never in the URL, where scrape logs would keep it), then the newest tick
 * in the text format the scraper asked for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { chooseExposition, EXPOSITION_CONTENT_TYPES } from '../metrics/exposition-text'
import type { MetricsSource } from '../metrics/metrics-source'
import type { AccessToken } from './access-token'
import { answerPlainText } from './static-files'

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics'

/** Answers a request for {@link METRICS_PATH}. */
export function answerMetrics(request: IncomingMessage, response: ServerResponse, access: AccessToken, metrics: MetricsSource): void {
  if (!access.inBearerHeader(request)) {
    response.setHeader('WWW-Authenticate', 'Bearer realm="sockscope metrics"')
    return answerPlainText(response, 401, 'sockscope metrics need the token as "Authorization: Bearer TOKEN"')
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD')
    return answerPlainText(response, 405, 'only GET and HEAD')
  }
  const format = chooseExposition(request.headers.accept)
  const body = metrics.render(format)
  response.writeHead(200, { 'Content-Type': EXPOSITION_CONTENT_TYPES[format], 'Content-Length': Buffer.byteLength(body), Vary: 'Accept' })
  response.end(request.method === 'HEAD' ? undefined : body)
}
