/** The ephemeral port range, from /proc/sys/net/ipv4/ip_local_port_range. */
import { readFile } from 'node:fs/promises'
import type { PortRange } from '../../../../shared/model/history'

/** Parses "32768\t60999"; throws with the text quoted when it is not two ordered ports. */
export function parsePortRange(text: string): PortRange {
  const parts = text.trim().split(/\s+/).map(Number)
  const [low, high] = parts
  const isPort = (value: number | undefined): value is number => value !== undefined && Number.isInteger(value) && value >= 1 && value <= 65535
  if (parts.length !== 2 || !isPort(low) || !isPort(high) || low > high) {
    throw new Error(`ip_local_port_range: expected two ports "low high", got ${JSON.stringify(text.trim())}`)
  }
  return { low, high }
}

/** Reads the range; null when the file is missing (not Linux, or no IPv4). */
export async function readPortRange(procRoot = '/proc'): Promise<PortRange | null> {
  try {
    return parsePortRange(await readFile(`${procRoot}/sys/net/ipv4/ip_local_port_range`, 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}
