/**
 * Index reads whose range the caller has already established (parallel series of one length, a
 * ring slot below its size, a byte inside a checked header). A miss means that reasoning was
 * wrong, so it throws a RangeError naming the index instead of letting `undefined` flow on.
 */

/** The element at `index`, which the caller knows is inside `items`. */
export function elementAt<T>(items: ArrayLike<T>, index: number): T {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new RangeError(`index ${index} is outside ${items.length} elements`)
  return items[index] as T
}
