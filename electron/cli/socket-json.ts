/**
 * One socket row as JSON text, written field by field: the same text `JSON.stringify` gives for
 * a row (same keys, same order, same escapes), without its walk over every property of every
 * object. `list --json` writes tens of thousands of rows, and the generic walk was most of its
 * time after the read. A field added to the socket model must be added here too: the test that
 * compares this with `JSON.stringify` on a sample of every field fails until it is.
 */
import type { SocketEntry, SocketOwner, TcpTimer } from '../../shared/model/socket'
import type { SocketMemory, TcpInfo } from '../../shared/model/tcp-info'

/** A row as `list --json` prints it: with the resolved remote name when names were looked up. */
export type SocketJsonRow = SocketEntry & { readonly remoteHost?: string | null }

/**
 * Characters that send a string through `JSON.stringify`: quotes, backslashes, controls (C0, which
 * JSON escapes, and C1, which it does not but which are rare enough to leave to it) and lone
 * surrogate halves (a whole pair matches nothing under the `u` flag).
 */
const NEEDS_ESCAPE = /["\\\p{Cc}\p{Cs}]/u

/** A string as JSON; plain text (almost every address, name and id) is quoted as it is. */
function text(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`
}

function textOrNull(value: string | null): string {
  return value === null ? 'null' : text(value)
}

/** A number as JSON writes it: NaN and the infinities become null. */
function number(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'null' : String(value)
}

function owner(value: SocketOwner): string {
  return `{"pid":${number(value.pid)},"process":${text(value.process)},"command":${text(value.command)},"user":${textOrNull(value.user)}}`
}

function owners(values: readonly SocketOwner[]): string {
  if (values.length === 0) return '[]'
  let json = '['
  for (let index = 0; index < values.length; index++) json += (index === 0 ? '' : ',') + owner(values[index] as SocketOwner)
  return json + ']'
}

function timer(value: TcpTimer | null): string {
  return value === null ? 'null' : `{"kind":${text(value.kind)},"expiresInMs":${number(value.expiresInMs)}}`
}

function memory(value: SocketMemory | null): string {
  if (value === null) return 'null'
  return (
    `{"rmemAlloc":${number(value.rmemAlloc)},"rcvBuf":${number(value.rcvBuf)},"wmemAlloc":${number(value.wmemAlloc)},"sndBuf":${number(value.sndBuf)},` +
    `"fwdAlloc":${number(value.fwdAlloc)},"wmemQueued":${number(value.wmemQueued)},"optmem":${number(value.optmem)},"backlog":${number(value.backlog)},` +
    `"drops":${number(value.drops)}}`
  )
}

function tcpInfo(value: TcpInfo | null): string {
  if (value === null) return 'null'
  return (
    `{"rttMs":${number(value.rttMs)},"rttVarMs":${number(value.rttVarMs)},"minRttMs":${number(value.minRttMs)},"cwnd":${number(value.cwnd)},` +
    `"ssthresh":${number(value.ssthresh)},"mss":${number(value.mss)},"bytesSent":${number(value.bytesSent)},"bytesAcked":${number(value.bytesAcked)},` +
    `"bytesReceived":${number(value.bytesReceived)},"bytesRetrans":${number(value.bytesRetrans)},"segsOut":${number(value.segsOut)},` +
    `"segsIn":${number(value.segsIn)},"retransTotal":${number(value.retransTotal)},"lost":${number(value.lost)},"reordering":${number(value.reordering)},` +
    `"lastSendMs":${number(value.lastSendMs)},"lastReceiveMs":${number(value.lastReceiveMs)},"deliveryRateBps":${number(value.deliveryRateBps)},` +
    `"pacingRateBps":${number(value.pacingRateBps)},"busyMs":${number(value.busyMs)},"rwndLimitedMs":${number(value.rwndLimitedMs)},` +
    `"sndbufLimitedMs":${number(value.sndbufLimitedMs)},"congestion":${textOrNull(value.congestion)},"memory":${memory(value.memory)}}`
  )
}

function throughput(value: SocketEntry['throughput']): string {
  return value === null ? 'null' : `{"sendBytesPerSecond":${number(value.sendBytesPerSecond)},"receiveBytesPerSecond":${number(value.receiveBytesPerSecond)}}`
}

/** The row as one line of JSON, key for key what `JSON.stringify(row)` writes. */
export function socketJson(row: SocketJsonRow): string {
  const json =
    `{"id":${text(row.id)},"protocol":${text(row.protocol)},"family":${number(row.family)},"localAddress":${text(row.localAddress)},` +
    `"localPort":${number(row.localPort)},"remoteAddress":${text(row.remoteAddress)},"remotePort":${number(row.remotePort)},"state":${text(row.state)},` +
    `"recvQueue":${number(row.recvQueue)},"sendQueue":${number(row.sendQueue)},"inode":${number(row.inode)},"uid":${number(row.uid)},` +
    `"user":${textOrNull(row.user)},"pid":${number(row.pid)},"process":${textOrNull(row.process)},"command":${textOrNull(row.command)},` +
    `"owners":${owners(row.owners)},"ownerVisibility":${text(row.ownerVisibility)},"timer":${timer(row.timer)},"retransmits":${number(row.retransmits)},` +
    `"unixType":${textOrNull(row.unixType)},"rawProtocol":${number(row.rawProtocol)},"peerInode":${number(row.peerInode)},"tcpInfo":${tcpInfo(row.tcpInfo)},` +
    `"throughput":${throughput(row.throughput)},"netns":${number(row.netns)},"container":${textOrNull(row.container)}`
  return row.remoteHost === undefined ? `${json}}` : `${json},"remoteHost":${textOrNull(row.remoteHost)}}`
}
