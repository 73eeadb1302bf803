/**
 * The rows of the previous netlink read, by socket cookie, so a socket whose message did not
 * change is handed back as the very row it gave last time: no decode, no address text, no id
 * string, and nothing new for the garbage collector. On a quiet host almost every socket is such
 * a socket, and building its row again was most of what a steady poll cost. When every row of a
 * read is last read's, in the same order, the read hands back last read's array itself, which
 * tells the owner join, the diff and the history at a glance that nothing moved.
 */
import type { SocketEntry } from '../../../../shared/model/socket'
import { dataViewOf } from './netlink/netlink-message'

/** Where a message's cookie sits: in the inet_diag socket id, or after a UNIX socket's inode. */
export const INET_COOKIE_OFFSET = 44
export const UNIX_COOKIE_OFFSET = 8
/**
 * The inet_diag_msg word holding the timer's expiry, which counts down on every read of a socket
 * whose timer runs (TIME_WAIT, keep-alive): such a message differs in that word alone.
 */
export const INET_EXPIRY_WORD = 13
/** Cookies up to 2^53 are exact as a number key; a higher one (never seen in practice) is not cached. */
const MAX_COOKIE_HIGH = 0x200000

/**
 * How a message compares with the one its cookie gave last read: `different` (not seen last
 * read, or changed beyond the word the caller may let move), `same`, or `only-that-word` (only
 * the word the caller named differs).
 */
export type Sameness = 'different' | 'same' | 'only-that-word'

interface CachedRow {
  row: SocketEntry
  /** The message's payload as last read, as 32-bit words (the tail zero-padded). */
  words: Int32Array
  /** The read that last saw the socket. */
  seenIn: number
}

/** Rows by cookie from one reader's previous read; one per network namespace read. */
export class DiagRowCache {
  private readonly rows = new Map<number, CachedRow>()
  private read = 0
  private lastRows: readonly SocketEntry[] = []
  /** The entry {@link compare} found, for {@link cachedRow} and {@link update}. */
  private found: CachedRow | undefined = undefined
  private foundKey = -1

  /** Starts a read: what it does not see again is dropped by {@link endRead}. */
  beginRead(): void {
    this.read++
  }

  /**
   * Ends a read whose rows are `rows`: drops the sockets it did not list, and returns last read's
   * array when it holds the very same rows in the same order, else `rows`.
   */
  endRead(rows: readonly SocketEntry[]): readonly SocketEntry[] {
    for (const [cookie, cached] of this.rows) if (cached.seenIn !== this.read) this.rows.delete(cookie)
    const last = this.lastRows
    if (last.length === rows.length && last.length > 0) {
      let same = true
      for (let index = 0; index < rows.length && same; index++) same = rows[index] === last[index]
      if (same) return last
    }
    this.lastRows = rows
    return rows
  }

  /** Sockets remembered. */
  get size(): number {
    return this.rows.size
  }

  /**
   * Compares the message payload in [start, end), whose cookie sits at `start + cookieOffset`,
   * with what that cookie's message was last read; `movableWord` (or -1) names a word that may
   * differ alone. {@link cachedRow} is then that socket's row.
   */
  compare(bytes: Uint8Array, start: number, end: number, cookieOffset: number, movableWord: number): Sameness {
    this.found = undefined
    this.foundKey = -1
    if (end - start < cookieOffset + 8) return 'different'
    const view = dataViewOf(bytes)
    const key = cookieKey(view, start + cookieOffset)
    if (key < 0) return 'different'
    this.foundKey = key
    const cached = this.rows.get(key)
    if (cached === undefined) return 'different'
    this.found = cached
    const words = cached.words
    const length = end - start
    if (words.length !== (length + 3) >>> 2) return 'different'
    let moved = false
    const whole = length >>> 2
    for (let word = 0; word < whole; word++) {
      if (view.getInt32(start + word * 4, true) === words[word]) continue
      if (word !== movableWord) return 'different'
      moved = true
    }
    if (whole !== words.length && tailWord(bytes, start + whole * 4, end) !== words[whole]) return 'different'
    cached.seenIn = this.read
    return moved ? 'only-that-word' : 'same'
  }

  /** The row of the socket the last {@link compare} did not find different. */
  cachedRow(): SocketEntry {
    if (this.found === undefined) throw new Error('no cached row was found')
    return this.found.row
  }

  /** Remembers `row` as made from the payload in [start, end) that the last {@link compare} looked at. */
  remember(bytes: Uint8Array, start: number, end: number, row: SocketEntry): void {
    if (this.foundKey < 0) return
    const length = end - start
    const whole = length >>> 2
    const found = this.found
    const words = found !== undefined && found.words.length === (length + 3) >>> 2 ? found.words : new Int32Array((length + 3) >>> 2)
    const view = dataViewOf(bytes)
    for (let word = 0; word < whole; word++) words[word] = view.getInt32(start + word * 4, true)
    if (whole !== words.length) words[whole] = tailWord(bytes, start + whole * 4, end)
    if (found !== undefined) {
      found.row = row
      found.words = words
      found.seenIn = this.read
    } else this.rows.set(this.foundKey, { row, words, seenIn: this.read })
  }

  /** Forgets every row. */
  clear(): void {
    this.rows.clear()
    this.lastRows = []
  }
}

/** The socket cookie at `position` as a number key, or -1 when it is too large to be exact. */
function cookieKey(view: DataView, position: number): number {
  const high = view.getUint32(position + 4, true)
  if (high >= MAX_COOKIE_HIGH) return -1
  return high * 0x1_0000_0000 + view.getUint32(position, true)
}

/** The last 1–3 bytes of a payload as one word, zero-padded. */
function tailWord(bytes: Uint8Array, start: number, end: number): number {
  let word = 0
  for (let position = end - 1; position >= start; position--) word = (word << 8) | (bytes[position] ?? 0)
  return word
}
