/**
 * Parses `lsof -F` field output: one field per line, its first character naming it (lsof(8),
 * "OUTPUT FOR OTHER PROGRAMS"). A `p` line starts a process (its `c` command, `u` uid and `L`
 * login follow); an `f` line starts one of its files (its `t` type, `d` device, `P` protocol, `n`
 * name and `T` TCP/TPI lines follow). The format is the same on every system lsof runs on; only
 * some values differ (on macOS `d` is the socket's kernel address, on Linux the socket's inode).
 *
 * Only IPv4 and IPv6 files are kept. A line that cannot be read is reported with its number and
 * the rest of the output still is: one bad record never loses the others.
 */
import type { SocketState, TableIssue } from '../../../../shared/model/socket'
import { darwinTcpStateFromName } from './darwin-tcp-states'
import { datagramState, isNumericAddress, wildcardAddress, type InetEndpoints } from '../inet-socket-row'

/** One Internet socket file of one process. */
export interface LsofSocket extends InetEndpoints {
  readonly pid: number
  readonly command: string | null
  readonly uid: number | null
  readonly login: string | null
  readonly fd: string
  readonly protocol: 'tcp' | 'udp'
  /** TQR and TQS: null when lsof did not report them. */
  readonly recvQueue: number | null
  readonly sendQueue: number | null
  /** The `d` field as printed: the socket's kernel address on macOS. */
  readonly device: string | null
}

/** The sockets found and the lines that could not be read. */
export interface LsofParse {
  readonly sockets: readonly LsofSocket[]
  readonly issues: readonly TableIssue[]
}

interface ProcessFields {
  pid: number
  command: string | null
  uid: number | null
  login: string | null
}

interface FileFields {
  line: number
  fd: string
  type: string | null
  device: string | null
  protocol: string | null
  name: string | null
  nameLine: number
  state: string | null
  recvQueue: number | null
  sendQueue: number | null
}

/** Parses the whole output; `source` names it in issues. */
export function parseLsofFields(text: string, source = 'lsof'): LsofParse {
  const sockets: LsofSocket[] = []
  const issues: TableIssue[] = []
  const lines = text.split('\n')
  let process: ProcessFields | null = null
  // A process line that could not be read: its files are skipped until the next process.
  let skippingProcess = false
  let file: FileFields | null = null

  const issue = (line: number, message: string, lineText: string) => issues.push({ source, line, message, text: lineText })
  const finishFile = () => {
    if (file !== null && process !== null) {
      const socket = socketOf(process, file, (message) => issue(file?.nameLine ?? 0, message, file?.name === null || file?.name === undefined ? '' : `n${file.name}`))
      if (socket !== null) sockets.push(socket)
    }
    file = null
  }

  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const number = index + 1
    if (line === '') return
    const field = line[0]
    const value = line.slice(1)
    if (field === 'p') {
      finishFile()
      const pid = Number(value)
      if (!/^\d+$/.test(value) || pid <= 0) {
        issue(number, 'a process id must be a positive number', line)
        process = null
        skippingProcess = true
        return
      }
      process = { pid, command: null, uid: null, login: null }
      skippingProcess = false
      return
    }
    if (skippingProcess) return
    if (process === null) {
      issue(number, 'a field before any process (p) line', line)
      return
    }
    if (file === null && field !== 'f') {
      if (field === 'c') process.command = value
      else if (field === 'u') process.uid = /^\d+$/.test(value) ? Number(value) : null
      else if (field === 'L') process.login = value
      // Other process fields (g, R, K…) are not used.
      return
    }
    if (field === 'f') {
      finishFile()
      file = { line: number, fd: value, type: null, device: null, protocol: null, name: null, nameLine: number, state: null, recvQueue: null, sendQueue: null }
      return
    }
    if (file === null) return
    switch (field) {
      case 't':
        file.type = value
        break
      case 'd':
        file.device = value
        break
      case 'P':
        file.protocol = value
        break
      case 'n':
        file.name = value
        file.nameLine = number
        break
      case 'T':
        readTcpField(file, value)
        break
      default:
        // a (access), l (lock), i (inode), o (offset), s (size), k (links), G (flags): not used.
        break
    }
  })
  finishFile()
  return { sockets, issues }
}

/** TST=state, TQR=receive queue, TQS=send queue; other TCP/TPI fields (SO=, TF=…) are not used. */
function readTcpField(file: FileFields, value: string): void {
  const equals = value.indexOf('=')
  const key = value.slice(0, equals)
  const setting = value.slice(equals + 1)
  if (key === 'ST') file.state = setting
  else if (key === 'QR' && /^\d+$/.test(setting)) file.recvQueue = Number(setting)
  else if (key === 'QS' && /^\d+$/.test(setting)) file.sendQueue = Number(setting)
}

/** The socket a file is, null when it is not an Internet socket or cannot be read (then `report` says why). */
function socketOf(process: ProcessFields, file: FileFields, report: (message: string) => void): LsofSocket | null {
  const family = file.type === 'IPv4' ? 4 : file.type === 'IPv6' ? 6 : null
  if (family === null) return null
  const protocol = file.protocol === 'TCP' ? 'tcp' : file.protocol === 'UDP' ? 'udp' : null
  // Other IP protocols (ICMP, raw) are not in the table lsof gives us.
  if (protocol === null) return null
  if (file.name === null) {
    report(`fd ${file.fd} of pid ${process.pid} has no name (n) field`)
    return null
  }
  const [localText = '', remoteText] = file.name.split('->')
  const local = parseEndpoint(localText, family)
  const remote = remoteText === undefined ? { address: wildcardAddress(family), port: 0 } : parseEndpoint(remoteText, family)
  if (typeof local === 'string' || typeof remote === 'string') {
    report(typeof local === 'string' ? local : (remote as string))
    return null
  }
  let state: SocketState
  if (protocol === 'udp') state = datagramState(remote.port)
  else {
    const named = file.state === null ? null : darwinTcpStateFromName(file.state)
    if (named === null) {
      report(file.state === null ? `TCP fd ${file.fd} of pid ${process.pid} has no state (TST) field` : `unknown TCP state ${JSON.stringify(file.state)}`)
      return null
    }
    state = named
  }
  return {
    pid: process.pid,
    command: process.command,
    uid: process.uid,
    login: process.login,
    fd: file.fd,
    family,
    protocol,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    recvQueue: file.recvQueue,
    sendQueue: file.sendQueue,
    device: file.device
  }
}

/** `127.0.0.1:80`, `[::1]:80`, `*:5353`, `*:*`; an error text when it is none of those. */
function parseEndpoint(text: string, family: 4 | 6): { address: string; port: number } | string {
  let host: string
  let port: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']:')
    if (close < 0) return `cannot read the endpoint ${JSON.stringify(text)}`
    host = text.slice(1, close)
    port = text.slice(close + 2)
  } else {
    const colon = text.lastIndexOf(':')
    if (colon < 0) return `cannot read the endpoint ${JSON.stringify(text)}`
    host = text.slice(0, colon)
    port = text.slice(colon + 1)
  }
  if (port !== '*' && !/^\d+$/.test(port)) return `the port in ${JSON.stringify(text)} is a service name; lsof must run with -P`
  const portNumber = port === '*' ? 0 : Number(port)
  if (portNumber > 65535) return `the port in ${JSON.stringify(text)} is out of range`
  if (host === '*') return { address: wildcardAddress(family), port: portNumber }
  if (!isNumericAddress(host, family)) return `the address in ${JSON.stringify(text)} is a host name; lsof must run with -n`
  return { address: host, port: portNumber }
}
