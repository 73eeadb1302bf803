/** `sockscope serve`: web mode. */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  type ActionPolicy,
  type SystemActionPolicy,
  rendererDirectory,
  createBackend,
  DEFAULT_METRICS_TOP,
  DEFAULT_WEB_CLIENT_LIMITS,
  MAXIMUM_METRICS_TOP,
  followBackend,
  MetricsSource,
  startWebServer
} from '../../backend'
import { parseCommandArguments, parseIntegerOption, UsageError, type CliCommand } from '../cli-command'
import { DATA_DIRECTORY_HELP, prepareDataDirectory } from '../data-directory-option'
import { warnIfNotLoopback } from '../bind-address'
import { errorMessage } from '../../../shared/error-message'
import { formatHostPort } from '../../../shared/format/socket-text'

/** The sentence a web client sees when it aims at another machine without the flag. */
export const ALLOW_REMOTE_TARGETS_HINT = 'To allow other machines, start "sockscope serve" with --allow-remote-targets.'

/**
 * What web clients may aim at other machines: nothing unless the person starting `serve` said
 * so, since any page holding the token drives this backend, often as root.
 */
export function servePolicy(allowRemoteTargets: boolean): ActionPolicy {
  return allowRemoteTargets ? { remoteTargets: 'allow' } : { remoteTargets: 'deny', howToAllow: ALLOW_REMOTE_TARGETS_HINT }
}

/** The sentence a web client sees when it tries to close a connection or stop a process without the flag. */
export const ALLOW_ACTIONS_HINT = 'To allow them, start "sockscope serve" with --allow-actions.'

/**
 * Whether web clients may close connections and stop processes: not unless the person starting
 * `serve` said so. With the flag, the page confirms each action before it asks.
 */
export function serveActionPolicy(allowActions: boolean): SystemActionPolicy {
  return allowActions ? { actions: 'allow' } : { actions: 'deny', howToAllow: ALLOW_ACTIONS_HINT }
}

/** Serves the UI and the contract to a browser on this machine. */
export const serveCommand: CliCommand = {
  help: `Usage: sockscope serve [--port N] [--host ADDRESS] [--open] [--interval MS] [--no-resolve] [--allow-remote-targets] [--allow-actions] [--metrics-top N] [--data-dir DIR]

Serves the sockscope UI and its live backend over HTTP and a WebSocket.

  --port N         port to listen on (default: a free one)
  --host ADDRESS   address to bind (default 127.0.0.1). A non-loopback address exposes
                   your socket table to the network and is only accepted when given here
                   explicitly; sockscope warns when it is.
  --open           open the URL in the default browser
  --interval MS    socket-table poll interval (default 1000)
  --history-minutes N
                   how much history the charts and the leak detector keep, counted in
                   ticks at the starting --interval (default 60, at most 240)
  --no-resolve     do not look up names for remote addresses
  --allow-remote-targets
                   let web clients aim probes and the connection holder at other
                   machines, and bind test listeners to addresses other than loopback.
                   Without it they reach 127.0.0.0/8 and ::1 only.
  --allow-actions  let web clients close TCP connections (SOCK_DESTROY) and stop
                   processes (SIGTERM, then SIGKILL), each after a confirmation in the
                   page and logged in the data folder's actions.log. Without it both are off.
  --metrics-top N  processes and destinations that get series of their own in /metrics,
                   the busiest first (default ${DEFAULT_METRICS_TOP}, at most ${MAXIMUM_METRICS_TOP}); the rest are summed as "other"
${DATA_DIRECTORY_HELP}
The URL printed on start carries a random token. The page reads it once, keeps it in the
tab's session storage and removes it from the address bar; no cookie is set. The API
WebSocket (/api) needs the token (?token= or Authorization: Bearer), refuses other origins
and foreign Host names, and serves at most ${DEFAULT_WEB_CLIENT_LIMITS.maxClients} pages at a time; a client that stops reading
or answering pings is dropped with a line on stderr.

GET /metrics serves the socket counts, per-process sockets and fds, ephemeral ports and
leak findings for Prometheus (OpenMetrics or the Prometheus text format, as the scraper
asks). It needs the token as "Authorization: Bearer TOKEN"; "sockscope exporter" serves
the same metrics without the UI.
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      open: { type: 'boolean' },
      interval: { type: 'string' },
      'history-minutes': { type: 'string' },
      'no-resolve': { type: 'boolean' },
      'allow-remote-targets': { type: 'boolean' },
      'allow-actions': { type: 'boolean' },
      'metrics-top': { type: 'string' },
      'data-dir': { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const port = parseIntegerOption('port', values.port, 0, 65535) ?? 0
    const intervalMs = parseIntegerOption('interval', values.interval, 100, 60_000) ?? 1000
    const historyMinutes = parseIntegerOption('history-minutes', values['history-minutes'], 1, 240) ?? 60
    const metricsTop = parseIntegerOption('metrics-top', values['metrics-top'], 1, MAXIMUM_METRICS_TOP) ?? DEFAULT_METRICS_TOP
    const host = values.host ?? '127.0.0.1'
    if (host.trim() === '') throw new UsageError('--host needs an address')
    warnIfNotLoopback(io, host, "sees this machine's sockets and can run probes from it")
    const staticDirectory = rendererDirectory()
    if (!existsSync(join(staticDirectory, 'index.html'))) {
      io.err.write(`sockscope: the UI is not built (${staticDirectory} has no index.html). Run "npm run build" first.\n`)
      return 1
    }
    const allowRemoteTargets = values['allow-remote-targets'] === true
    if (allowRemoteTargets) {
      io.err.write(
        'warning: --allow-remote-targets: web clients can probe other machines, hold connections to them and open listeners they can reach, from this machine and as this user.\n'
      )
    }
    const allowActions = values['allow-actions'] === true
    if (allowActions) {
      io.err.write('warning: --allow-actions: web clients can close connections and stop processes on this machine, as this user.\n')
    }
    const dataDirectory = await prepareDataDirectory(values['data-dir'])
    io.err.write(`data folder: ${dataDirectory}\n`)
    const backend = createBackend({
      intervalMs,
      historyMinutes,
      resolveNames: !values['no-resolve'],
      actionPolicy: servePolicy(allowRemoteTargets),
      systemActions: serveActionPolicy(allowActions),
      dataDirectory
    })
    const metrics = new MetricsSource({ version: __SOCKSCOPE_VERSION__, topProcesses: metricsTop, topDestinations: metricsTop })
    const stopMetrics = followBackend(backend, metrics)
    let server
    try {
      server = await startWebServer({ backend, staticDirectory, host, port, metrics, log: (line) => io.err.write(line + '\n') })
    } catch (error) {
      stopMetrics()
      await backend.dispose()
      io.err.write(`sockscope: cannot listen on ${formatHostPort(host, port)}: ${errorMessage(error)}\n`)
      return 1
    }
    io.out.write(`sockscope web UI: ${server.url}\n`)
    if (values.open) openInBrowser(server.url)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close()
    stopMetrics()
    await backend.dispose()
    return 0
  }
}

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true })
  child.on('error', () => process.stderr.write(`sockscope: could not start ${opener}; open the URL yourself\n`))
  child.unref()
}
