/**
 * Compares decoded TCP internals with what `ss -tiem` printed for the same socket.
 *
 * ss leaves a field out when it holds its "nothing to say" value (0 for most counters, 3 for
 * reordering, an unbounded ssthresh), so a missing field is checked against that value. Idle times
 * grow while time passes: ss ran a little after the netlink read, so its `lastsnd`/`lastrcv` may
 * be larger by up to the measured delay, plus one clock tick of rounding.
 */
import type { SocketMemory, TcpInfo } from '../../../shared/model/tcp-info'
import type { SsDetailedSocket } from './ss-details'
import { ssSocketMemory } from './ss-details'

/** The kernel's idle times count clock ticks; at HZ=100 one tick is 10 ms. */
const CLOCK_TICK_MS = 10

/** How much later than the netlink read ss ran, in milliseconds. */
export interface SsDelay {
  readonly atLeastMs: number
  readonly atMostMs: number
}

/** Every disagreement between the decoded values and ss's text; empty when they agree. */
export function tcpInfoDifferences(info: TcpInfo, memory: SocketMemory | null, ss: SsDetailedSocket, delay: SsDelay): string[] {
  const problems: string[] = []
  const expectEqual = (name: string, ours: unknown, theirs: unknown): void => {
    if (ours !== theirs) problems.push(`${name}: decoded ${String(ours)}, ss ${String(theirs)}`)
  }
  const counter = (key: string): number | undefined => {
    const text = ss.values.get(key)
    return text === undefined ? undefined : Number(text)
  }
  // ss prints times with %g: six significant digits.
  const asPrinted = (value: number | null): number | null => (value === null ? null : Number(value.toPrecision(6)))

  const [rtt, rttVar] = (ss.values.get('rtt') ?? '0/0').split('/').map(Number)
  expectEqual('rttMs', asPrinted(info.rttMs), rtt)
  expectEqual('rttVarMs', asPrinted(info.rttVarMs), rttVar)
  const minRtt = counter('minrtt')
  if (minRtt === undefined) {
    if (info.minRttMs !== null && info.minRttMs !== 0) problems.push(`minRttMs: decoded ${info.minRttMs}, ss printed none`)
  } else expectEqual('minRttMs', asPrinted(info.minRttMs), minRtt)

  expectEqual('cwnd', info.cwnd, counter('cwnd') ?? 0)
  const ssthresh = counter('ssthresh')
  if (ssthresh === undefined) {
    // ss hides 0 and anything from 0xFFFF up; the decoder says null for the kernel's "unbounded".
    if (info.ssthresh !== null && info.ssthresh !== 0 && info.ssthresh < 0xffff) problems.push(`ssthresh: decoded ${info.ssthresh}, ss printed none`)
  } else expectEqual('ssthresh', info.ssthresh, ssthresh)
  expectEqual('mss', info.mss, counter('mss') ?? 0)
  expectEqual('bytesSent', info.bytesSent, counter('bytes_sent') ?? 0)
  expectEqual('bytesAcked', info.bytesAcked, counter('bytes_acked') ?? 0)
  expectEqual('bytesReceived', info.bytesReceived, counter('bytes_received') ?? 0)
  expectEqual('bytesRetrans', info.bytesRetrans, counter('bytes_retrans') ?? 0)
  expectEqual('segsOut', info.segsOut, counter('segs_out') ?? 0)
  expectEqual('segsIn', info.segsIn, counter('segs_in') ?? 0)
  expectEqual('retransTotal', info.retransTotal, Number((ss.values.get('retrans') ?? '0/0').split('/')[1]))
  expectEqual('lost', info.lost, counter('lost') ?? 0)
  expectEqual('reordering', info.reordering, counter('reordering') ?? 3)
  expectEqual('deliveryRateBps', info.deliveryRateBps, ss.rates.get('delivery_rate') ?? 0)
  const pacing = ss.rates.get('pacing_rate')
  if (pacing === undefined) {
    if (info.pacingRateBps !== null && info.pacingRateBps !== 0) problems.push(`pacingRateBps: decoded ${info.pacingRateBps}, ss printed none`)
  } else expectEqual('pacingRateBps', info.pacingRateBps, pacing)

  // ss prints busy times in whole milliseconds, dropping the fraction.
  const wholeMs = (value: number | null): number | null => (value === null ? null : Math.floor(value))
  const leadingNumber = (key: string): number => Number.parseInt(ss.values.get(key) ?? '0', 10)
  expectEqual('busyMs', wholeMs(info.busyMs), leadingNumber('busy'))
  expectEqual('rwndLimitedMs', wholeMs(info.rwndLimitedMs), leadingNumber('rwnd_limited'))
  expectEqual('sndbufLimitedMs', wholeMs(info.sndbufLimitedMs), leadingNumber('sndbuf_limited'))

  for (const [name, key, ours] of [
    ['lastSendMs', 'lastsnd', info.lastSendMs],
    ['lastReceiveMs', 'lastrcv', info.lastReceiveMs]
  ] as const) {
    const later = (counter(key) ?? 0) - (ours ?? Number.NaN)
    if (!(later >= -CLOCK_TICK_MS && later <= delay.atMostMs + CLOCK_TICK_MS)) {
      problems.push(`${name}: decoded ${ours}, ss ${counter(key) ?? 0} (ss ran ${delay.atLeastMs}–${delay.atMostMs} ms later)`)
    }
  }

  if (info.congestion === null || !ss.words.has(info.congestion)) problems.push(`congestion: decoded ${info.congestion}, not among ss's words`)

  const skmem = ssSocketMemory(ss)
  if (skmem !== null) {
    if (memory === null) problems.push('memory: none decoded, ss printed skmem')
    else {
      const pairs: readonly [keyof SocketMemory, string][] = [
        ['rmemAlloc', 'r'],
        ['rcvBuf', 'rb'],
        ['wmemAlloc', 't'],
        ['sndBuf', 'tb'],
        ['fwdAlloc', 'f'],
        ['wmemQueued', 'w'],
        ['optmem', 'o'],
        ['backlog', 'bl'],
        ['drops', 'd']
      ]
      for (const [field, short] of pairs) expectEqual(`memory.${field}`, memory[field], skmem.get(short))
    }
  }
  return problems
}
