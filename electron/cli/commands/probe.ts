/** `sockscope probe tcp|tls|udp HOST:PORT`: test connections from the command line. */
import { readFile } from 'node:fs/promises'
import { DNS_RECORD_TYPES, PROBE_LIMITS, type DnsRecordType, type PayloadSpec, type ProbeError, type ProbeResult, type RepeatedProbeSummary } from '../../../shared/model/probe'
import { invalidInput } from '../../../shared/probe-request'
import { formatHostPort } from '../../../shared/format/socket-text'
import { parseHostPort, type HostPort } from '../../../shared/probe-target'
import { describeProbeResult, describeSample, describeStatistics, formatProbeError } from '../../../shared/format/probe-text'
import { startRepeatedProbe, runTcpProbe, runTlsProbe, runUdpProbe } from '../../backend'
import { parseCommandArguments, parseIntegerOption, UsageError, type CliCommand, type CliIo } from '../cli-command'

const TCP_HELP = `Usage: sockscope probe tcp HOST:PORT [options]

Resolves HOST, connects, and reports the lookup time, every address, the connect time and the
local address used. With --count or --interval it repeats like tcping and prints statistics.

  --count N          repeat N times (then print loss, min/avg/max/p95 and jitter)
  --interval MS      time between repeated attempts (default ${PROBE_LIMITS.intervalMs.default}); alone, repeats until Ctrl-C
  --timeout MS       limit for the lookup and each connect (default ${PROBE_LIMITS.timeoutMs.default}, at most ${PROBE_LIMITS.timeoutMs.max})
  --all-addresses    connect to every address the name resolves to, not only the first
  --send TEXT        send TEXT after connecting and read the first reply (\\r \\n \\t \\0 \\\\ \\xHH escapes)
  --send-hex HEX     send these bytes instead (e.g. "47 45 54 0d 0a")
  --read-limit BYTES how much of the reply to keep (default ${PROBE_LIMITS.readLimitBytes.default})
  --read-timeout MS  how long to wait for the first reply byte (default: the --timeout value)
  --json             print the result as JSON

IPv6 addresses go in brackets: [::1]:443. Exit status: 0 when the probe succeeded, 1 when it
failed (the error is printed with its kind: refused, timeout, unreachable, dns, reset, ...),
2 for bad arguments.
`

const TLS_HELP = `Usage: sockscope probe tls HOST:PORT [options]

Connects, performs a TLS handshake and reports its time, the protocol, cipher, ALPN and SNI,
and the certificate chain (subject, issuer, names, validity, days to expiry, SHA-256
fingerprint, key). The chain is verified against the system's CA certificates, or --ca.

  --servername NAME  the SNI name to send (default: HOST, when it is a name)
  --alpn LIST        ALPN protocols to offer, comma-separated (e.g. h2,http/1.1)
  --ca FILE          trust the CA certificates in this PEM file instead of the system's
  --insecure         succeed even when the chain is not trusted (the chain is shown either way)
  --timeout MS       limit for the lookup, the connect and the handshake (default ${PROBE_LIMITS.timeoutMs.default})
  --json             print the result as JSON

Exit status: 0 when the handshake succeeded and the chain is trusted (or --insecure),
1 otherwise (the reason is printed: self-signed, expired, wrong-host, unknown-ca, ...),
2 for bad arguments.
`

const UDP_HELP = `Usage: sockscope probe udp HOST:PORT (--send TEXT | --send-hex HEX | --dns-query NAME[:TYPE]) [options]

Sends one datagram and reports every reply until the time limit. On Linux a closed port
answers with ICMP port unreachable, reported as "refused".

  --send TEXT          the payload as text (\\r \\n \\t \\0 \\\\ \\xHH escapes)
  --send-hex HEX       the payload as hex bytes
  --dns-query NAME     send a DNS query for NAME (type A, or NAME:TYPE with TYPE one of
                       ${DNS_RECORD_TYPES.join(', ')}) and decode the answer
  --timeout MS         how long to wait for replies (default ${PROBE_LIMITS.udpTimeoutMs.default}, at most ${PROBE_LIMITS.udpTimeoutMs.max})
  --max-replies N      stop after N replies (default ${PROBE_LIMITS.udpMaxReplies.default}; 1 with --dns-query)
  --read-limit BYTES   how much of each reply to keep (default ${PROBE_LIMITS.readLimitBytes.default})
  --json               print the result as JSON

Exit status: 0 when a reply arrived, 1 otherwise, 2 for bad arguments.
`

/** Tests TCP, TLS and UDP endpoints. */
export const probeCommand: CliCommand = {
  help: `Usage: sockscope probe tcp|tls|udp HOST:PORT [options]

  tcp   connect (once, or repeatedly with --count/--interval), optionally send and read
  tls   handshake and certificate chain
  udp   send a datagram (or a DNS query) and collect replies

Run "sockscope probe KIND --help" for the options of each kind.
`,
  async run(argv, io) {
    const [kind, ...rest] = argv
    if (kind === undefined || kind === '--help' || kind === '-h') {
      io.out.write(this.help)
      return kind === undefined ? 2 : 0
    }
    if (kind === 'tcp') return probeTcp(rest, io)
    if (kind === 'tls') return probeTls(rest, io)
    if (kind === 'udp') return probeUdp(rest, io)
    throw new UsageError(`unknown probe kind "${kind}"; use tcp, tls or udp`)
  }
}

/** The single HOST:PORT positional; a malformed one is reported like any invalid input. */
function targetOf(positionals: readonly string[]): { target: HostPort } | { error: ProbeError } {
  const [target] = positionals
  if (positionals.length !== 1 || target === undefined) throw new UsageError(positionals.length === 0 ? 'give the target as HOST:PORT' : 'give exactly one HOST:PORT')
  const parsed = parseHostPort(target)
  return parsed.ok ? { target: parsed.value } : { error: invalidInput(parsed.error) }
}

function payloadOf(text: string | undefined, hex: string | undefined): PayloadSpec | null {
  if (text !== undefined && hex !== undefined) throw new UsageError('give either --send or --send-hex, not both')
  if (text !== undefined) return { encoding: 'text', value: text, escapes: true }
  if (hex !== undefined) return { encoding: 'hex', value: hex }
  return null
}

/** Print a failure that happened before anything was sent; exit 2 like other bad input. */
function reportInvalid(io: CliIo, json: boolean, error: ProbeError): number {
  if (json) io.out.write(JSON.stringify({ ok: false, error }, null, 2) + '\n')
  else io.err.write(`sockscope probe: ${error.message}\nRun "sockscope probe --help" for usage.\n`)
  return 2
}

/** Print a result and give the exit code: 0 success, 1 probe failure, 2 invalid input. */
function report(io: CliIo, json: boolean, result: ProbeResult): number {
  if (result.error?.kind === 'invalid-input') return reportInvalid(io, json, result.error)
  if (json) io.out.write(JSON.stringify(result, null, 2) + '\n')
  else io.out.write(describeProbeResult(result).join('\n') + '\n')
  if (result.error !== null && !json) io.err.write(`sockscope probe: ${formatProbeError(result.error)}\n`)
  return result.ok ? 0 : 1
}

async function probeTcp(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments(
    argv,
    {
      count: { type: 'string' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      'all-addresses': { type: 'boolean' },
      send: { type: 'string' },
      'send-hex': { type: 'string' },
      'read-limit': { type: 'string' },
      'read-timeout': { type: 'string' },
      json: { type: 'boolean' }
    },
    true
  )
  if (values.help) {
    io.out.write(TCP_HELP)
    return 0
  }
  const json = values.json === true
  const timeoutMs = parseIntegerOption('timeout', values.timeout, PROBE_LIMITS.timeoutMs.min, PROBE_LIMITS.timeoutMs.max)
  const count = parseIntegerOption('count', values.count, PROBE_LIMITS.repeatCount.min, PROBE_LIMITS.repeatCount.max)
  const intervalMs = parseIntegerOption('interval', values.interval, PROBE_LIMITS.intervalMs.min, PROBE_LIMITS.intervalMs.max)
  const readLimitBytes = parseIntegerOption('read-limit', values['read-limit'], PROBE_LIMITS.readLimitBytes.min, PROBE_LIMITS.readLimitBytes.max)
  const readTimeoutMs = parseIntegerOption('read-timeout', values['read-timeout'], PROBE_LIMITS.readTimeoutMs.min, PROBE_LIMITS.readTimeoutMs.max) ?? timeoutMs
  const payload = payloadOf(values.send, values['send-hex'])
  const parsed = targetOf(positionals)
  if ('error' in parsed) return reportInvalid(io, json, parsed.error)
  const { host, port } = parsed.target
  if (count !== undefined || intervalMs !== undefined) {
    if (payload !== null) throw new UsageError('--send and --send-hex work with a single probe, not with --count or --interval')
    return repeatTcp(io, json, { host, port, count: count ?? null, intervalMs, timeoutMs })
  }
  const result = await runTcpProbe({
    host,
    port,
    addressChoice: values['all-addresses'] === true ? 'all' : 'first',
    timeoutMs,
    payload,
    readLimitBytes,
    readTimeoutMs
  })
  return report(io, json, result)
}

async function repeatTcp(io: CliIo, json: boolean, request: { host: string; port: number; count: number | null; intervalMs?: number; timeoutMs?: number }): Promise<number> {
  let target = formatHostPort(request.host, request.port)
  const run = startRepeatedProbe(request, {
    onSample: (update) => {
      if (!json) io.out.write(describeSample(update.sample, target) + '\n')
    }
  })
  const stop = (): void => run.stop()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  if (!json) io.out.write(`Probing ${target} ${request.count === null ? 'until Ctrl-C' : `${request.count} times`}\n`)
  let summary: RepeatedProbeSummary
  try {
    summary = await run.finished
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  if (summary.error?.kind === 'invalid-input') return reportInvalid(io, json, summary.error)
  if (summary.address !== null) target = formatHostPort(summary.address, summary.port)
  // Like ping: the run succeeded when at least one attempt connected.
  const ok = summary.statistics.received > 0
  const error = ok ? null : (summary.error ?? summary.samples.find((sample) => sample.error !== null)?.error ?? null)
  if (json) {
    io.out.write(JSON.stringify({ ...summary, ok, error }, null, 2) + '\n')
  } else {
    io.out.write(`--- ${target} ---\n${describeStatistics(summary.statistics).join('\n')}\n`)
    if (error !== null) io.err.write(`sockscope probe: ${formatProbeError(error)}\n`)
  }
  return ok ? 0 : 1
}

async function probeTls(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments(
    argv,
    {
      servername: { type: 'string' },
      alpn: { type: 'string' },
      ca: { type: 'string' },
      insecure: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' }
    },
    true
  )
  if (values.help) {
    io.out.write(TLS_HELP)
    return 0
  }
  const json = values.json === true
  const timeoutMs = parseIntegerOption('timeout', values.timeout, PROBE_LIMITS.timeoutMs.min, PROBE_LIMITS.timeoutMs.max)
  const alpnProtocols = values.alpn === undefined ? [] : values.alpn.split(',').map((protocol) => protocol.trim())
  let caPem: string | null = null
  if (values.ca !== undefined) {
    caPem = await readFile(values.ca, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read --ca ${values.ca}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`)
    })
  }
  const parsed = targetOf(positionals)
  if ('error' in parsed) return reportInvalid(io, json, parsed.error)
  const result = await runTlsProbe({
    ...parsed.target,
    servername: values.servername ?? null,
    alpnProtocols,
    caPem,
    caSource: values.ca ?? null,
    insecure: values.insecure === true,
    timeoutMs
  })
  return report(io, json, result)
}

function dnsQueryOf(text: string): { name: string; type: DnsRecordType } {
  const separator = text.lastIndexOf(':')
  if (separator === -1) return { name: text, type: 'A' }
  const type = text.slice(separator + 1).toUpperCase()
  if (!DNS_RECORD_TYPES.includes(type as DnsRecordType)) {
    throw new UsageError(`unknown DNS record type "${type}" in --dns-query; use one of ${DNS_RECORD_TYPES.join(', ')}`)
  }
  return { name: text.slice(0, separator), type: type as DnsRecordType }
}

async function probeUdp(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments(
    argv,
    {
      send: { type: 'string' },
      'send-hex': { type: 'string' },
      'dns-query': { type: 'string' },
      timeout: { type: 'string' },
      'max-replies': { type: 'string' },
      'read-limit': { type: 'string' },
      json: { type: 'boolean' }
    },
    true
  )
  if (values.help) {
    io.out.write(UDP_HELP)
    return 0
  }
  const json = values.json === true
  const timeoutMs = parseIntegerOption('timeout', values.timeout, PROBE_LIMITS.udpTimeoutMs.min, PROBE_LIMITS.udpTimeoutMs.max)
  const maxReplies = parseIntegerOption('max-replies', values['max-replies'], PROBE_LIMITS.udpMaxReplies.min, PROBE_LIMITS.udpMaxReplies.max)
  const readLimitBytes = parseIntegerOption('read-limit', values['read-limit'], PROBE_LIMITS.readLimitBytes.min, PROBE_LIMITS.readLimitBytes.max)
  const payload = payloadOf(values.send, values['send-hex'])
  const dnsQuery = values['dns-query'] === undefined ? null : dnsQueryOf(values['dns-query'])
  if (payload !== null && dnsQuery !== null) throw new UsageError('give either a payload or --dns-query, not both')
  const parsed = targetOf(positionals)
  if ('error' in parsed) return reportInvalid(io, json, parsed.error)
  const result = await runUdpProbe({
    ...parsed.target,
    payload,
    dnsQuery,
    timeoutMs,
    maxReplies: maxReplies ?? (dnsQuery !== null ? 1 : undefined),
    readLimitBytes
  })
  return report(io, json, result)
}
