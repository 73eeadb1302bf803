/** Growing the typed-array columns the capture keeps per packet and per conversation. */

/** Any typed array of numbers (not bigints). */
export type NumberColumn = Int8Array | Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array

/**
 * The column with room for at least `needed` entries, contents kept: the same array when it is
 * big enough, otherwise a copy of double the size (at least `firstCapacity`).
 */
export function grown<T extends NumberColumn>(array: T, needed: number, firstCapacity = 1024): T {
  if (needed <= array.length) return array
  let capacity = Math.max(firstCapacity, array.length * 2)
  while (capacity < needed) capacity *= 2
  const next = new (array.constructor as new (length: number) => T)(capacity)
  next.set(array)
  return next
}
