/**
 * Parses macOS `netstat -ib` (also with -n, -d, -W) into per-interface counters. Every interface
 * has one `<Link#N>` line and one line per address; the address lines repeat the link's packet
 * and byte counters (with `-` for errors), so only the link lines are read. netstat cuts long
 * names to its column width, so two interfaces (utun80, utun81) can print the same name; their
 * link numbers still differ, and such names are told apart as `utun8/link88`, `utun8/link90`.
 */
import type { TableIssue } from '../../../../shared/model/socket'
import type { InterfaceCounters } from '../platform'

/** The counters and the lines that could not be read. */
export interface InterfaceCountersParse {
  readonly interfaces: readonly InterfaceCounters[]
  readonly issues: readonly TableIssue[]
}

const NEEDED_COLUMNS = ['Name', 'Ipkts', 'Ibytes', 'Opkts', 'Obytes'] as const

/** Parses the output; throws an error naming the missing columns when the header is not netstat -ib's. */
export function parseNetstatInterfaces(text: string, source = 'netstat -ib'): InterfaceCountersParse {
  const lines = text.split('\n')
  const headerIndex = lines.findIndex((line) => line.trimStart().startsWith('Name'))
  const header = (lines[headerIndex] ?? '').trim().split(/\s+/)
  const missing = NEEDED_COLUMNS.filter((column) => !header.includes(column))
  if (headerIndex < 0 || missing.length > 0) throw new Error(`${source}: no header with ${missing.join(', ') || NEEDED_COLUMNS.join(', ')}`)
  // Address lines may leave Network or Address empty, so values are found from the right: the
  // columns from Ipkts on are always all present.
  const fromRight = (column: string) => header.length - header.indexOf(column)
  const links: { name: string; link: string; counters: Omit<InterfaceCounters, 'name'> }[] = []
  const issues: TableIssue[] = []
  lines.forEach((raw, index) => {
    if (index <= headerIndex) return
    const line = raw.trimEnd()
    if (line.trim() === '') return
    const tokens = line.trim().split(/\s+/)
    const link = tokens.find((token) => token.startsWith('<Link#'))
    if (link === undefined) return
    const value = (column: string) => Number(tokens[tokens.length - fromRight(column)])
    const counters = { receivePackets: value('Ipkts'), receiveBytes: value('Ibytes'), transmitPackets: value('Opkts'), transmitBytes: value('Obytes') }
    if (!Object.values(counters).every((count) => Number.isSafeInteger(count) && count >= 0)) {
      issues.push({ source, line: index + 1, message: 'the packet and byte columns are not all numbers', text: line })
      return
    }
    // A trailing `*` marks an interface that is down; the name is the rest.
    links.push({ name: (tokens[0] ?? '').replace(/\*$/, ''), link: link.slice('<Link#'.length, -1), counters })
  })
  const linksPerName = new Map<string, number>()
  for (const { name } of links) linksPerName.set(name, (linksPerName.get(name) ?? 0) + 1)
  const interfaces = links.map(({ name, link, counters }) => ({ name: (linksPerName.get(name) ?? 0) > 1 ? `${name}/link${link}` : name, ...counters }))
  return { interfaces, issues }
}
