/**
 * "Did you mean" suggestions for misspelt field names and values.
 */
import { elementAt } from '../element-at'

/**
 * The candidate nearest to a misspelt word, or null when none is close enough to be a likely typo.
 *
 * Close means an edit distance of 1 for short words and 2 for longer ones, or the word being the
 * start of a candidate (`prot` for `proto`). Comparison ignores case.
 */
export function closestName(word: string, candidates: readonly string[]): string | null {
  const typed = word.toLowerCase()
  const allowed = typed.length <= 4 ? 1 : 2
  let best: string | null = null
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase()
    let distance = editDistance(typed, lower)
    if (distance > allowed && typed.length >= 2 && lower.startsWith(typed)) distance = allowed
    if (distance <= allowed && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance, counting a swap of two neighbours as one edit (optimal string alignment). */
export function editDistance(first: string, second: string): number {
  const rows = first.length + 1
  const columns = second.length + 1
  const table: number[] = new Array<number>(rows * columns).fill(0)
  for (let row = 0; row < rows; row += 1) table[row * columns] = row
  for (let column = 0; column < columns; column += 1) table[column] = column
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = first[row - 1] === second[column - 1] ? 0 : 1
      let value = Math.min(
        elementAt(table, (row - 1) * columns + column) + 1,
        elementAt(table, row * columns + column - 1) + 1,
        elementAt(table, (row - 1) * columns + column - 1) + cost
      )
      if (row > 1 && column > 1 && first[row - 1] === second[column - 2] && first[row - 2] === second[column - 1]) {
        value = Math.min(value, elementAt(table, (row - 2) * columns + column - 2) + 1)
      }
      table[row * columns + column] = value
    }
  }
  return elementAt(table, rows * columns - 1)
}
