/** Ancestors of many processes from one list of every process. */
import type { ProcessLineage } from '../../../shared/model/processes'
import type { ProcessStatus } from '../platform/platform'

/** Most ancestors given per process: deeper chains are rare, and a list whose pids were reused may hold a loop. */
export const MAX_ANCESTORS = 64

/** For each pid, its parent, the parent's parent and so on, nearest first, as far as `processes` knows them. */
export function lineageOf(processes: readonly ProcessStatus[], pids: readonly number[]): ProcessLineage[] {
  const parentOf = new Map(processes.map((status) => [status.pid, status.parentPid]))
  return pids.map((pid) => {
    const ancestors: number[] = []
    let parent = parentOf.get(pid)
    while (parent !== undefined && parent > 0 && parent !== pid && ancestors.length < MAX_ANCESTORS && !ancestors.includes(parent)) {
      ancestors.push(parent)
      parent = parentOf.get(parent)
    }
    return { pid, ancestors }
  })
}
