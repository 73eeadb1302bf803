/**
 * The largest and smallest number of a list of any length. Spreading a list into Math.max or
 * Math.min passes one argument per element, which throws a RangeError past roughly a hundred
 * thousand elements: a long history series or a table of every socket is that long.
 */

/** The largest of `values`, or `whenEmpty` when there are none. */
export function largestOf(values: Iterable<number>, whenEmpty: number): number {
  let largest = Number.NEGATIVE_INFINITY
  for (const value of values) if (value > largest) largest = value
  return largest === Number.NEGATIVE_INFINITY ? whenEmpty : largest
}

/** The smallest of `values`, or `whenEmpty` when there are none. */
export function smallestOf(values: Iterable<number>, whenEmpty: number): number {
  let smallest = Number.POSITIVE_INFINITY
  for (const value of values) if (value < smallest) smallest = value
  return smallest === Number.POSITIVE_INFINITY ? whenEmpty : smallest
}
