/**
 * Who owns a conversation of the shown capture: the process the live socket table named, or the
 * one a capture file wrote as the packet's comment. One owner per conversation, so every packet
 * of a flow shows the same process, including the last ones after its socket is gone.
 */
import type { PacketAttribution } from '../process-attribution'
import { ownerComment } from '../process-attribution'
import { grown } from '../typed-array-growth'
import { elementAt } from '../../../../shared/element-at'

/** The owner of a conversation. */
export interface FlowOwner {
  readonly pid: number | null
  readonly process: string | null
  /** What an exported pcapng file keeps as each packet's comment. */
  readonly comment: string | undefined
  /** The end of the conversation that is the owner's: 'a' spoke first, 'b' answered. */
  readonly side: 'a' | 'b'
  /** A connected socket with its process: no later packet can name a better owner. */
  readonly confirmed: boolean
}

/** The owner the live table found for a packet that went from A to B (`fromA`) or back. */
export function ownerFromAttribution(attribution: PacketAttribution, fromA: boolean): FlowOwner {
  const { socket } = attribution
  const ownerSentIt = attribution.direction === 'sent'
  return {
    pid: socket.pid,
    process: socket.process,
    comment: ownerComment(socket),
    side: fromA === ownerSentIt ? 'a' : 'b',
    confirmed: attribution.exact && socket.pid !== null
  }
}

/**
 * Reads back the comment sockscope writes (`node (pid 1234)`); any other comment is a bare name.
 * A file does not say which end was the process's, so the side that spoke first is taken.
 */
export function ownerFromComment(comment: string): FlowOwner {
  const match = /^(.*) \(pid (\d+)\)$/.exec(comment)
  const named = match ? { process: elementAt(match, 1), pid: Number(match[2]) } : { process: comment.slice(0, 200), pid: null }
  return { ...named, comment, side: 'a', confirmed: false }
}

/** Whether a packet that went from A to B (`fromA`) or back was sent by `owner` (true) or received (false). */
export function sentByOwner(owner: FlowOwner, fromA: boolean): boolean {
  return fromA === (owner.side === 'a')
}

/** `name (pid)` for the list, or null when nobody is known. */
export function ownerText(owner: FlowOwner | null): string | null {
  if (owner === null) return null
  if (owner.pid === null) return owner.process
  return `${owner.process ?? '?'} (${owner.pid})`
}

/** The four owners one process can be of a flow: side a or b, confirmed or not. */
type OwnerVariants = [FlowOwner | undefined, FlowOwner | undefined, FlowOwner | undefined, FlowOwner | undefined]

/** Bits of a flow's owner variant. */
const SIDE_B = 1
const CONFIRMED = 2

/**
 * The owner of every conversation, by flow number. A process owns many flows, so each owner is
 * kept once and every flow holds a number: a million flows cost a few bytes each.
 */
export class FlowOwners {
  private readonly numbers = new Map<string, number>()
  private readonly variants: OwnerVariants[] = []
  /** Per flow: owner number times four plus the variant bits, plus one; 0 for none. */
  private ofFlow = new Int32Array(0)

  /** The owner of `flow`, or null. */
  get(flow: number): FlowOwner | null {
    const stored = flow < 0 || flow >= this.ofFlow.length ? 0 : elementAt(this.ofFlow, flow)
    if (stored === 0) return null
    const code = stored - 1
    const owner = elementAt(elementAt(this.variants, code >> 2), code & 3)
    if (owner === undefined) throw new RangeError(`flow ${flow} names owner variant ${code}, which was never stored`)
    return owner
  }

  /**
   * Offers an owner found for `flow`. The first owner found keeps the flow, unless it was a
   * guess (a listener, a socket without its process) and a confirmed one turns up later.
   */
  offer(flow: number, found: FlowOwner): void {
    const current = this.get(flow)
    if (current?.confirmed || (current !== null && !found.confirmed)) return
    if (flow >= this.ofFlow.length) this.ofFlow = grown(this.ofFlow, flow + 1)
    this.ofFlow[flow] = this.codeOf(found) + 1
  }

  /** Whether the owner of `flow` is settled, so looking for a better one is wasted work. */
  confirmed(flow: number): boolean {
    return this.get(flow)?.confirmed === true
  }

  private codeOf(owner: FlowOwner): number {
    const identity = `${owner.pid ?? ''}\u0000${owner.process ?? ''}\u0000${owner.comment ?? ''}`
    let number = this.numbers.get(identity)
    if (number === undefined) {
      number = this.variants.length
      this.numbers.set(identity, number)
      this.variants.push([undefined, undefined, undefined, undefined])
    }
    const bits = (owner.side === 'b' ? SIDE_B : 0) | (owner.confirmed ? CONFIRMED : 0)
    const variants = elementAt(this.variants, number)
    variants[bits] ??= owner
    return number * 4 + bits
  }
}
