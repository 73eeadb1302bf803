/** `sockscope audit`: which listeners this machine exposes, for a terminal, CI or a pre-commit hook. */
import { readFile } from 'node:fs/promises'
import { AUDIT_FAIL_RULES, breaksRule, type AuditFailRule, type AuditListener, type AuditReport, type ExposureReason } from '../../../shared/model/audit'
import { EXPOSURE_REASONS_FILE, parseExposureReasons } from '../../../shared/exposure-reasons'
import { formatHostPort } from '../../../shared/format/socket-text'
import { createSocketProvider, runExposureAudit } from '../../backend'
import { parseCommandArguments, UsageError, type CliCommand } from '../cli-command'
import { wrapText } from '../finding-text'
import { socketFilterOption } from '../filter-option'
import { renderTextTable } from '../text-table'

const FAIL_RULE_HELP = `  exposed-sensitive     a sensitive service (SSH, RDP, databases, debuggers, the Docker
                        API...) reachable beyond loopback with no reason given
  exposed-unexplained   any listener reachable beyond loopback with no reason given
  exposed-cleartext     a TCP listener reachable beyond loopback that did not speak TLS
                        to the probe (needs --probe-tls)
  expiring-certificate  a probed certificate with fewer than 14 days left (needs --probe-tls)`

/** Prints the audit and exits 1 when a `--fail-on` rule matches. */
export const auditCommand: CliCommand = {
  help: `Usage: sockscope audit [--json] [--probe-tls] [--fail-on RULE[,RULE]] [--reasons FILE] [--filter EXPR]

Lists every listening TCP socket and bound UDP socket: who holds it (process, user, network
namespace), how far it can be reached from (loopback, one interface, or every interface), the
well-known service it looks like, and warnings for what deserves a look.

  --json            one object per listener: protocol, localAddress, localPort, reach,
                    pid, process, user, netns, service, tls, warnings
  --probe-tls       send each TCP listener a TLS ClientHello from this machine (to
                    loopback, or to the listener's own address) and report the TLS
                    version, certificate subject and days left, or that it does not
                    speak TLS; nothing leaves the machine. Off by default.
  --fail-on RULES   exit 1 when a listener breaks one of these rules (comma-separated,
                    or the option repeated):
${FAIL_RULE_HELP}
  --reasons FILE    reasons for listeners to be reachable, as JSON:
                    [{ "port": 443, "process": "nginx", "reason": "public web server" }]
                    ("protocol" defaults to tcp, "process" to any process). A listener
                    with a reason gets no "no reason given" warning and passes the
                    exposed-sensitive and exposed-unexplained rules. The desktop app and
                    web mode keep the reasons you give in the data folder's
                    ${EXPOSURE_REASONS_FILE}, in the same format.
  --filter EXPR     audit (and probe) only the listeners matching EXPR, in the filter
                    language of sockscope list (e.g. "lport:5432 or proc:node")

Exit status: 0, or 1 when a --fail-on rule matched (the offending listeners go to stderr),
or 2 for bad arguments. Run as root to see the owners of other users' listeners.
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      json: { type: 'boolean' },
      'probe-tls': { type: 'boolean' },
      'fail-on': { type: 'string', multiple: true },
      reasons: { type: 'string' },
      filter: { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const rules = failRulesOption(values['fail-on'] ?? [])
    const include = socketFilterOption(values.filter)
    const reasons = values.reasons === undefined ? [] : await reasonsOption(values.reasons)
    const provider = createSocketProvider()
    let report: AuditReport
    try {
      const read = await provider.read({ withProcesses: true })
      report = await runExposureAudit({ ...read, takenAt: Date.now() }, { probeTls: values['probe-tls'] === true, reasons, homeNetns: provider.reader.homeNetns, include })
    } finally {
      provider.dispose?.()
    }
    io.out.write(values.json ? JSON.stringify(report.listeners.map(auditJson), null, 2) + '\n' : auditText(report, io.out.columns ?? 100))
    if (report.partialOwnership) io.err.write("note: not running as root, so listeners of other users' processes show no owner\n")
    const broken = rules.flatMap((rule) => report.listeners.filter((listener) => breaksRule(listener, rule)).map((listener) => ({ rule, listener })))
    for (const { rule, listener } of broken)
      io.err.write(`sockscope audit: ${rule}: ${endpointText(listener)}${listener.service === null ? '' : ` (${listener.service})`}${holderText(listener)}\n`)
    return broken.length > 0 ? 1 : 0
  }
}

/** The rules named by every `--fail-on`, each checked. */
function failRulesOption(values: readonly string[]): AuditFailRule[] {
  const rules = values.flatMap((value) => value.split(',')).map((rule) => rule.trim())
  for (const rule of rules) {
    if (!(AUDIT_FAIL_RULES as readonly string[]).includes(rule)) throw new UsageError(`--fail-on does not know "${rule}"; the rules are ${AUDIT_FAIL_RULES.join(', ')}`)
  }
  return rules as AuditFailRule[]
}

async function reasonsOption(path: string): Promise<ExposureReason[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --reasons ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`)
  })
  const parsed = parseExposureReasons(text, path)
  if (!parsed.ok) throw new UsageError(parsed.error)
  return parsed.reasons
}

/** One listener in the JSON shape scripts rely on: these keys, in this order, and nothing else. */
export function auditJson(listener: AuditListener) {
  return {
    protocol: listener.protocol,
    localAddress: listener.localAddress,
    localPort: listener.localPort,
    reach: listener.reach,
    pid: listener.pid,
    process: listener.process,
    user: listener.user,
    netns: listener.netns,
    service: listener.service,
    tls: listener.tls,
    warnings: listener.warnings
  }
}

function endpointText(listener: AuditListener): string {
  return `${listener.protocol} ${formatHostPort(listener.localAddress || '*', listener.localPort)}`
}

function holderText(listener: AuditListener): string {
  return listener.process === null ? '' : ` held by ${listener.process}${listener.pid === null ? '' : ` (pid ${listener.pid})`}`
}

function tlsText(listener: AuditListener): string {
  if (listener.tlsVerdict === null) return ''
  if (listener.tls?.speaksTls) return `${listener.tls.version ?? 'TLS'}${listener.tls.daysLeft === null ? '' : ` ${listener.tls.daysLeft}d`}`
  return listener.tlsVerdict
}

/** The audit as a table, each listener's warnings and TLS note under it. */
function auditText(report: AuditReport, width: number): string {
  if (report.listeners.length === 0) return 'No listening sockets.\n'
  const table = renderTextTable(report.listeners, [
    { title: 'PROTO', value: (listener) => listener.protocol },
    { title: 'ADDRESS', value: (listener) => formatHostPort(listener.localAddress || '*', listener.localPort), maxWidth: 46 },
    { title: 'REACH', value: (listener) => listener.reach },
    { title: 'SERVICE', value: (listener) => listener.service ?? '', maxWidth: 24 },
    { title: 'PROCESS', value: (listener) => (listener.process === null ? '' : `${listener.process}${listener.pid === null ? '' : `/${listener.pid}`}`), maxWidth: 28 },
    { title: 'USER', value: (listener) => listener.user ?? '' },
    { title: 'WHERE', value: (listener) => (listener.otherNamespace ? (listener.container ?? `netns ${listener.netns}`) : 'host'), maxWidth: 24 },
    ...(report.probedTls ? [{ title: 'TLS', value: tlsText }] : [])
  ])
  const notes: string[] = []
  for (const listener of report.listeners) {
    const lines = [...listener.warnings.map((warning) => `! ${warning}`), ...(listener.reason === null ? [] : [`reason: ${listener.reason}`])]
    if (report.probedTls && listener.tlsNote !== null) lines.push(listener.tlsNote)
    if (lines.length === 0) continue
    notes.push(`${endpointText(listener)}${holderText(listener)}\n${lines.map((line) => wrapText(line, width, '    ')).join('\n')}`)
  }
  const exposed = report.listeners.filter((listener) => listener.reach !== 'loopback').length
  const summary = `${report.listeners.length} listener${report.listeners.length === 1 ? '' : 's'}, ${exposed} reachable beyond loopback.`
  return `${table}\n${summary}\n${notes.length === 0 ? '' : `\n${notes.join('\n\n')}\n`}`
}
