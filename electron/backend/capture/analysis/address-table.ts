/**
 * IP addresses numbered from 0 in the order first seen, kept as 32-bit words in typed arrays and
 * found again by an integer hash: a packet read by the header scan is counted without its
 * addresses ever becoming text. The text of an address is made once, when something shows it.
 */

import { ipv4Text, ipv6Text, parseIpAddress } from '../../../../shared/net/ip-address'
import { grown } from '../typed-array-growth'

/** Addresses the columns hold at first; they double after. */
const FIRST_CAPACITY = 64

/** Numbered addresses. */
export class AddressTable {
  private count = 0
  /** 4 or 6, or 0 for a text that is not an IP address (kept by its text only). */
  private families = new Uint8Array(FIRST_CAPACITY)
  private words = new Uint32Array(FIRST_CAPACITY * 4)
  /** Open-addressing slots: an address number plus one, 0 for an empty slot; at most half full. */
  private slots = new Int32Array(FIRST_CAPACITY * 2)
  private texts: (string | undefined)[] = []
  /** Texts already looked up, so a decoded packet's address is parsed once. */
  private readonly numbersByText = new Map<string, number>()
  private readonly scratch = new Uint32Array(4)
  private readonly bytes = new Uint8Array(16)

  get size(): number {
    return this.count
  }

  /** The number of an address given as words (one for IPv4, four for IPv6), added when new. */
  intern(family: 4 | 6, words: Uint32Array): number {
    const found = this.find(family, words)
    return found >= 0 ? found : this.insert(family, words)
  }

  /** The number of an address given as text, added when new. */
  internText(text: string): number {
    const known = this.numbersByText.get(text)
    if (known !== undefined) return known
    const address = parseIpAddress(text)
    let number: number
    if (address === null) {
      number = this.insertText(text)
    } else {
      this.scratch.fill(0)
      this.scratch.set(address.words)
      number = this.intern(address.family, this.scratch)
    }
    this.numbersByText.set(text, number)
    return number
  }

  /** The number of an address given as text, or -1 when it was never added. */
  findText(text: string): number {
    const known = this.numbersByText.get(text)
    if (known !== undefined) return known
    const address = parseIpAddress(text)
    if (address === null) return -1
    this.scratch.fill(0)
    this.scratch.set(address.words)
    return this.find(address.family, this.scratch)
  }

  /** Address `number` as the decoders write it. */
  text(number: number): string {
    const known = this.texts[number]
    if (known !== undefined) return known
    const family = this.families[number] ?? 0
    const bytes = this.bytes
    for (let word = 0; word < 4; word++) {
      const value = this.words[number * 4 + word] ?? 0
      bytes[word * 4] = value >>> 24
      bytes[word * 4 + 1] = (value >>> 16) & 0xff
      bytes[word * 4 + 2] = (value >>> 8) & 0xff
      bytes[word * 4 + 3] = value & 0xff
    }
    const text = family === 4 ? ipv4Text(bytes, 0) : ipv6Text(bytes, 0)
    this.texts[number] = text
    return text
  }

  private find(family: 4 | 6, words: Uint32Array): number {
    const w0 = words[0] ?? 0
    const w1 = words[1] ?? 0
    const w2 = words[2] ?? 0
    const w3 = words[3] ?? 0
    const slots = this.slots
    const mask = slots.length - 1
    for (let slot = hashWords(family, w0, w1, w2, w3) & mask; ; slot = (slot + 1) & mask) {
      const stored = slots[slot] ?? 0
      if (stored === 0) return -1
      const number = stored - 1
      const at = number * 4
      if (this.families[number] === family && this.words[at] === w0 && this.words[at + 1] === w1 && this.words[at + 2] === w2 && this.words[at + 3] === w3) return number
    }
  }

  private insert(family: 4 | 6, words: Uint32Array): number {
    const number = this.append(family)
    this.words.set(words.subarray(0, 4), number * 4)
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2)
    else this.place(number)
    return number
  }

  /** A text that is no IP address: numbered, never hashed (only {@link internText} finds it). */
  private insertText(text: string): number {
    const number = this.append(0)
    this.texts[number] = text
    return number
  }

  private append(family: number): number {
    const number = this.count
    this.families = grown(this.families, number + 1, FIRST_CAPACITY)
    this.words = grown(this.words, (number + 1) * 4, FIRST_CAPACITY * 4)
    this.families[number] = family
    this.count = number + 1
    return number
  }

  private place(number: number): void {
    const family = this.families[number] ?? 0
    if (family === 0) return
    const at = number * 4
    const slots = this.slots
    const mask = slots.length - 1
    let slot = hashWords(family, this.words[at] ?? 0, this.words[at + 1] ?? 0, this.words[at + 2] ?? 0, this.words[at + 3] ?? 0) & mask
    while (slots[slot] !== 0) slot = (slot + 1) & mask
    slots[slot] = number + 1
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount)
    for (let number = 0; number < this.count; number++) this.place(number)
  }
}

/** A well-mixed 32-bit hash of an address's words. */
function hashWords(family: number, w0: number, w1: number, w2: number, w3: number): number {
  let hash = Math.imul(family, 0x9e3779b1) ^ w0
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) ^ w1
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) ^ w2
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) ^ w3
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return hash ^ (hash >>> 16)
}
