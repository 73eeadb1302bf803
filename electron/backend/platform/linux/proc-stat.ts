/** Parent, state, session and start time of every process, from /proc/PID/stat. */
import { readdirSync, readFileSync } from 'node:fs'
import type { ProcessStatus } from '../platform'

/**
 * Parses one /proc/PID/stat line. The name (field 2) sits in parentheses and may itself hold
 * spaces and parentheses, so the fields after it are counted from the last `)`. Returns null
 * for text that does not fit.
 */
export function parseProcessStat(text: string): ProcessStatus | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 1 || close < open) return null
  const pid = Number(text.slice(0, open).trim())
  // After the name: state (field 3), ppid (4), pgrp (5), session (6) … starttime (22).
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/)
  const [state] = rest
  if (rest.length < 20 || state === undefined) return null
  const parentPid = Number(rest[1])
  const sessionId = Number(rest[3])
  const startTime = Number(rest[19])
  if (![pid, parentPid, sessionId, startTime].every((value) => Number.isInteger(value) && value >= 0) || pid === 0 || !/^[A-Za-z]$/.test(state)) return null
  return { pid, parentPid, sessionId, startTime, state, name: text.slice(open + 1, close) }
}

/**
 * Every process procfs lists now. A process that exits while the list is read is left out. The
 * reads are synchronous in a tight loop: a few hundred small files, where a promise per file would
 * cost more than the read.
 */
export function readProcessStatuses(procRoot = '/proc'): ProcessStatus[] {
  let entries: string[]
  try {
    entries = readdirSync(procRoot)
  } catch {
    return []
  }
  const statuses: ProcessStatus[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let text: string
    try {
      text = readFileSync(`${procRoot}/${entry}/stat`, 'utf8')
    } catch {
      continue
    }
    const status = parseProcessStat(text)
    if (status) statuses.push(status)
  }
  return statuses
}
