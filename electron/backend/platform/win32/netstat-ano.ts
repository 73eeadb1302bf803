/**
 * Parses Windows `netstat -ano`: the Windows fallback when iphlpapi cannot be called. Lines are
 * found by their shape, not by the header (whose words are translated on non-English Windows):
 * `TCP local foreign state pid` and `UDP local *:* pid`. State names are read in English; on a
 * Windows whose netstat prints translated state names those lines are reported, not guessed.
 */
import type { SocketState, TableIssue } from '../../../../shared/model/socket'
import { datagramState, isNumericAddress, wildcardAddress } from '../inet-socket-row'
import type { MibSocket } from './mib-tables'
import { windowsTcpStateFromName } from './win32-tcp-states'

/** The sockets and the lines that could not be read. */
export interface NetstatAnoParse {
  readonly sockets: readonly MibSocket[]
  readonly issues: readonly TableIssue[]
}

/** Parses the output; `source` names it in issues. */
export function parseNetstatAno(text: string, source = 'netstat -ano'): NetstatAnoParse {
  const sockets: MibSocket[] = []
  const issues: TableIssue[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    const tokens = line.split(/\s+/)
    const protocol = tokens[0]
    if (protocol !== 'TCP' && protocol !== 'UDP') return
    const parsed = protocol === 'TCP' ? parseTcp(tokens) : parseUdp(tokens)
    if (typeof parsed === 'string') issues.push({ source, line: index + 1, message: parsed, text: line })
    else sockets.push(parsed)
  })
  return { sockets, issues }
}

function parseTcp(tokens: readonly string[]): MibSocket | string {
  if (tokens.length !== 5) return `a TCP line has 5 columns, this one ${tokens.length}`
  const [, localText = '', remoteText = '', stateText = '', pidText = ''] = tokens
  const local = parseEndpoint(localText)
  const remote = parseEndpoint(remoteText)
  if (typeof local === 'string') return local
  if (typeof remote === 'string') return remote
  const state: SocketState | null = windowsTcpStateFromName(stateText)
  if (state === null) return `unknown TCP state ${JSON.stringify(stateText)}`
  if (!/^\d+$/.test(pidText)) return `the PID column holds ${JSON.stringify(pidText)}`
  return {
    protocol: 'tcp',
    family: local.family,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    pid: Number(pidText)
  }
}

function parseUdp(tokens: readonly string[]): MibSocket | string {
  if (tokens.length !== 4) return `a UDP line has 4 columns, this one ${tokens.length}`
  const [, localText = '', remoteText = '', pidText = ''] = tokens
  const local = parseEndpoint(localText)
  if (typeof local === 'string') return local
  if (remoteText !== '*:*') return `a UDP line's foreign address is *:*, this one ${JSON.stringify(remoteText)}`
  if (!/^\d+$/.test(pidText)) return `the PID column holds ${JSON.stringify(pidText)}`
  return {
    protocol: 'udp',
    family: local.family,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: wildcardAddress(local.family),
    remotePort: 0,
    state: datagramState(0),
    pid: Number(pidText)
  }
}

/** `0.0.0.0:135`, `[::]:135`, `[fe80::1%9]:1900`; an error text otherwise. */
function parseEndpoint(text: string): { family: 4 | 6; address: string; port: number } | string {
  let family: 4 | 6
  let host: string
  let port: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']:')
    if (close < 0) return `cannot read the endpoint ${JSON.stringify(text)}`
    family = 6
    host = text.slice(1, close)
    port = text.slice(close + 2)
  } else {
    const colon = text.lastIndexOf(':')
    if (colon < 0) return `cannot read the endpoint ${JSON.stringify(text)}`
    family = 4
    host = text.slice(0, colon)
    port = text.slice(colon + 1)
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `the port in ${JSON.stringify(text)} is not a port number; netstat must run with -n`
  if (!isNumericAddress(host, family)) return `the address in ${JSON.stringify(text)} is not numeric; netstat must run with -n`
  return { family, address: host, port: Number(port) }
}
