/**
 * A small parser for `ss` output (iproute2), used by tests as the reference socket table.
 *
 * It reads the header-less output of `ss -H` with any of -t -u -w -x, -a, -n, -p, -e and -o:
 * `[Netid] State Recv-Q Send-Q Local:Port Peer:Port [users:(...)] [timer:(...)] [ino:N] ...`.
 * UNIX rows print the socket inode as the local "port" and the peer's inode as the peer "port".
 */
import { elementAt } from '../../shared/element-at'

/** One process holding a socket, from `users:(("name",pid=1,fd=3),...)`. */
export interface SsUser {
  readonly process: string
  readonly pid: number
  readonly fd: number
}

/** One row of `ss` output. */
export interface SsSocket {
  /** tcp, udp, raw, u_str, u_dgr, u_seq, ...; null when ss printed a single kind without the column. */
  readonly netid: string | null
  /** As ss prints it: ESTAB, SYN-SENT, FIN-WAIT-1, UNCONN, ... */
  readonly state: string
  readonly recvQueue: number
  readonly sendQueue: number
  /** Without brackets or interface suffix; `*` stays `*`. For UNIX: the path, or `*` when unnamed. */
  readonly localAddress: string
  /** Digits, or `*`; for UNIX the socket inode. */
  readonly localPort: string
  readonly peerAddress: string
  readonly peerPort: string
  readonly users: readonly SsUser[]
  /** The socket inode: `ino:` for IP sockets, the local "port" for UNIX sockets; null when not shown. */
  readonly inode: number | null
  /** `uid:` when ss showed it (only non-zero uids with -e). */
  readonly uid: number | null
  /** The inside of `timer:(...)`, e.g. `keepalive,59min,0`. */
  readonly timer: string | null
  /** The full line, for failure messages. */
  readonly line: string
}

const NETIDS = new Set(['tcp', 'udp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'p_raw', 'p_dgr', 'nl', 'mptcp', 'sctp', 'v_str', 'v_dgr', 'xdp', 'tipc'])

/** ss state names and the kernel names sockscope uses for them. */
const KERNEL_STATE_NAMES: Readonly<Record<string, string>> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  UNCONN: 'UNCONN'
}

/** Parse `ss -H ...` output into rows; throws on a line it cannot read, since tests want to know. */
export function parseSsOutput(text: string): SsSocket[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseSsLine)
}

/** The kernel state name (as in /proc and the socket model) for an ss state name. */
export function kernelStateName(ssState: string): string {
  const name = KERNEL_STATE_NAMES[ssState]
  if (name === undefined) throw new Error(`unknown ss state ${ssState}`)
  return name
}

function parseSsLine(line: string): SsSocket {
  const { rest, users } = extractUsers(line)
  const tokens = rest.trim().split(/\s+/)
  const netid = tokens[0] !== undefined && NETIDS.has(tokens[0]) ? tokens[0] : null
  if (netid !== null) tokens.shift()
  if (tokens.length < 5) throw new Error(`ss line has too few columns: ${line}`)
  const [state, recvQueueText, sendQueueText] = [elementAt(tokens, 0), elementAt(tokens, 1), elementAt(tokens, 2)]
  const isUnix = netid !== null && netid.startsWith('u_')
  let localAddress: string
  let localPort: string
  let peerAddress: string
  let peerPort: string
  let details: string[]
  if (isUnix) {
    ;[localAddress, localPort, peerAddress, peerPort] = [elementAt(tokens, 3), elementAt(tokens, 4), elementAt(tokens, 5), elementAt(tokens, 6)]
    details = tokens.slice(7)
  } else {
    ;[localAddress, localPort] = splitEndpoint(elementAt(tokens, 3))
    ;[peerAddress, peerPort] = splitEndpoint(elementAt(tokens, 4))
    details = tokens.slice(5)
  }
  let inode: number | null = isUnix ? Number(localPort) : null
  let uid: number | null = null
  let timer: string | null = null
  for (const detail of details) {
    // For UNIX rows `ino:` is the inode of the socket file on disk, not of the socket.
    if (detail.startsWith('ino:') && !isUnix) inode = Number(detail.slice(4))
    else if (detail.startsWith('uid:')) uid = Number(detail.slice(4))
    else if (detail.startsWith('timer:(')) timer = detail.slice(7, -1)
  }
  return {
    netid,
    state,
    recvQueue: Number(recvQueueText),
    sendQueue: Number(sendQueueText),
    localAddress,
    localPort,
    peerAddress,
    peerPort,
    users,
    inode,
    uid,
    timer,
    line
  }
}

/** `[::1]:80` → `::1`, `80`; `127.0.0.1%lo:53` → `127.0.0.1`, `53`; `*:*` → `*`, `*`. */
function splitEndpoint(endpoint: string): [string, string] {
  const colon = endpoint.lastIndexOf(':')
  if (colon === -1) throw new Error(`ss endpoint without a port: ${endpoint}`)
  let address = endpoint.slice(0, colon)
  const port = endpoint.slice(colon + 1)
  const percent = address.indexOf('%')
  if (percent !== -1) address = address.slice(0, percent)
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
  return [address, port]
}

/**
 * Take `users:((...))` out of the line before splitting on spaces: process names are quoted
 * and may hold spaces or parentheses.
 */
function extractUsers(line: string): { rest: string; users: SsUser[] } {
  const start = line.indexOf('users:((')
  if (start === -1) return { rest: line, users: [] }
  const users: SsUser[] = []
  let index = start + 'users:('.length
  while (line[index] === '(') {
    if (line[index + 1] !== '"') throw new Error(`ss users entry without a quoted name: ${line}`)
    const nameEnd = line.indexOf('",', index + 2)
    if (nameEnd === -1) throw new Error(`ss users entry is not closed: ${line}`)
    const process = line.slice(index + 2, nameEnd)
    const close = line.indexOf(')', nameEnd)
    const fields = line.slice(nameEnd + 2, close).split(',')
    const value = (key: string): number => {
      const field = fields.find((candidate) => candidate.startsWith(`${key}=`))
      if (field === undefined) throw new Error(`ss users entry without ${key}: ${line}`)
      return Number(field.slice(key.length + 1))
    }
    users.push({ process, pid: value('pid'), fd: value('fd') })
    index = close + 1
    if (line[index] === ',') index++
  }
  if (line[index] !== ')') throw new Error(`ss users list is not closed: ${line}`)
  return { rest: `${line.slice(0, start)} ${line.slice(index + 1)}`, users }
}
