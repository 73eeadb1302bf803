/** Parses `sysctl name…` output (`name: value` per line), as macOS prints it. */
import type { PortRange } from '../../../../shared/model/history'

/** The values by name; lines that are not `name: value` are left out. */
export function parseSysctlValues(text: string): ReadonlyMap<string, string> {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^([\w.]+):\s*(.*?)\s*$/.exec(line)
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2])
  }
  return values
}

/** The sysctl names of the ephemeral port range. */
export const PORT_RANGE_SYSCTLS = ['net.inet.ip.portrange.first', 'net.inet.ip.portrange.last'] as const

/** The ephemeral port range from those two values; throws, quoting them, when they are not two ordered ports. */
export function portRangeFromSysctl(values: ReadonlyMap<string, string>): PortRange {
  const [firstName, lastName] = PORT_RANGE_SYSCTLS
  const first = values.get(firstName)
  const last = values.get(lastName)
  const isPort = (text: string | undefined): text is string => text !== undefined && /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 65535
  if (!isPort(first) || !isPort(last) || Number(first) > Number(last)) {
    throw new Error(`sysctl: expected two ports in ${firstName} and ${lastName}, got ${JSON.stringify(first ?? null)} and ${JSON.stringify(last ?? null)}`)
  }
  return { low: Number(first), high: Number(last) }
}
