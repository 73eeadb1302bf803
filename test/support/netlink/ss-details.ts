/**
 * Reads the detail lines of `ss -H` with -i, -e and -m (iproute2), as the reference that netlink
 * decoders are checked against. Tests only: the product never parses ss.
 *
 * Each socket is a main line (`State Recv-Q Send-Q Local:Port Peer:Port ino:… sk:…`) and, with
 * -i or -m, a continuation line starting with a tab: `skmem:(…)`, bare words (`ts`, `sack`, the
 * congestion algorithm, `app_limited`), `key:value` pairs (`rtt:0.026/0.013`, `cwnd:10`) and
 * `key value` pairs for rates (`send 1bps`, `pacing_rate 2bps`, `delivery_rate 3bps`).
 */
import { elementAt } from '../../../shared/element-at'

/** One socket of `ss -tainemH` or `ss -uanemH`. */
export interface SsDetailedSocket {
  readonly state: string
  readonly recvQueue: number
  readonly sendQueue: number
  readonly localAddress: string
  readonly localPort: number | null
  readonly peerAddress: string
  readonly peerPort: number | null
  /** `key:value` tokens, e.g. rtt → 0.026/0.013, skmem → (r0,rb…), timer → (timewait,59sec,0). */
  readonly values: ReadonlyMap<string, string>
  /** Rates in bits per second: send, pacing_rate, delivery_rate. */
  readonly rates: ReadonlyMap<string, number>
  /** Bare words: ts, sack, ecn, the congestion algorithm, app_limited, … */
  readonly words: ReadonlySet<string>
  readonly text: string
}

const RATE_KEYS = new Set(['send', 'pacing_rate', 'delivery_rate'])

/** Parses header-less ss output for IP sockets; throws on a line it cannot read. */
export function parseSsDetails(output: string): SsDetailedSocket[] {
  const records: string[] = []
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue
    if (/^\s/.test(line) && records.length > 0) records[records.length - 1] += ` ${line.trim()}`
    else records.push(line)
  }
  return records.map(parseRecord)
}

function parseRecord(text: string): SsDetailedSocket {
  const tokens = text.trim().split(/\s+/)
  if (tokens.length < 5) throw new Error(`ss line has too few columns: ${text}`)
  const [state, recvQueue, sendQueue, local, peer, ...rest] = tokens as [string, string, string, string, string, ...string[]]
  const [localAddress, localPort] = splitEndpoint(local)
  const [peerAddress, peerPort] = splitEndpoint(peer)
  const values = new Map<string, string>()
  const rates = new Map<string, number>()
  const words = new Set<string>()
  for (let index = 0; index < rest.length; index++) {
    const token = elementAt(rest, index)
    if (RATE_KEYS.has(token)) {
      const rate = rest[++index]
      if (rate === undefined || !rate.endsWith('bps')) throw new Error(`ss rate ${token} without a value: ${text}`)
      rates.set(token, Number(rate.slice(0, -3)))
    } else if (token.includes(':')) {
      const colon = token.indexOf(':')
      values.set(token.slice(0, colon), token.slice(colon + 1))
    } else words.add(token)
  }
  return {
    state,
    recvQueue: Number(recvQueue),
    sendQueue: Number(sendQueue),
    localAddress,
    localPort,
    peerAddress,
    peerPort,
    values,
    rates,
    words,
    text
  }
}

/** `[::1]:80` → ::1, 80; `127.0.0.1:53` → 127.0.0.1, 53; `0.0.0.0:*` → 0.0.0.0, null. */
function splitEndpoint(endpoint: string): [string, number | null] {
  const colon = endpoint.lastIndexOf(':')
  if (colon === -1) throw new Error(`ss endpoint without a port: ${endpoint}`)
  let address = endpoint.slice(0, colon)
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
  const percent = address.indexOf('%')
  if (percent !== -1) address = address.slice(0, percent)
  const port = endpoint.slice(colon + 1)
  return [address, port === '*' ? null : Number(port)]
}

/** The numbers of `skmem:(r0,rb131072,…)`, keyed by ss's short names (r, rb, t, tb, f, w, o, bl, d). */
export function ssSocketMemory(socket: SsDetailedSocket): ReadonlyMap<string, number> | null {
  const text = socket.values.get('skmem')
  if (text === undefined) return null
  const counters = new Map<string, number>()
  for (const part of text.replace(/^\(|\)$/g, '').split(',')) {
    const match = /^([a-z]+)(\d+)$/.exec(part)
    if (match === null) throw new Error(`unexpected skmem part ${part}`)
    counters.set(elementAt(match, 1), Number(match[2]))
  }
  return counters
}
