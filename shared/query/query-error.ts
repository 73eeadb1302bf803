/**
 * Errors of the filter language, located in the query text so the filter box can underline them.
 */

/**
 * A problem in a query.
 *
 * `start` and `end` are 0-based offsets into the query, end exclusive (`text.slice(start, end)`
 * is the faulty part). The message repeats the place as 1-based columns for people.
 */
export interface QueryError {
  readonly message: string
  readonly start: number
  readonly end: number
}

/**
 * Formats a 0-based, end-exclusive range as 1-based columns: `3` for one character, `6–10` for more.
 */
function formatQueryPosition(start: number, end: number): string {
  return end - start <= 1 ? `${start + 1}` : `${start + 1}–${end}`
}

/** Builds a {@link QueryError} whose message reads `<problem> at <place>` plus an optional `(<hint>)`. */
export function makeQueryError(problem: string, start: number, end: number, hint?: string): QueryError {
  const suffix = hint === undefined ? '' : ` (${hint})`
  return { message: `${problem} at ${formatQueryPosition(start, end)}${suffix}`, start, end }
}
