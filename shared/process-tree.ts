/** Rows of processes arranged as a tree: each under its nearest ancestor among them, siblings in sort order. */

/** One row of the arranged tree. */
export interface TreeRow<T> {
  readonly item: T
  /** 0 for a row whose ancestors are none of the rows. */
  readonly depth: number
  /** How many rows sit directly under this one. */
  readonly children: number
}

/**
 * Arranges `items` depth first: a row goes under its nearest ancestor (by `ancestorsOf`, nearest
 * first) that is one of the rows, or at the top when none is; rows under the same parent keep
 * the order of `compare`. A row without a pid stays at the top.
 */
export function arrangeAsTree<T>(
  items: readonly T[],
  pidOf: (item: T) => number | null,
  ancestorsOf: (pid: number) => readonly number[] | undefined,
  compare: (a: T, b: T) => number
): TreeRow<T>[] {
  const byPid = new Map<number, T>()
  for (const item of items) {
    const pid = pidOf(item)
    if (pid !== null && !byPid.has(pid)) byPid.set(pid, item)
  }
  const childrenOf = new Map<T | null, T[]>()
  for (const item of items) {
    const pid = pidOf(item)
    const parentPid = pid === null ? undefined : ancestorsOf(pid)?.find((ancestor) => ancestor !== pid && byPid.has(ancestor))
    const parent = parentPid === undefined ? null : (byPid.get(parentPid) ?? null)
    const siblings = childrenOf.get(parent)
    if (siblings === undefined) childrenOf.set(parent, [item])
    else siblings.push(item)
  }
  const rows: TreeRow<T>[] = []
  const placed = new Set<T>()
  const visit = (parent: T | null, depth: number): void => {
    const siblings = [...(childrenOf.get(parent) ?? [])].sort(compare)
    for (const item of siblings) {
      // Pids reused into a loop of ancestors would otherwise place a row twice.
      if (placed.has(item)) continue
      placed.add(item)
      rows.push({ item, depth, children: childrenOf.get(item)?.length ?? 0 })
      visit(item, depth + 1)
    }
  }
  visit(null, 0)
  // Rows caught in such a loop never hang from the top: they go last, flat.
  for (const item of [...items].sort(compare)) if (!placed.has(item)) rows.push({ item, depth: 0, children: 0 })
  return rows
}
