/** How old something is, in whole units people read at a glance. */

/** `0 s`, `42 s`, `3 min 5 s`, `2 h 4 min`: the age of data shown while it cannot be refreshed. */
export function formatAge(ageMs: number): string {
  const seconds = Math.max(0, Math.floor(ageMs / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
