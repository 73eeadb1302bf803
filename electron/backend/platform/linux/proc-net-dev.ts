/** Interface counters from /proc/net/dev. */
import type { TableIssue } from '../../../../shared/model/socket'
import type { InterfaceCounters } from '../platform'

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
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.includes('|')) continue
    const colon = line.indexOf(':')
    if (colon < 0) {
      issues.push({ source, line: index + 1, message: 'no "name:" prefix', text: line })
      continue
    }
    const name = line.slice(0, colon).trim()
    const numbers = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number)
    const [receiveBytes, receivePackets, , , , , , , transmitBytes, transmitPackets] = numbers
    if (
      name === '' ||
      numbers.length < 16 ||
      numbers.some((value) => !Number.isFinite(value) || value < 0) ||
      receiveBytes === undefined ||
      receivePackets === undefined ||
      transmitBytes === undefined ||
      transmitPackets === undefined
    ) {
      issues.push({ source, line: index + 1, message: 'expected an interface name and 16 counters', text: line })
      continue
    }
    interfaces.push({ name, receiveBytes, receivePackets, transmitBytes, transmitPackets })
  }
  return { interfaces, issues }
}
