/*
 * tcp_info built byte by byte at the offsets of linux/tcp.h, so each field is checked against a
 * value the test chose, and the struct's length against the fields it may hold.
 */
import { describe, expect, it } from 'vitest'
import { readUint64, writeUint32 } from '../../../../../../electron/backend/platform/linux/netlink/netlink-message'
import { decodeTcpInfo } from '../../../../../../electron/backend/platform/linux/netlink/tcp-info'

/** Length of struct tcp_info on kernel 6.18 (what the fixtures hold). */
const KERNEL_6_18_LENGTH = 280

function u64(bytes: Uint8Array, offset: number, value: bigint): void {
  writeUint32(bytes, offset, Number(value & 0xffffffffn))
  writeUint32(bytes, offset + 4, Number(value >> 32n))
}

/** A tcp_info with a distinct value in every decoded field. */
function sampleTcpInfo(length = KERNEL_6_18_LENGTH): Uint8Array {
  const bytes = new Uint8Array(length)
  const set = (offset: number, value: number): void => {
    if (offset + 4 <= length) writeUint32(bytes, offset, value)
  }
  const set64 = (offset: number, value: bigint): void => {
    if (offset + 8 <= length) u64(bytes, offset, value)
  }
  set(16, 1448) // snd_mss
  set(32, 2) // lost
  set(44, 1500) // last_data_sent
  set(52, 2500) // last_data_recv
  set(68, 12_345) // rtt, µs
  set(72, 678) // rttvar
  set(76, 42) // snd_ssthresh
  set(80, 17) // snd_cwnd
  set(88, 5) // reordering
  set(100, 9) // total_retrans
  set64(104, 1_000_000n) // pacing_rate, bytes/s
  set64(120, 5_000_000_001n) // bytes_acked: above 32 bits
  set64(128, 70_000n) // bytes_received
  set(136, 300) // segs_out
  set(140, 200) // segs_in
  set(148, 9_001) // min_rtt
  set64(160, 250_000n) // delivery_rate
  set64(168, 3_500_750n) // busy_time, µs
  set64(176, 1_250n) // rwnd_limited
  set64(184, 2_000_999n) // sndbuf_limited
  set64(200, 5_000_000_000n) // bytes_sent
  set64(208, 4_096n) // bytes_retrans
  return bytes
}

describe('decodeTcpInfo', () => {
  it('reads every field with its unit: ms from µs, bits per second from bytes per second', () => {
    const memory = { rmemAlloc: 1, rcvBuf: 2, wmemAlloc: 3, sndBuf: 4, fwdAlloc: 5, wmemQueued: 6, optmem: 7, backlog: 8, drops: 9 }
    const info = decodeTcpInfo(sampleTcpInfo(), 0, KERNEL_6_18_LENGTH, 'cubic', memory)
    expect(info).toEqual({
      rttMs: 12.345,
      rttVarMs: 0.678,
      minRttMs: 9.001,
      cwnd: 17,
      ssthresh: 42,
      mss: 1448,
      bytesSent: 5_000_000_000,
      bytesAcked: 5_000_000_001,
      bytesReceived: 70_000,
      bytesRetrans: 4_096,
      segsOut: 300,
      segsIn: 200,
      retransTotal: 9,
      lost: 2,
      reordering: 5,
      lastSendMs: 1500,
      lastReceiveMs: 2500,
      deliveryRateBps: 2_000_000,
      pacingRateBps: 8_000_000,
      busyMs: 3500.75,
      rwndLimitedMs: 1.25,
      sndbufLimitedMs: 2000.999,
      congestion: 'cubic',
      memory
    })
  })

  it('reads at an offset inside a larger buffer and never past the attribute end', () => {
    const inner = sampleTcpInfo()
    const outer = new Uint8Array(inner.length + 20).fill(0xee)
    outer.set(inner, 12)
    expect(decodeTcpInfo(outer, 12, 12 + inner.length, null)).toEqual(decodeTcpInfo(inner, 0, inner.length, null))
    // Garbage right after the attribute must not leak into a field that ends past it.
    const cut = decodeTcpInfo(outer, 12, 12 + 212, null)
    expect(cut.bytesSent).toBe(5_000_000_000)
    expect(cut.bytesRetrans).toBeNull()
  })

  it('gives null for each field an older, shorter struct does not reach, and keeps the rest', () => {
    // bytes_retrans occupies [208, 216): present at 216 bytes, absent at 215.
    expect(decodeTcpInfo(sampleTcpInfo(), 0, 216, null).bytesRetrans).toBe(4_096)
    expect(decodeTcpInfo(sampleTcpInfo(), 0, 215, null)).toMatchObject({ bytesRetrans: null, bytesSent: 5_000_000_000 })
    // Linux 4.9's struct ends after delivery_rate, before busy_time (168).
    const linux49 = decodeTcpInfo(sampleTcpInfo(168), 0, 168, null)
    expect(linux49).toMatchObject({ deliveryRateBps: 2_000_000, busyMs: null, rwndLimitedMs: null, sndbufLimitedMs: null, bytesSent: null })
    // Linux 4.2 to 4.5 ended after segs_in (144), before min_rtt.
    expect(decodeTcpInfo(sampleTcpInfo(144), 0, 144, null)).toMatchObject({ segsIn: 200, minRttMs: null, deliveryRateBps: null })
    const empty = decodeTcpInfo(new Uint8Array(0), 0, 0, 'reno')
    expect(Object.entries(empty).filter(([name, value]) => name !== 'congestion' && value !== null)).toEqual([])
  })

  it('ignores fields a newer, longer struct adds', () => {
    const longer = new Uint8Array(400)
    longer.set(sampleTcpInfo())
    longer.fill(0x7f, KERNEL_6_18_LENGTH)
    expect(decodeTcpInfo(longer, 0, longer.length, 'bbr')).toEqual(decodeTcpInfo(sampleTcpInfo(), 0, KERNEL_6_18_LENGTH, 'bbr'))
  })

  it('turns the kernel\'s "no value" markers into null, and only those', () => {
    const bytes = sampleTcpInfo()
    writeUint32(bytes, 148, 0xffffffff)
    writeUint32(bytes, 76, 0x7fffffff)
    u64(bytes, 104, 0xffffffffffffffffn)
    expect(decodeTcpInfo(bytes, 0, bytes.length, null)).toMatchObject({ minRttMs: null, ssthresh: null, pacingRateBps: null })
    writeUint32(bytes, 148, 0xfffffffe)
    writeUint32(bytes, 76, 0x7ffffffe)
    u64(bytes, 104, 2n ** 50n)
    expect(decodeTcpInfo(bytes, 0, bytes.length, null)).toMatchObject({
      minRttMs: 4_294_967.294,
      ssthresh: 0x7ffffffe,
      pacingRateBps: 2 ** 53
    })
  })
})

describe('readUint64', () => {
  it('is exact up to 2^53 - 1 and null from 2^53, where a number would round', () => {
    const bytes = new Uint8Array(8)
    u64(bytes, 0, 2n ** 53n - 1n)
    expect(readUint64(bytes, 0)).toBe(Number.MAX_SAFE_INTEGER)
    u64(bytes, 0, 2n ** 53n)
    expect(readUint64(bytes, 0)).toBeNull()
    u64(bytes, 0, 0x1_0000_0001n)
    expect(readUint64(bytes, 0)).toBe(4_294_967_297)
  })
})
