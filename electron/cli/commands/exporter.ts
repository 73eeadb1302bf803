/** `sockscope exporter`: the metrics of `serve`'s /metrics, headless, for Prometheus to scrape. */
import { SOCKET_QUERY_HELP } from '../../../shared/query/socket-fields'
import { errorMessage } from '../../../shared/error-message'
import { formatHostPort } from '../../../shared/format/socket-text'
import { DEFAULT_METRICS_TOP, HistorySession, MAXIMUM_METRICS_TOP, MetricsSource, newAccessToken, readPrivateFile, startMetricsExporter } from '../../backend'
import { parseCommandArguments, parseIntegerOption, parseNumberOption, UsageError, type CliCommand } from '../cli-command'
import { parseListenAddress, warnIfNotLoopback } from '../bind-address'
import { socketFilterOption } from '../filter-option'
import { runHistoryLoop } from '../history-loop'

/** A token shorter than this is refused: a scraper's secret must not be guessable. */
const MINIMUM_TOKEN_LENGTH = 16

/** Serves /metrics and nothing else. */
export const exporterCommand: CliCommand = {
  help: `Usage: sockscope exporter --listen HOST:PORT [--token-file FILE] [--top N] [--interval S] [--filter EXPR]

Reads the socket table every interval, runs the leak detector on it, and serves the result
at http://HOST:PORT/metrics for Prometheus (OpenMetrics when the scraper asks for it, else
the Prometheus text format). There is no UI and no API: every other path is 404.

  --listen HOST:PORT  where to listen: 127.0.0.1:9464, [::1]:9464, or 0.0.0.0:9464 to let
                      other machines scrape (sockscope warns, as "serve --host" does)
  --token-file FILE   the token scrapers must send as "Authorization: Bearer TOKEN", read
                      from FILE (surrounding whitespace ignored, at least ${MINIMUM_TOKEN_LENGTH} characters).
                      FILE must be yours, mode 0600 or stricter, not a link, in folders no
                      other user can write to. Without it a random token is made and printed.
  --top N             processes and destinations that get series of their own, the busiest
                      first (default ${DEFAULT_METRICS_TOP}); the rest are summed as "other"
  --interval S        seconds between reads of the socket table (default 5, at least 0.1)
  --filter EXPR       only count sockets matching EXPR (the filter language below)

Metrics: sockscope_sockets{protocol,state}; sockscope_process_sockets{process,pid,state},
sockscope_process_open_fds and sockscope_process_fd_soft_limit{process,pid};
sockscope_ephemeral_ports{protocol,local_address,destination} and
sockscope_ephemeral_port_range_size; sockscope_finding{kind,process} (connection-churn
included: closed connections come from the kernel's close events, as in "sockscope events");
sockscope_refresh_duration_seconds, sockscope_last_refresh_timestamp_seconds and
sockscope_build_info{version}.

Filter language:
${SOCKET_QUERY_HELP}
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      listen: { type: 'string' },
      'token-file': { type: 'string' },
      top: { type: 'string' },
      interval: { type: 'string' },
      filter: { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    if (values.listen === undefined) throw new UsageError('--listen is required: the HOST:PORT to serve /metrics on (e.g. 127.0.0.1:9464)')
    const { host, port } = parseListenAddress('listen', values.listen)
    const top = parseIntegerOption('top', values.top, 1, MAXIMUM_METRICS_TOP) ?? DEFAULT_METRICS_TOP
    const intervalSeconds = parseNumberOption('interval', values.interval, 0.1, 3600) ?? 5
    const matches = socketFilterOption(values.filter)
    if (values['token-file'] !== undefined && values['token-file'].trim() === '') throw new UsageError('--token-file needs a file')

    let token: string
    if (values['token-file'] === undefined) {
      token = newAccessToken()
    } else {
      try {
        token = (await readPrivateFile(values['token-file'])).trim()
      } catch (error) {
        io.err.write(`sockscope exporter: ${errorMessage(error)}\n`)
        return 1
      }
      if (token.length < MINIMUM_TOKEN_LENGTH || /\s/.test(token)) {
        io.err.write(`sockscope exporter: the token in ${values['token-file']} must be one word of at least ${MINIMUM_TOKEN_LENGTH} characters\n`)
        return 1
      }
    }

    warnIfNotLoopback(io, host, "sees this machine's sockets, processes and findings")
    const metrics = new MetricsSource({ version: __SOCKSCOPE_VERSION__, topProcesses: top, topDestinations: top })
    let exporter
    try {
      exporter = await startMetricsExporter({ metrics, token, host, port })
    } catch (error) {
      io.err.write(`sockscope exporter: cannot listen on ${formatHostPort(host, port)}: ${errorMessage(error)}\n`)
      return 1
    }
    // One write, so a reader that sees the address sees the token with it.
    const tokenAdvice =
      values['token-file'] === undefined
        ? `token for this run: ${token}\n` +
          'Save it in a file only Prometheus can read and name that file in the scrape config\n' +
          '(authorization: { credentials_file: FILE }); start with --token-file FILE to keep one token across restarts.\n'
        : ''
    io.out.write(`sockscope exporter: ${exporter.url}\n${tokenAdvice}`)
    try {
      await runHistoryLoop({
        session: new HistorySession(),
        intervalMs: intervalSeconds * 1000,
        matches,
        onTick: ({ snapshot, sample, findings }) => metrics.update({ snapshot, sample, findings: findings.active }),
        // Connection churn comes from close events, as in the backend; without them the other findings still come.
        followChurn: true,
        onError: (error) => io.err.write(`sockscope exporter: ${error.message}\n`)
      })
    } finally {
      await exporter.close()
    }
    return 0
  }
}
