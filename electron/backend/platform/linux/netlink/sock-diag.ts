/**
 * What inet_diag and unix_diag share (linux/sock_diag.h): the message types, address families,
 * the 64-bit socket cookie, the shutdown byte, and the `sk_meminfo` memory counters that
 * INET_DIAG_SKMEMINFO, UNIX_DIAG_MEMINFO and getsockopt(SO_MEMINFO) all use.
 */
import type { SocketMemory } from '../../../../../shared/model/tcp-info'
import { dataViewOf, HOST_LITTLE_ENDIAN, readUint32, writeUint32 } from './netlink-message'
import { elementAt } from '../../../../../shared/element-at'

/** The host byte order, copied once: some module formats look an imported binding up on every use. */
const LITTLE_ENDIAN = HOST_LITTLE_ENDIAN

/** sock_diag message types. */
export const SOCK_DIAG_BY_FAMILY = 20
export const SOCK_DESTROY = 21

/** Address families as the kernel numbers them. */
export const AF_UNIX = 1
export const AF_INET = 2
export const AF_INET6 = 10

/** Bitmask of every socket state: a dump filter that keeps everything. */
export const ALL_STATES = 0xffffffff

/** The kernel's "no cookie" half: a request that matches by other fields only. */
const NO_COOKIE = 0xffffffff

/** Which directions of a socket were shut down. */
export type ShutdownState = 'none' | 'receive' | 'send' | 'both'
const SHUTDOWN_STATES: readonly ShutdownState[] = ['none', 'receive', 'send', 'both']

/** The shutdown byte: bit 0 is the receive side, bit 1 the send side. */
export function shutdownState(byte: number): ShutdownState {
  return elementAt(SHUTDOWN_STATES, byte & 3)
}

/** A cookie (two host-order u32, low half first) as hex without leading zeros, as `ss -e` prints it. */
export function readCookie(bytes: Uint8Array, position: number): string {
  const low = readUint32(bytes, position)
  const high = readUint32(bytes, position + 4)
  return high === 0 ? low.toString(16) : high.toString(16) + low.toString(16).padStart(8, '0')
}

/** Writes a cookie's hex text, or the kernel's "no cookie" for null; throws on text that is not one. */
export function writeCookie(bytes: Uint8Array, position: number, cookie: string | null): void {
  if (cookie === null) {
    writeUint32(bytes, position, NO_COOKIE)
    writeUint32(bytes, position + 4, NO_COOKIE)
    return
  }
  if (!/^[0-9a-f]{1,16}$/i.test(cookie)) throw new RangeError(`not a socket cookie: ${cookie}`)
  const padded = cookie.padStart(16, '0')
  writeUint32(bytes, position, Number.parseInt(padded.slice(8), 16))
  writeUint32(bytes, position + 4, Number.parseInt(padded.slice(0, 8), 16))
}

/** Decodes the `sk_meminfo` array in [start, end), in the kernel's order; counters past `end` are null. */
export function decodeSocketMemory(bytes: Uint8Array, start: number, end: number): SocketMemory {
  const view = dataViewOf(bytes)
  const limit = Math.min(end, bytes.length)
  return {
    rmemAlloc: counter(view, start, limit, 0),
    rcvBuf: counter(view, start, limit, 1),
    wmemAlloc: counter(view, start, limit, 2),
    sndBuf: counter(view, start, limit, 3),
    fwdAlloc: counter(view, start, limit, 4),
    wmemQueued: counter(view, start, limit, 5),
    optmem: counter(view, start, limit, 6),
    backlog: counter(view, start, limit, 7),
    drops: counter(view, start, limit, 8)
  }
}

function counter(view: DataView, start: number, end: number, index: number): number | null {
  const position = start + index * 4
  return position + 4 <= end ? view.getUint32(position, LITTLE_ENDIAN) : null
}
