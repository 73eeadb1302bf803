/**
 * Who owns a conversation of the shown capture: the process the live socket table named, or the
 * one a capture file wrote as the packet's comment. One owner per conversation, so every packet
 * of a flow shows the same process, including the last ones after its socket is gone.
 */
import type { Conversation, PacketSummary } from '../../../../shared/model/decoded-packet'
import { directionOf } from '../analysis/conversations'
import { ownerComment, type PacketAttribution } from '../process-attribution'

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

/** The owner the live table found for `summary`, a packet of `conversation`. */
export function ownerFromAttribution(attribution: PacketAttribution, conversation: Conversation, summary: PacketSummary): FlowOwner {
  const { socket } = attribution
  const fromA = directionOf(conversation, summary) === 'a-to-b'
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
  const named = match ? { process: match[1]!, pid: Number(match[2]) } : { process: comment.slice(0, 200), pid: null }
  return { ...named, comment, side: 'a', confirmed: false }
}

/** Whether a packet of `conversation` was sent by its owner (true) or received (false). */
export function sentByOwner(owner: FlowOwner, conversation: Conversation, summary: PacketSummary): boolean {
  return (directionOf(conversation, summary) === 'a-to-b') === (owner.side === 'a')
}

/** `name (pid)` for the list, or null when nobody is known. */
export function ownerText(owner: FlowOwner | null): string | null {
  if (owner === null) return null
  if (owner.pid === null) return owner.process
  return `${owner.process ?? '?'} (${owner.pid})`
}
