/** Interface throughput: the rates between two reads of the interface counters. */
import type { InterfaceRate } from '../../../shared/model/history'
import type { InterfaceCounters } from '../platform/platform'

/**
 * Per-second rates between two reads. An interface missing from either read is left out; a
 * counter that went backwards (interface reset, 32-bit wrap) counts as zero for that step.
 */
export function interfaceRates(previous: readonly InterfaceCounters[], next: readonly InterfaceCounters[], elapsedMs: number): InterfaceRate[] {
  if (!(elapsedMs > 0)) return []
  const before = new Map(previous.map((counters) => [counters.name, counters]))
  const perSecond = (from: number, to: number): number => (to >= from ? ((to - from) * 1000) / elapsedMs : 0)
  const rates: InterfaceRate[] = []
  for (const counters of next) {
    const old = before.get(counters.name)
    if (!old) continue
    rates.push({
      name: counters.name,
      receiveBytesPerSecond: perSecond(old.receiveBytes, counters.receiveBytes),
      transmitBytesPerSecond: perSecond(old.transmitBytes, counters.transmitBytes),
      receivePacketsPerSecond: perSecond(old.receivePackets, counters.receivePackets),
      transmitPacketsPerSecond: perSecond(old.transmitPackets, counters.transmitPackets)
    })
  }
  return rates
}
