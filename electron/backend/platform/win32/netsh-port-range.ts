/**
 * Parses `netsh int ipv4 show dynamicport tcp`: a title, a line of dashes, then `Start Port : N`
 * and `Number of Ports : N`. The labels are translated on non-English Windows, so the two numbers
 * are read by their order after the dashes, not by their words.
 */
import type { PortRange } from '../../../../shared/model/history'

/** The range; throws, quoting the text, when it does not hold a start port and a count. */
export function parseNetshDynamicPorts(text: string): PortRange {
  const lines = text.split('\n')
  const dashes = lines.findIndex((line) => /^-{3,}\s*$/.test(line.trim()))
  const numbers = lines
    .slice(dashes + 1)
    .map((line) => /:\s*(\d+)\s*$/.exec(line)?.[1])
    .filter((value): value is string => value !== undefined)
    .map(Number)
  const [start, count] = numbers
  if (dashes < 0 || start === undefined || count === undefined || start < 1 || count < 1 || start + count - 1 > 65535) {
    throw new Error(`netsh: expected a start port and a number of ports, got ${JSON.stringify(text.trim())}`)
  }
  return { low: start, high: start + count - 1 }
}
