/** Resource limits of a process, from /proc/PID/limits. */
import { readFile } from 'node:fs/promises'

/** One row of /proc/PID/limits; null means unlimited. */
export interface ProcessLimit {
  readonly name: string
  readonly soft: number | null
  readonly hard: number | null
  readonly unit: string
}

const row = /^(\S+(?: \S+)*)\s{2,}(\S+)\s+(\S+)(?:\s+(\S+))?\s*$/

function limitValue(text: string): number | null | undefined {
  if (text === 'unlimited') return null
  const value = Number(text)
  return Number.isInteger(value) && value >= 0 ? value : undefined
}

/**
 * Parses /proc/PID/limits. Names hold single spaces and columns are separated by two or more,
 * so a row splits at the first run of two spaces. Rows that do not fit are skipped.
 */
export function parseProcessLimits(text: string): ProcessLimit[] {
  const limits: ProcessLimit[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('Limit ')) continue
    const [, name, softText, hardText, unit = ''] = row.exec(line) ?? []
    if (name === undefined || softText === undefined || hardText === undefined) continue
    const soft = limitValue(softText)
    const hard = limitValue(hardText)
    if (soft === undefined || hard === undefined) continue
    limits.push({ name, soft, hard, unit })
  }
  return limits
}

/** The soft RLIMIT_NOFILE ("Max open files"), or null when the text does not say. */
export function softOpenFilesLimit(limits: readonly ProcessLimit[]): number | null {
  return limits.find((limit) => limit.name === 'Max open files')?.soft ?? null
}

const expectedErrors = new Set(['ENOENT', 'EACCES', 'EPERM', 'ESRCH'])

/** The soft RLIMIT_NOFILE of `pid`, or null when the process is gone or unreadable. */
export async function readSoftOpenFilesLimit(pid: number, procRoot = '/proc'): Promise<number | null> {
  try {
    return softOpenFilesLimit(parseProcessLimits(await readFile(`${procRoot}/${pid}/limits`, 'utf8')))
  } catch (error) {
    if (expectedErrors.has((error as NodeJS.ErrnoException).code ?? '')) return null
    throw error
  }
}
