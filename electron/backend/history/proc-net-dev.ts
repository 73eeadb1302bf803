/** Interface counters from /proc/net/dev, and the rates between two reads of them. */
import type { TableIssue } from '../../../shared/model/socket'
import type { InterfaceRate } from '../../../shared/model/history'

/** Cumulative counters of one interface since it came up. */
export interface InterfaceCounters {
  readonly name: string
  readonly receiveBytes: number
  readonly receivePackets: number
  readonly transmitBytes: number
  readonly transmitPackets: number
}

/** The interfaces read from /proc/net/dev, plus the lines that could not be read. */
export interface NetDevRead {
  readonly interfaces: readonly InterfaceCounters[]
  readonly issues: readonly TableIssue[]
}

const source = '/proc/net/dev'

/**
 * Parses /proc/net/dev. The first two lines are headers; each other line is `name: ` and
 * sixteen counters, receive (bytes packets errs drop fifo frame compressed multicast) then
 * transmit (bytes packets errs drop fifo colls carrier compressed).
 */
export function parseNetDev(text: string): NetDevRead {
  const interfaces: InterfaceCounters[] = []
  const issues: TableIssue[] = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]
    if (line.trim() === '' || line.includes('|')) continue
    const colon = line.indexOf(':')
    if (colon < 0) {
      issues.push({ source, line: index + 1, message: 'no "name:" prefix', text: line })
      continue
    }
    const name = line.slice(0, colon).trim()
    const fields = line.slice(colon + 1).trim().split(/\s+/)
    const numbers = fields.map(Number)
    if (name === '' || fields.length < 16 || numbers.some((value) => !Number.isFinite(value) || value < 0)) {
      issues.push({ source, line: index + 1, message: 'expected an interface name and 16 counters', text: line })
      continue
    }
    interfaces.push({
      name,
      receiveBytes: numbers[0],
      receivePackets: numbers[1],
      transmitBytes: numbers[8],
      transmitPackets: numbers[9]
    })
  }
  return { interfaces, issues }
}

/**
 * Per-second rates between two reads. An interface missing from either read is left out; a
 * counter that went backwards (interface reset, 32-bit wrap) counts as zero for that step.
 */
export function interfaceRates(
  previous: readonly InterfaceCounters[],
  next: readonly InterfaceCounters[],
  elapsedMs: number
): InterfaceRate[] {
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
