/**
 * A TCP, UDP or raw socket row for an OS whose tables have no socket inodes (macOS, Windows): the
 * row is built the same way whichever table or tool it came from, and keyed by its endpoints plus
 * whatever the OS gives to tell sockets apart (`instance`: a kernel handle on macOS, the pid on
 * Windows). `inode` stays 0 there: these OSes do not number sockets as files.
 */
import { emptySocketEntry } from '../../../shared/model/socket'
import type { SocketEntry, SocketState } from '../../../shared/model/socket'
import { socketId } from './socket-id'

/** An IP socket as every table and tool names it: protocol, family, both endpoints and state. */
export interface InetEndpoints {
  readonly family: 4 | 6
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  readonly state: SocketState
}

/** What an IP socket row is made of. */
export interface InetSocketFields extends InetEndpoints {
  readonly protocol: 'tcp' | 'udp' | 'raw'
  readonly recvQueue: number
  readonly sendQueue: number
  readonly uid: number | null
  /** Raw sockets only: the IP protocol number. */
  readonly rawProtocol?: number | null
}

/** The row for `fields`; `instance` tells apart sockets whose endpoints are the same. */
export function inetSocketRow(fields: InetSocketFields, instance?: string): SocketEntry {
  const row = emptySocketEntry(fields.protocol, fields.family)
  row.localAddress = fields.localAddress
  row.localPort = fields.protocol === 'raw' ? null : fields.localPort
  row.remoteAddress = fields.remoteAddress
  row.remotePort = fields.protocol === 'raw' ? null : fields.remotePort
  row.state = fields.state
  row.recvQueue = fields.recvQueue
  row.sendQueue = fields.sendQueue
  row.uid = fields.uid
  row.rawProtocol = fields.rawProtocol ?? null
  row.id = socketId(row, instance)
  return row
}

/** The address every interface is, in a family's spelling: what `*` stands for in tool output. */
export function wildcardAddress(family: 4 | 6): string {
  return family === 4 ? '0.0.0.0' : '::'
}

/** The same state rule as `ss` for datagram sockets: connected to a peer, or not. */
export function datagramState(remotePort: number): SocketState {
  return remotePort === 0 ? 'UNCONN' : 'ESTABLISHED'
}

/**
 * Whether a tool printed a numeric address (what `-n` asks for) rather than a host name: dotted
 * IPv4, or IPv6 hex groups with an optional `%zone`.
 */
export function isNumericAddress(host: string, family: 4 | 6): boolean {
  return family === 4 ? /^\d{1,3}(\.\d{1,3}){3}$/.test(host) : host.includes(':') && /^[0-9a-fA-F:.]+(%[\w.-]+)?$/.test(host)
}
