/**
 * Ancestors and descendants of a process from one list of every process, and signalling exactly
 * one process: for OSes whose process list comes in one call (a toolhelp snapshot on Windows).
 */
import type { ProcessStatus, SignalOutcome } from './platform'

/** Longest parent chain followed: a list with a loop in it (pids reused) must not loop forever. */
const MAX_ANCESTORS = 4096

/** The parent, its parent and so on, nearest first, as far as the list knows them. */
export function ancestorsIn(processes: readonly ProcessStatus[], pid: number): number[] {
  const byPid = new Map(processes.map((status) => [status.pid, status]))
  const ancestors: number[] = []
  let current = byPid.get(pid)
  while (current !== undefined && current.parentPid > 0 && current.parentPid !== pid && ancestors.length < MAX_ANCESTORS && !ancestors.includes(current.parentPid)) {
    ancestors.push(current.parentPid)
    current = byPid.get(current.parentPid)
  }
  return ancestors
}

/** Every process started by `pid`, by its children, and so on. */
export function descendantsIn(processes: readonly ProcessStatus[], pid: number): number[] {
  const childrenByParent = new Map<number, number[]>()
  for (const status of processes) {
    if (status.pid === status.parentPid) continue
    const siblings = childrenByParent.get(status.parentPid)
    if (siblings === undefined) childrenByParent.set(status.parentPid, [status.pid])
    else siblings.push(status.pid)
  }
  const descendants = new Set<number>()
  const waiting = [pid]
  for (let parent = waiting.pop(); parent !== undefined; parent = waiting.pop()) {
    for (const child of childrenByParent.get(parent) ?? []) {
      if (descendants.has(child) || child === pid) continue
      descendants.add(child)
      waiting.push(child)
    }
  }
  return [...descendants]
}

/** Sends `signal` to one process (pid 2 or more). On Windows either signal ends the process at once (TerminateProcess). */
export function signalOne(pid: number, signal: 'SIGTERM' | 'SIGKILL'): SignalOutcome {
  if (!Number.isInteger(pid) || pid < 2) throw new RangeError(`refusing to signal pid ${pid}: only single processes (pid 2 or more) can be signalled`)
  try {
    process.kill(pid, signal)
    return 'sent'
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ESRCH') return 'gone'
    if (code === 'EPERM') return 'not-permitted'
    throw error
  }
}
