/**
 * Parses the Internet section of macOS `netstat -anv` (optionally with `-p tcp` or `-p udp`).
 * This is where sockets no process holds (TIME_WAIT, orphaned FIN_WAIT) show up, which lsof and
 * libproc, walking processes, never see.
 *
 * The columns after the state differ between macOS releases: older ones print
 * `rhiwat shiwat pid epid state options`, newer ones `rxbytes txbytes rhiwat shiwat process:pid
 * state options gencnt flags flags1 usecnt rtncnt fltrs`, where the process name may hold
 * spaces. The header names the columns, so they are read by name, never by position.
 */
import type { SocketState, TableIssue } from '../../../../shared/model/socket'
import { datagramState, isNumericAddress, wildcardAddress, type InetEndpoints } from '../inet-socket-row'
import { darwinTcpStateFromName } from './darwin-tcp-states'

/** One socket line. */
export interface NetstatSocket extends InetEndpoints {
  readonly protocol: 'tcp' | 'udp'
  /** tcp46/udp46: an IPv6 socket that also takes IPv4. */
  readonly dualStack: boolean
  readonly recvQueue: number
  readonly sendQueue: number
  /** The owning process from `pid` or `process:pid`; null when netstat names none (pid 0). */
  readonly pid: number | null
  /** The name from `process:pid` (cut to 16 characters by netstat); null in the older format. */
  readonly processName: string | null
}

/** The sockets and the lines that could not be read. */
export interface NetstatParse {
  readonly sockets: readonly NetstatSocket[]
  readonly issues: readonly TableIssue[]
}

const PROTOCOL_PATTERN = /^(tcp|udp)(4|6|46)$/

/** Parses the output; `source` names it in issues. */
export function parseNetstatSockets(text: string, source = 'netstat -anv'): NetstatParse {
  const sockets: NetstatSocket[] = []
  const issues: TableIssue[] = []
  let columnsAfterState: string[] | null = null
  // Output of `netstat -p tcp` has no section title; before any title or header, lines are judged as the Internet section's.
  let inInternetSection = true
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd()
    const number = index + 1
    if (line.trim() === '') return
    if (line.startsWith('Active ')) {
      inInternetSection = line.startsWith('Active Internet')
      columnsAfterState = null
      return
    }
    if (line.startsWith('Proto')) {
      columnsAfterState = headerColumnsAfterState(line)
      // `netstat -p tcp` prints no section title: a header alone starts the section.
      inInternetSection = true
      return
    }
    if (!inInternetSection) return
    const tokens = line.trim().split(/\s+/)
    const protocolToken = tokens[0] ?? ''
    if (!PROTOCOL_PATTERN.test(protocolToken)) {
      // Other protocols of the section (icm4, raw sockets) are not in the socket table.
      if (/^[a-z]+\d*$/.test(protocolToken) && tokens.length >= 5) return
      issues.push({ source, line: number, message: 'not a socket line', text: line })
      return
    }
    if (columnsAfterState === null) {
      issues.push({ source, line: number, message: 'a socket line before any header line', text: line })
      return
    }
    const parsed = parseSocketLine(tokens, columnsAfterState)
    if (typeof parsed === 'string') issues.push({ source, line: number, message: parsed, text: line })
    else sockets.push(parsed)
  })
  return { sockets, issues }
}

/** The header's column names after `(state)`, in order. */
function headerColumnsAfterState(header: string): string[] {
  const tokens = header.trim().split(/\s+/)
  const state = tokens.indexOf('(state)')
  return state < 0 ? [] : tokens.slice(state + 1)
}

function parseSocketLine(tokens: readonly string[], columnsAfterState: readonly string[]): NetstatSocket | string {
  const [protocolToken = '', recvText = '', sendText = '', localText = '', remoteText = ''] = tokens
  const match = PROTOCOL_PATTERN.exec(protocolToken)
  if (match === null) return `unknown protocol ${protocolToken}`
  const protocol = match[1] === 'tcp' ? 'tcp' : 'udp'
  const family = match[2] === '4' ? 4 : 6
  if (!/^\d+$/.test(recvText) || !/^\d+$/.test(sendText)) return 'the queue columns are not numbers'
  const local = parseEndpoint(localText, family)
  const remote = parseEndpoint(remoteText, family)
  if (typeof local === 'string') return local
  if (typeof remote === 'string') return remote
  let next = 5
  let state: SocketState
  if (protocol === 'tcp') {
    const named = darwinTcpStateFromName(tokens[5] ?? '')
    if (named === null) return `unknown TCP state ${JSON.stringify(tokens[5] ?? '')}`
    state = named
    next = 6
  } else state = datagramState(remote.port)
  const owner = readOwner(tokens.slice(next), columnsAfterState)
  if (typeof owner === 'string') return owner
  return {
    protocol,
    family,
    dualStack: match[2] === '46',
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    recvQueue: Number(recvText),
    sendQueue: Number(sendText),
    ...owner
  }
}

/**
 * The owner from the columns after the state: `process:pid` (whose name may span several tokens,
 * so it ends at the first token that ends in `:digits`), or `pid`.
 */
function readOwner(tokens: readonly string[], columns: readonly string[]): { pid: number | null; processName: string | null } | string {
  let position = 0
  for (const column of columns) {
    if (column === 'process:pid') {
      let end = position
      while (end < tokens.length && !/:\d+$/.test(tokens[end] ?? '')) end += 1
      if (end >= tokens.length) return 'no process:pid column in the line'
      const joined = tokens.slice(position, end + 1).join(' ')
      const colon = joined.lastIndexOf(':')
      const pid = Number(joined.slice(colon + 1))
      return { pid: pid === 0 ? null : pid, processName: pid === 0 ? null : joined.slice(0, colon) }
    }
    if (column === 'pid') {
      const text = tokens[position] ?? ''
      if (!/^\d+$/.test(text)) return `the pid column holds ${JSON.stringify(text)}`
      const pid = Number(text)
      return { pid: pid === 0 ? null : pid, processName: null }
    }
    position += 1
  }
  // Plain `netstat -an` (no -v) names no owner.
  return { pid: null, processName: null }
}

/** `192.168.0.105.59739`, `*.7000`, `*.*`, `fe80::1%lo0.123`: the port follows the last dot. */
function parseEndpoint(text: string, family: 4 | 6): { address: string; port: number } | string {
  const dot = text.lastIndexOf('.')
  if (dot <= 0) return `cannot read the endpoint ${JSON.stringify(text)}`
  const host = text.slice(0, dot)
  const port = text.slice(dot + 1)
  if (port !== '*' && !/^\d+$/.test(port)) return `the port in ${JSON.stringify(text)} is not a number; netstat must run with -n`
  const portNumber = port === '*' ? 0 : Number(port)
  if (portNumber > 65535) return `the port in ${JSON.stringify(text)} is out of range`
  if (host === '*') return { address: wildcardAddress(family), port: portNumber }
  if (!isNumericAddress(host, 4) && !isNumericAddress(host, 6)) return `the address in ${JSON.stringify(text)} is a host name; netstat must run with -n`
  return { address: host, port: portNumber }
}
