/**
 * The test-connection model: what a probe is asked to do and what it reports.
 *
 * Shared by the backend probes, the contract, the CLI and the renderer, so it holds only
 * plain data and browser-safe constants.
 */

/** The three one-shot probe kinds. */
export type ProbeKind = 'tcp' | 'tls' | 'udp'

/**
 * Why a probe failed, in categories a user can act on.
 *
 * - `invalid-input`: the request was rejected before anything was sent;
 * - `dns`: the name did not resolve (see {@link DnsFailure} in `detail`);
 * - `refused`: the host answered but nothing listens on the port;
 * - `timeout`: no answer within the time limit (`phase` says which step);
 * - `unreachable`: no route to the host or its network;
 * - `reset`: the peer aborted the connection;
 * - `closed`: the peer closed the connection before sending anything;
 * - `tls`: the TLS handshake or the certificate check failed;
 * - `address-in-use` and `permission`: a listener could not bind;
 * - `not-allowed`: the target is beyond this machine and the backend's policy (or its user) said no;
 * - `cancelled`: the user or the app stopped the probe;
 * - `unknown`: anything else, with the system's own message.
 */
export type ProbeErrorKind =
  'invalid-input' | 'dns' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'closed' | 'tls' | 'address-in-use' | 'permission' | 'not-allowed' | 'cancelled' | 'unknown'

/** A plain-words explanation of each error kind, shown next to the specific message. */
export const PROBE_ERROR_EXPLANATIONS: Readonly<Record<ProbeErrorKind, string>> = {
  'invalid-input': 'The request is not valid, so nothing was sent.',
  dns: 'The host name could not be turned into an address.',
  refused: 'The host answered, but nothing accepts connections on that port (or a firewall actively rejected the attempt).',
  timeout: 'Nothing answered within the time limit. A firewall may be silently dropping packets, the host may be down, or the service is slow.',
  unreachable: 'There is no route to that host or network from this machine.',
  reset: 'The other side aborted the connection (TCP reset).',
  closed: 'The other side closed the connection without sending anything.',
  tls: 'The TLS handshake or the certificate check failed.',
  'address-in-use': 'Another socket already uses that address and port.',
  permission: 'The system did not allow this operation (ports below 1024 need privileges).',
  'not-allowed': 'This sockscope may not use targets beyond this machine, so nothing was sent or bound.',
  cancelled: 'The probe was stopped before it finished.',
  unknown: 'The system reported an error sockscope does not classify.'
}

/** The step a probe was in when something happened. */
export type ProbePhase = 'input' | 'dns' | 'connect' | 'tls-handshake' | 'tls-verify' | 'send' | 'first-byte' | 'receive' | 'listen'

/**
 * How a DNS lookup failed.
 *
 * - `nxdomain`: the name does not exist (getaddrinfo's ENOTFOUND / EAI_NONAME);
 * - `servfail`: the resolver could not get an answer right now (EAI_AGAIN, ESERVFAIL);
 * - `no-data`: the name exists but has no address records (ENODATA);
 * - `timeout`: the lookup did not finish within the time limit;
 * - `other`: any other resolver error.
 */
export type DnsFailure = 'nxdomain' | 'servfail' | 'no-data' | 'timeout' | 'other'

/**
 * Why a certificate chain was not trusted, in the words users know.
 *
 * `unknown-ca` covers both a missing issuer and a chain that ends in a root nobody trusts;
 * `self-signed` is a lone certificate signed by its own key.
 */
export type TlsVerificationFailure = 'self-signed' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'unknown-ca' | 'revoked' | 'bad-signature' | 'other'

/** A classified probe failure. */
export interface ProbeError {
  readonly kind: ProbeErrorKind
  readonly phase: ProbePhase
  /** A finer category: a {@link DnsFailure} for `dns`, a {@link TlsVerificationFailure} for certificate failures, else null. */
  readonly detail: string | null
  /** The system's error code (ECONNREFUSED, ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, ...), or null. */
  readonly code: string | null
  /** One specific sentence for this failure, naming the address or limit involved. */
  readonly message: string
}

/** A payload as the user typed it. */
export interface PayloadSpec {
  readonly encoding: 'text' | 'hex'
  readonly value: string
  /**
   * For text: turn `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH` into the bytes they name
   * (handy on a command line, where a real newline is hard to type).
   */
  readonly escapes?: boolean
}

/** One address a name resolved to. */
export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** The outcome of turning the target host into addresses. */
export interface DnsTiming {
  readonly host: string
  /** True when the host was already an IP address and no lookup happened. */
  readonly literal: boolean
  readonly durationMs: number
  /** Every A and AAAA address, in the resolver's order. */
  readonly addresses: readonly ResolvedAddress[]
}

/** One TCP connection attempt to one address. */
export interface ConnectAttempt {
  readonly address: string
  readonly family: 4 | 6
  readonly port: number
  readonly connected: boolean
  /** From the connect call to the established connection; null when it failed. */
  readonly connectMs: number | null
  /** The local end the system picked; null when the attempt failed. */
  readonly localAddress: string | null
  readonly localPort: number | null
  readonly error: ProbeError | null
}

/** Bytes that came back, bounded by the read limit. */
export interface ReceivedData {
  readonly byteLength: number
  readonly hex: string
  /** The bytes decoded as UTF-8, with U+FFFD where they are not valid text. */
  readonly text: string
  /** True when more bytes arrived than the read limit kept. */
  readonly truncated: boolean
}

/** What happened to the optional payload of a TCP probe. */
export interface PayloadExchange {
  readonly sentBytes: number
  /** From the moment the payload was written to the first reply byte; null without a reply. */
  readonly firstByteMs: number | null
  readonly reply: ReceivedData | null
  /** True when the peer closed its side while the probe was reading. */
  readonly peerClosed: boolean
  readonly readLimitBytes: number
  readonly readTimeoutMs: number
}

/** Which resolved addresses a TCP probe connects to. */
export type AddressChoice = 'first' | 'all'

/** A one-shot TCP probe request. Unset numbers take the defaults in {@link PROBE_LIMITS}. */
export interface TcpProbeRequest {
  readonly host: string
  readonly port: number
  readonly addressChoice?: AddressChoice
  /** Time limit for the lookup and for each connect, milliseconds. */
  readonly timeoutMs?: number
  readonly payload?: PayloadSpec | null
  /** How many reply bytes to keep. */
  readonly readLimitBytes?: number
  /** How long to wait for the first reply byte, milliseconds. */
  readonly readTimeoutMs?: number
}

/** What every one-shot probe result reports, whatever its kind. */
export interface ProbeResultBase {
  readonly host: string
  readonly port: number
  /** Wall-clock start, epoch milliseconds. */
  readonly startedAt: number
  readonly durationMs: number
  readonly ok: boolean
  /** Null when the request was rejected before the lookup, or the lookup failed. */
  readonly dns: DnsTiming | null
  readonly error: ProbeError | null
}

/** What a TCP probe found. */
export interface TcpProbeResult extends ProbeResultBase {
  readonly kind: 'tcp'
  /**
   * True when every attempted address connected and, with a payload, a reply arrived.
   * With addressChoice `first` only the first address is attempted.
   */
  readonly ok: boolean
  readonly addressChoice: AddressChoice
  readonly attempts: readonly ConnectAttempt[]
  /** Present when a payload was sent (over the first connection that succeeded). */
  readonly exchange: PayloadExchange | null
}

/** A TLS probe request. */
export interface TlsProbeRequest {
  readonly host: string
  readonly port: number
  /** The SNI name to send; defaults to the host when it is a name (IP addresses send no SNI). */
  readonly servername?: string | null
  /** ALPN protocols to offer, most preferred first (e.g. h2, http/1.1). */
  readonly alpnProtocols?: readonly string[]
  /** PEM text of the CA certificates to trust instead of the system's. */
  readonly caPem?: string | null
  /** Where caPem came from (a file name), for the report only. */
  readonly caSource?: string | null
  /** Count the probe as successful even when the chain is not trusted. */
  readonly insecure?: boolean
  /** Time limit for each of the lookup, the connect and the handshake, milliseconds. */
  readonly timeoutMs?: number
}

/** One certificate of a chain, as a person reads it. */
export interface CertificateDetails {
  /** Distinguished name, one `KEY=value` per attribute, joined with ", ". */
  readonly subject: string
  readonly subjectCommonName: string | null
  readonly issuer: string
  readonly issuerCommonName: string | null
  /** As OpenSSL prints them: `DNS:example.com`, `IP Address:127.0.0.1`, ... */
  readonly subjectAltNames: readonly string[]
  /** ISO 8601. */
  readonly validFrom: string
  /** ISO 8601. */
  readonly validTo: string
  /** Whole days until validTo (negative once it has expired). */
  readonly daysToExpiry: number
  readonly expired: boolean
  readonly notYetValid: boolean
  /** SHA-256 of the DER bytes, colon-separated upper-case hex. */
  readonly fingerprint256: string
  readonly serialNumber: string
  /** rsa, ec, ed25519, ... or null when unknown. */
  readonly keyType: string | null
  /** Key size in bits (the modulus for RSA, the curve size for EC). */
  readonly keySize: number | null
  /** The named curve for EC keys. */
  readonly keyCurve: string | null
  readonly isCertificateAuthority: boolean
  /** Subject equals issuer and the certificate verifies with its own key. */
  readonly selfSigned: boolean
  readonly pem: string
}

/** Which certificates a TLS probe trusted. */
export interface TrustStore {
  /** `system`: the OS bundle; `node-bundled`: Node's built-in Mozilla list; `ca-file`: the user's PEM. */
  readonly kind: 'system' | 'node-bundled' | 'ca-file'
  /** A file path or a short description. */
  readonly source: string
  readonly certificateCount: number
}

/** What a TLS probe found. */
export interface TlsProbeResult extends ProbeResultBase {
  readonly kind: 'tls'
  /** True when the handshake finished and the chain was trusted (or `insecure` was set). */
  readonly ok: boolean
  readonly connect: ConnectAttempt | null
  /** From the TCP connection to the finished handshake. */
  readonly handshakeMs: number | null
  /** TLSv1.3, TLSv1.2, ... */
  readonly protocol: string | null
  /** The cipher as OpenSSL names it. */
  readonly cipher: string | null
  /** The cipher as the IANA registry names it. */
  readonly cipherStandardName: string | null
  /** The ALPN protocol the server picked, or null. */
  readonly alpn: string | null
  readonly alpnOffered: readonly string[]
  /** The SNI name sent, or null when none was (IP address targets). */
  readonly servername: string | null
  readonly insecure: boolean
  readonly trustStore: TrustStore | null
  readonly authorized: boolean
  /** The verifier's code (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ...). */
  readonly authorizationError: string | null
  readonly authorizationReason: TlsVerificationFailure | null
  /** The reason in plain words. */
  readonly authorizationMessage: string | null
  /**
   * Whether the leaf covers the name checked (the SNI name, else the host), tested on its own
   * so a wrong host shows even when another problem, such as self-signing, came first.
   */
  readonly hostnameMatches: boolean | null
  /** Leaf first, then each issuer the server sent or the trust store supplied. */
  readonly certificates: readonly CertificateDetails[]
}

/** DNS record types the query preset can ask for, in the order forms list them. */
export const DNS_RECORD_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'PTR', 'MX', 'TXT', 'AAAA', 'SRV', 'ANY'] as const

/** A DNS record type the query preset can ask for. */
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number]

/** The one question the UDP probe's DNS preset sends. */
export interface DnsQuery {
  readonly name: string
  readonly type: DnsRecordType
}

/** A UDP probe request; give exactly one of payload and dnsQuery. */
export interface UdpProbeRequest {
  readonly host: string
  readonly port: number
  readonly payload?: PayloadSpec | null
  readonly dnsQuery?: DnsQuery | null
  /** How long to wait for replies, milliseconds. */
  readonly timeoutMs?: number
  /** Stop waiting after this many replies. */
  readonly maxReplies?: number
  /** How many bytes of each reply to keep. */
  readonly readLimitBytes?: number
}

/** One answer record of a DNS reply. */
export interface DnsAnswerSummary {
  readonly name: string
  /** The type mnemonic, e.g. AAAA, or TYPEnnn for one without a name. */
  readonly type: string
  readonly ttl: number
  /** The record data as zone-file text: an address, a name, MX/SRV/SOA fields, TXT strings, or `\# length hex`. */
  readonly data: string
}

/** The header and answers of a DNS reply. */
export interface DnsReplySummary {
  readonly id: number
  readonly isResponse: boolean
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ... */
  readonly responseCode: string
  readonly truncated: boolean
  readonly questionCount: number
  readonly answerCount: number
  readonly authorityCount: number
  readonly additionalCount: number
  readonly answers: readonly DnsAnswerSummary[]
}

/** One datagram that came back. */
export interface UdpReply {
  /** From sending the payload to receiving this datagram. */
  readonly receivedMs: number
  readonly fromAddress: string
  readonly fromPort: number
  readonly data: ReceivedData
  /** Present when the probe sent a DNS query and the reply parsed as DNS. */
  readonly dns: DnsReplySummary | null
}

/** What a UDP probe found. */
export interface UdpProbeResult extends ProbeResultBase {
  readonly kind: 'udp'
  /** True when at least one reply arrived. */
  readonly ok: boolean
  /** The address the datagram went to. */
  readonly address: string | null
  readonly localAddress: string | null
  readonly localPort: number | null
  readonly sentBytes: number
  readonly timeoutMs: number
  readonly replies: readonly UdpReply[]
  /** Milliseconds from sending to the ICMP port unreachable that refused the datagram; null when none came. */
  readonly refusedMs: number | null
  /** The DNS query sent, when the DNS preset was used. */
  readonly dnsQuery: DnsQuery | null
}

/** Any one-shot probe result. */
export type ProbeResult = TcpProbeResult | TlsProbeResult | UdpProbeResult

/** A repeated TCP connect probe (like tcping). */
export interface RepeatedProbeRequest {
  readonly host: string
  readonly port: number
  /** Time between the starts of two attempts, milliseconds. */
  readonly intervalMs?: number
  /** How many attempts; null runs until stopped. */
  readonly count?: number | null
  /** Connect time limit of each attempt, milliseconds. */
  readonly timeoutMs?: number
}

/** One attempt of a repeated probe. */
export interface ProbeSample {
  /** 1-based. */
  readonly sequence: number
  /** Wall-clock time of the attempt, epoch milliseconds. */
  readonly at: number
  readonly ok: boolean
  /** Connect time; null when the attempt failed. */
  readonly latencyMs: number | null
  readonly error: ProbeError | null
}

/**
 * Figures over the samples so far. The latency figures cover successful samples only
 * and are null until one succeeds. Everything is exact over the whole run except p95, which
 * covers the most recent {@link PROBE_LIMITS}.keptSamples successful latencies, so a probe
 * that runs until stopped holds a bounded number of them.
 */
export interface ProbeStatistics {
  readonly sent: number
  readonly received: number
  readonly lost: number
  /** lost / sent × 100; 0 with no samples. */
  readonly lossPercent: number
  readonly minMs: number | null
  readonly avgMs: number | null
  readonly maxMs: number | null
  /** 95th percentile by the nearest-rank method, over the most recent keptSamples latencies. */
  readonly p95Ms: number | null
  /**
   * Mean absolute difference between consecutive successful latencies (the idea behind
   * RFC 3550's interarrival jitter, without its smoothing); null with fewer than two.
   */
  readonly jitterMs: number | null
}

/** Why a repeated probe ended. */
export type RepeatedProbeEnd = 'count' | 'stopped' | 'failed'

/** One pushed update of a running repeated probe. */
export interface RepeatedProbeUpdate {
  readonly runId: string
  readonly sample: ProbeSample
  readonly statistics: ProbeStatistics
}

/** The state of a repeated probe, while running and once finished. */
export interface RepeatedProbeSummary {
  readonly runId: string
  readonly host: string
  readonly port: number
  /** The address every attempt connects to (resolved once at the start). */
  readonly address: string | null
  readonly intervalMs: number
  readonly count: number | null
  readonly timeoutMs: number
  readonly dns: DnsTiming | null
  readonly startedAt: number
  readonly finishedAt: number | null
  readonly endedBy: RepeatedProbeEnd | null
  /** The most recent samples (older ones are dropped past {@link PROBE_LIMITS}.keptSamples). */
  readonly samples: readonly ProbeSample[]
  readonly statistics: ProbeStatistics
  /** Set when the run could not start (bad input, DNS failure). */
  readonly error: ProbeError | null
}

/** New samples of one repeated probe since the last push, with the figures over all of them. */
export interface RepeatedProbeSampleBatch {
  readonly runId: string
  readonly samples: readonly ProbeSample[]
  readonly statistics: ProbeStatistics
  /** Set on the run's last batch. */
  readonly endedBy: RepeatedProbeEnd | null
  readonly finishedAt: number | null
}

/** What a test listener does with what it receives. */
export type ListenerMode = 'echo' | 'discard' | 'reply'

/** A request to start a local test listener. */
export interface TestListenerRequest {
  readonly protocol: 'tcp' | 'udp'
  /** An IP address to bind; defaults to 127.0.0.1. */
  readonly address?: string
  /** 0 lets the system pick a free port. */
  readonly port: number
  readonly mode: ListenerMode
  /** The fixed reply, for mode `reply`. */
  readonly reply?: PayloadSpec | null
}

/** A peer that talked to a test listener. */
export interface ListenerPeer {
  readonly id: string
  readonly remoteAddress: string
  readonly remotePort: number
  readonly firstSeenAt: number
  readonly lastSeenAt: number
  /** TCP: still connected. UDP: always false (there is no connection). */
  readonly connected: boolean
  readonly bytesIn: number
  readonly bytesOut: number
}

/** A running (or just stopped) test listener. */
export interface TestListenerInfo {
  readonly id: string
  readonly protocol: 'tcp' | 'udp'
  readonly address: string
  readonly port: number
  readonly family: 4 | 6
  readonly mode: ListenerMode
  readonly replyBytes: number
  /** The process that owns the socket: sockscope itself. */
  readonly pid: number
  readonly startedAt: number
  readonly stoppedAt: number | null
  /** The most recent peers (older closed ones are dropped past {@link PROBE_LIMITS}.keptPeers). */
  readonly peers: readonly ListenerPeer[]
  readonly totalPeers: number
  readonly bytesIn: number
  readonly bytesOut: number
}

/**
 * What the backend lets its clients aim probes, the connection holder and test listeners at,
 * as the host that started it decided (`probe/policy`). Loopback targets are always allowed.
 *
 * - `deny`: loopback only (web mode unless `serve` was started to allow more);
 * - `ask`: the desktop app asks its user in a native dialog before each target beyond this machine;
 * - `allow`: any target (web mode started with `--allow-remote-targets`).
 */
export interface ProbePolicy {
  readonly remoteTargets: 'allow' | 'deny' | 'ask'
  /** When denied: how the person running sockscope can allow more, e.g. the `serve` flag. */
  readonly howToAllow: string | null
}

/** A request to open and hold TCP connections. */
export interface HolderOpenRequest {
  readonly host: string
  readonly port: number
  readonly count: number
  /**
   * The user confirmed a target beyond this machine in the form. Never enough on its own: the
   * backend's policy decides first (see {@link ProbePolicy}).
   */
  readonly allowNonLoopback?: boolean
  /** Connect time limit of each connection, milliseconds. */
  readonly timeoutMs?: number
}

/** One group of held connections. */
export interface HeldConnectionGroup {
  readonly id: string
  readonly host: string
  readonly port: number
  readonly address: string | null
  readonly requested: number
  /** Attempts still connecting. */
  readonly pending: number
  readonly open: number
  readonly failed: number
  /** Connections the server closed or reset after they were established. */
  readonly closedByPeer: number
  readonly released: boolean
  readonly startedAt: number
  /** How many failures of each kind, e.g. { refused: 3 }. */
  readonly failures: Readonly<Partial<Record<ProbeErrorKind, number>>>
  /** The first failure, as an example of what went wrong. */
  readonly firstError: ProbeError | null
}

/** Every held group at once, with the shared limit. */
export interface HolderStatus {
  readonly groups: readonly HeldConnectionGroup[]
  readonly totalOpen: number
  /** Open plus pending connections may not exceed this. */
  readonly limit: number
}

/** A numeric setting's default and allowed range. */
export interface NumericLimit {
  readonly default: number
  readonly min: number
  readonly max: number
}

/** Defaults and hard bounds for every probe setting, so no wait is ever unbounded. */
export const PROBE_LIMITS = {
  timeoutMs: { default: 5_000, min: 1, max: 60_000 },
  readTimeoutMs: { default: 5_000, min: 1, max: 60_000 },
  udpTimeoutMs: { default: 2_000, min: 1, max: 60_000 },
  readLimitBytes: { default: 4_096, min: 1, max: 1_048_576 },
  udpMaxReplies: { default: 16, min: 1, max: 1_000 },
  intervalMs: { default: 1_000, min: 10, max: 3_600_000 },
  repeatCount: { default: 10, min: 1, max: 1_000_000 },
  holderCount: { default: 100, min: 1, max: 1_000 },
  /** The largest TCP payload a probe sends. */
  tcpPayloadBytes: 1_048_576,
  /** The largest UDP payload: 65,535 minus the IPv4 and UDP headers. */
  udpPayloadBytes: 65_507,
  /** Samples a repeated probe keeps in its summary. */
  keptSamples: 10_000,
  /** Peers a test listener keeps in its list. */
  keptPeers: 200,
  alpnProtocols: 16
} as const satisfies Record<string, NumericLimit | number>
