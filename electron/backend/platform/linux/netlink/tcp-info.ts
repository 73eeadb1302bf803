/**
 * `struct tcp_info` (linux/tcp.h), as the kernel puts it in INET_DIAG_INFO, decoded into the
 * names sockscope shows, with the unit in each name.
 *
 * The struct only ever grows at its end, and the kernel sends as much of it as it knows: an old
 * kernel sends a shorter attribute, a newer one a longer one. So every field is read only when
 * the attribute reaches past it, and is null otherwise; bytes past the last known field are
 * ignored. Values match what `ss -ti` prints for the same socket, where ss prints them at all:
 * times in milliseconds from the kernel's microseconds, rates in bits per second from its bytes
 * per second.
 */
import type { SocketMemory, TcpInfo } from '../../../../../shared/model/tcp-info'
import { dataViewOf, HOST_LITTLE_ENDIAN, uint64FromView } from './netlink-message'

/** The host byte order, copied once: some module formats look an imported binding up on every use. */
const LITTLE_ENDIAN = HOST_LITTLE_ENDIAN

/** Byte offsets and sizes of the fields read, from the struct's layout. */
const FIELD = {
  lost: 32,
  lastDataSent: 44,
  lastDataReceived: 52,
  rtt: 68,
  rttVariance: 72,
  sendSlowStartThreshold: 76,
  sendCongestionWindow: 80,
  reordering: 88,
  totalRetransmits: 100,
  pacingRate: 104,
  bytesAcked: 120,
  bytesReceived: 128,
  segmentsOut: 136,
  segmentsIn: 140,
  minRtt: 148,
  deliveryRate: 160,
  busyTime: 168,
  receiveWindowLimited: 176,
  sendBufferLimited: 184,
  bytesSent: 200,
  bytesRetransmitted: 208,
  sendMss: 16
} as const

/** The kernel's "no sample yet" for the minimum RTT (a window of all ones). */
const NO_MIN_RTT = 0xffffffff
/** TCP_INFINITE_SSTHRESH: slow start has no threshold yet. */
const INFINITE_SSTHRESH = 0x7fffffff
const MICROSECONDS_PER_MS = 1000
const BITS_PER_BYTE = 8

/**
 * Decodes a tcp_info attribute value in [start, end) (never reading past `end`), with the
 * congestion algorithm from INET_DIAG_CONG and the memory counters from INET_DIAG_SKMEMINFO when
 * the reply had them.
 */
export function decodeTcpInfo(bytes: Uint8Array, start: number, end: number, congestion: string | null, memory: SocketMemory | null = null): TcpInfo {
  const view = dataViewOf(bytes)
  const length = Math.min(end, bytes.length) - start
  const minRtt = u32(view, start, length, FIELD.minRtt)
  const ssthresh = u32(view, start, length, FIELD.sendSlowStartThreshold)
  return {
    rttMs: microsecondsAsMs(u32(view, start, length, FIELD.rtt)),
    rttVarMs: microsecondsAsMs(u32(view, start, length, FIELD.rttVariance)),
    minRttMs: minRtt === NO_MIN_RTT ? null : microsecondsAsMs(minRtt),
    cwnd: u32(view, start, length, FIELD.sendCongestionWindow),
    ssthresh: ssthresh !== null && ssthresh >= INFINITE_SSTHRESH ? null : ssthresh,
    mss: u32(view, start, length, FIELD.sendMss),
    bytesSent: u64(view, start, length, FIELD.bytesSent),
    bytesAcked: u64(view, start, length, FIELD.bytesAcked),
    bytesReceived: u64(view, start, length, FIELD.bytesReceived),
    bytesRetrans: u64(view, start, length, FIELD.bytesRetransmitted),
    segsOut: u32(view, start, length, FIELD.segmentsOut),
    segsIn: u32(view, start, length, FIELD.segmentsIn),
    retransTotal: u32(view, start, length, FIELD.totalRetransmits),
    lost: u32(view, start, length, FIELD.lost),
    reordering: u32(view, start, length, FIELD.reordering),
    lastSendMs: u32(view, start, length, FIELD.lastDataSent),
    lastReceiveMs: u32(view, start, length, FIELD.lastDataReceived),
    deliveryRateBps: bytesAsBits(u64(view, start, length, FIELD.deliveryRate)),
    // All ones (or anything past 2^53, which reads as null) means "no pacing limit".
    pacingRateBps: bytesAsBits(u64(view, start, length, FIELD.pacingRate)),
    busyMs: microsecondsAsMs(u64(view, start, length, FIELD.busyTime)),
    rwndLimitedMs: microsecondsAsMs(u64(view, start, length, FIELD.receiveWindowLimited)),
    sndbufLimitedMs: microsecondsAsMs(u64(view, start, length, FIELD.sendBufferLimited)),
    congestion,
    memory
  }
}

/** The u32 at `offset` of a struct of `length` bytes at `start`, or null past its end. */
function u32(view: DataView, start: number, length: number, offset: number): number | null {
  return offset + 4 <= length ? view.getUint32(start + offset, LITTLE_ENDIAN) : null
}

/** The u64 at `offset`, or null past the struct's end or above 2^53. */
function u64(view: DataView, start: number, length: number, offset: number): number | null {
  return offset + 8 <= length ? uint64FromView(view, start + offset) : null
}

function microsecondsAsMs(value: number | null): number | null {
  return value === null ? null : value / MICROSECONDS_PER_MS
}

function bytesAsBits(value: number | null): number | null {
  return value === null ? null : value * BITS_PER_BYTE
}
