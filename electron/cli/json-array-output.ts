/** Writing a long JSON array without building it as one string. */

/** Bytes gathered before a write: few enough syscalls, and no string the size of the whole table. */
const CHUNK_CHARS = 1 << 20

/**
 * Writes `items` as a JSON array with one compact item per line (`itemJson` of it), in chunks. A table of 50k
 * sockets is tens of megabytes of JSON: indenting it would double that, and stringifying it whole
 * holds it twice in memory (as text and as the buffer written), which costs more than the read.
 */
export function writeJsonArray<Item>(out: NodeJS.WritableStream, items: Iterable<Item>, itemJson: (item: Item) => string = JSON.stringify): void {
  let chunk = '['
  let first = true
  for (const item of items) {
    chunk += (first ? '\n' : ',\n') + itemJson(item)
    first = false
    if (chunk.length >= CHUNK_CHARS) {
      out.write(chunk)
      chunk = ''
    }
  }
  out.write(chunk + (first ? ']\n' : '\n]\n'))
}
