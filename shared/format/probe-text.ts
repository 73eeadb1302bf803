/**
 * Probe results as plain text: the CLI prints these lines, and the renderer's "copy as text"
 * gives the same report.
 */
import {
  PROBE_ERROR_EXPLANATIONS,
  type CertificateDetails,
  type ConnectAttempt,
  type DnsTiming,
  type ProbeError,
  type ProbePolicy,
  type ProbeResult,
  type ProbeSample,
  type ProbeStatistics,
  type ReceivedData,
  type TcpProbeResult,
  type TlsProbeResult,
  type UdpProbeResult,
  type UdpReply
} from '../model/probe'
import { formatHostPort } from './socket-text'

/** Milliseconds with three decimals, e.g. `0.231 ms`; a dash for null. */
export function formatMilliseconds(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(3)} ms`
}

/** One line naming an error's kind and saying what happened. */
export function formatProbeError(error: ProbeError): string {
  const detail = error.detail !== null && error.detail !== error.kind ? ` (${error.detail})` : ''
  return `${error.kind}${detail}: ${error.message}`
}

/** The plain explanation of an error's kind, for a second line under {@link formatProbeError}. */
export function explainProbeError(error: ProbeError): string {
  return PROBE_ERROR_EXPLANATIONS[error.kind]
}

/**
 * What the backend's policy means for the user, in one or two sentences; null when any target
 * may be used. The Probe view shows it above the forms, before anything is refused.
 */
export function describeProbePolicy(policy: ProbePolicy): string | null {
  switch (policy.remoteTargets) {
    case 'deny': {
      const howToAllow = policy.howToAllow === null ? '' : ` ${policy.howToAllow}`
      return `Remote targets are off: probes and the connection holder reach only this machine (127.0.0.0/8, ::1), and listeners bind only loopback addresses.${howToAllow}`
    }
    case 'ask':
      return 'sockscope asks you before a probe, the connection holder or a listener uses another machine.'
    case 'allow':
      return null
  }
}

function label(name: string): string {
  return `  ${name.padEnd(11)} `
}

function describeDns(dns: DnsTiming | null): string[] {
  if (dns === null) return []
  if (dns.literal) return [`${label('address')}${dns.addresses[0]?.address ?? dns.host} (no lookup)`]
  const addresses = dns.addresses.map((entry) => entry.address).join(', ')
  return [`${label('dns')}${formatMilliseconds(dns.durationMs)}  ${addresses}`]
}

function describeAttempt(attempt: ConnectAttempt): string {
  const target = formatHostPort(attempt.address, attempt.port)
  if (!attempt.connected) return `${label('connect')}${target}  failed: ${attempt.error?.kind ?? 'unknown'}`
  const local = attempt.localAddress === null ? '' : `  from ${formatHostPort(attempt.localAddress, attempt.localPort ?? 0)}`
  return `${label('connect')}${target}  ${formatMilliseconds(attempt.connectMs)}${local}`
}

/** Received bytes as one quoted line of text, control characters escaped, shortened past `limit`. */
export function previewReceived(data: ReceivedData, limit = 200): string {
  const escaped = JSON.stringify(data.text.length > limit ? data.text.slice(0, limit) : data.text)
  const more = data.text.length > limit || data.truncated ? ' …' : ''
  return `${data.byteLength} bytes ${escaped}${more}`
}

/** A TCP probe result as report lines. */
function describeTcpResult(result: TcpProbeResult): string[] {
  const lines = [`TCP ${formatHostPort(result.host, result.port)}`, ...describeDns(result.dns)]
  for (const attempt of result.attempts) lines.push(describeAttempt(attempt))
  const exchange = result.exchange
  if (exchange !== null) {
    lines.push(`${label('sent')}${exchange.sentBytes} bytes`)
    lines.push(`${label('first byte')}${formatMilliseconds(exchange.firstByteMs)}`)
    if (exchange.reply !== null) lines.push(`${label('reply')}${previewReceived(exchange.reply)}`)
    if (exchange.peerClosed) lines.push(`${label('')}the server closed the connection`)
  }
  return lines
}

function describeCertificate(certificate: CertificateDetails, index: number): string[] {
  const role = index === 0 ? 'leaf' : certificate.selfSigned ? 'root' : 'issuer'
  const key = [certificate.keyType ?? 'unknown key', certificate.keySize === null ? '' : `${certificate.keySize} bits`, certificate.keyCurve ?? '']
    .filter((part) => part !== '')
    .join(' ')
  const expiry = certificate.expired ? 'expired' : `${certificate.daysToExpiry} days left`
  return [
    `Certificate ${index + 1} (${role})`,
    `${label('subject')}${certificate.subject}`,
    `${label('issuer')}${certificate.issuer}`,
    ...(certificate.subjectAltNames.length > 0 ? [`${label('names')}${certificate.subjectAltNames.join(', ')}`] : []),
    `${label('valid')}${certificate.validFrom} → ${certificate.validTo} (${expiry})`,
    `${label('key')}${key}`,
    `${label('sha-256')}${certificate.fingerprint256}`
  ]
}

/** A TLS probe result as report lines, the chain last. */
function describeTlsResult(result: TlsProbeResult): string[] {
  const lines = [`TLS ${formatHostPort(result.host, result.port)}`, ...describeDns(result.dns)]
  if (result.connect !== null) lines.push(describeAttempt(result.connect))
  if (result.handshakeMs !== null) {
    lines.push(`${label('handshake')}${formatMilliseconds(result.handshakeMs)}  ${result.protocol ?? '?'}  ${result.cipher ?? '?'}`)
    lines.push(`${label('sni')}${result.servername ?? '(none sent)'}`)
    const offered = result.alpnOffered.length > 0 ? ` (offered ${result.alpnOffered.join(', ')})` : ''
    lines.push(`${label('alpn')}${result.alpn ?? '(none)'}${offered}`)
    if (result.trustStore !== null) {
      lines.push(`${label('trust')}${result.trustStore.source} (${result.trustStore.certificateCount} certificates)`)
    }
    lines.push(
      result.authorized
        ? `${label('verified')}yes`
        : `${label('verified')}no, ${result.authorizationReason ?? 'other'}: ${result.authorizationMessage ?? result.authorizationError ?? ''}`
    )
    if (result.insecure && !result.authorized) lines.push(`${label('')}accepted anyway (--insecure)`)
  }
  result.certificates.forEach((certificate, index) => lines.push(...describeCertificate(certificate, index)))
  return lines
}

/**
 * Why a reply to the DNS preset is not a DNS answer, or null when it is one (or no DNS query was
 * sent): an echo or another protocol on that port answers, but not as a DNS server.
 */
export function dnsReplyProblem(result: Pick<UdpProbeResult, 'dnsQuery'>, reply: UdpReply): string | null {
  if (result.dnsQuery === null) return null
  if (reply.dns === null) return 'Not a DNS answer: the reply is not a DNS message, so the service on this port does not speak DNS.'
  if (!reply.dns.isResponse) return 'Not a DNS answer: the reply is a DNS query, not a response (an echo service sends the query back).'
  return null
}

/** A UDP probe result as report lines. */
function describeUdpResult(result: UdpProbeResult): string[] {
  const lines = [`UDP ${formatHostPort(result.host, result.port)}`, ...describeDns(result.dns)]
  if (result.dnsQuery !== null) lines.push(`${label('dns query')}${result.dnsQuery.name} ${result.dnsQuery.type}`)
  if (result.localPort !== null && result.localAddress !== null) {
    lines.push(`${label('sent')}${result.sentBytes} bytes from ${formatHostPort(result.localAddress, result.localPort)}`)
  }
  result.replies.forEach((reply, index) => {
    lines.push(`${label(`reply ${index + 1}`)}${formatMilliseconds(reply.receivedMs)}  from ${formatHostPort(reply.fromAddress, reply.fromPort)}  ${previewReceived(reply.data)}`)
    const problem = dnsReplyProblem(result, reply)
    if (problem !== null) lines.push(`${label('')}${problem}`)
    else if (reply.dns !== null) {
      const answers = reply.dns.answers.map((answer) => `${answer.type} ${answer.data}`).join(', ')
      lines.push(`${label('')}DNS ${reply.dns.responseCode}, ${reply.dns.answerCount} answers${answers === '' ? '' : `: ${answers}`}`)
    }
  })
  if (result.replies.length === 0 && result.error === null) lines.push(`${label('replies')}none`)
  if (result.refusedMs !== null) lines.push(`${label('refused')}ICMP port unreachable after ${formatMilliseconds(result.refusedMs)}`)
  return lines
}

/** Any probe result as report lines. */
export function describeProbeResult(result: ProbeResult): string[] {
  if (result.kind === 'tcp') return describeTcpResult(result)
  if (result.kind === 'tls') return describeTlsResult(result)
  return describeUdpResult(result)
}

/** One repeated-probe sample as a line, like tcping prints it. */
export function describeSample(sample: ProbeSample, target: string): string {
  return sample.ok
    ? `seq=${sample.sequence} connected to ${target} time=${formatMilliseconds(sample.latencyMs)}`
    : `seq=${sample.sequence} ${sample.error === null ? 'failed' : formatProbeError(sample.error)}`
}

/** The statistics of a repeated probe as two lines, like ping's summary. */
export function describeStatistics(statistics: ProbeStatistics): string[] {
  return [
    `${statistics.sent} sent, ${statistics.received} connected, ${statistics.lossPercent}% loss`,
    `min/avg/max/p95 = ${[statistics.minMs, statistics.avgMs, statistics.maxMs, statistics.p95Ms]
      .map((value) => (value === null ? '–' : value.toFixed(3)))
      .join('/')} ms, jitter ${formatMilliseconds(statistics.jitterMs)}`
  ]
}
