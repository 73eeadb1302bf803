/**
 * Runs Wireshark's command-line tools (tshark, capinfos) as the reference that sockscope's
 * readers, writers and decoders are checked against.
 */

import { execFileSync, spawnSync } from 'node:child_process'

/** True when the tool can be run here. */
export function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0
}

/** Why Wireshark-based tests are skipped, or null when tshark and capinfos are both here. */
export const wiresharkMissingReason: string | null = hasTool('tshark') && hasTool('capinfos') ? null : 'tshark/capinfos not installed (apt-get install tshark)'

/** Packet count and total original length, as capinfos reports them. */
export function capinfosCounts(path: string): { packets: number; dataBytes: number } {
  const output = execFileSync('capinfos', ['-T', '-M', '-r', '-c', '-d', path], { encoding: 'utf8' })
  const [, packets, dataBytes] = output.trim().split('\t')
  return { packets: Number(packets), dataBytes: Number(dataBytes) }
}

/**
 * One row per packet with the requested fields, as tshark prints them (`-T fields`).
 * With occurrence `all`, several occurrences of a field are joined with commas; with `first`,
 * only the outermost one is kept (an ICMP error also carries the quoted packet's addresses).
 */
export function tsharkFields(path: string, fields: readonly string[], displayFilter?: string, extra: readonly string[] = [], occurrence: 'all' | 'first' = 'all'): string[][] {
  const args = ['-r', path, '-T', 'fields', '-E', 'separator=\t', '-E', `occurrence=${occurrence === 'all' ? 'a' : 'f'}`, '-E', 'aggregator=,', ...extra]
  for (const field of fields) args.push('-e', field)
  if (displayFilter !== undefined) args.push('-Y', displayFilter)
  const output = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 })
  const lines = output.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines.map((line) => line.split('\t'))
}
