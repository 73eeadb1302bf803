/**
 * Follow TCP stream on the shown capture: the conversation's packets read back from the store,
 * reassembled, and cut at a size limit so a large download does not travel whole.
 */
import type { FollowedStream } from '../../../../shared/model/capture-view'
import { RequestError } from '../../../../shared/contract/envelope'
import { endpointText } from '../analysis/conversations'
import { followTcpStream, type SummarizedPacket } from '../analysis/stream-follow'
import { summarizePacket } from '../decode/packet-decoder'
import { elementAt } from '../../../../shared/element-at'
import { TCP_RETRANSMISSION_BITS } from '../../../../shared/model/tcp-analysis'
import { PACKETS_PER_SLICE } from './packet-store'
import type { ShownCapture } from './shown-capture'

/** Most payload bytes a followed stream returns unless asked for more. */
const DEFAULT_FOLLOW_BYTES = 4 * 1024 * 1024

/** Reassembles the TCP conversation `conversationId` of `capture`, up to `maxBytes` of payload. */
export async function followConversation(capture: ShownCapture, conversationId: string, maxBytes = DEFAULT_FOLLOW_BYTES): Promise<FollowedStream> {
  const flow = capture.flowOfConversationId(conversationId)
  const conversation = capture.conversation(flow)
  if (conversation === null) throw new RequestError('not-found', `no conversation ${conversationId} in this capture`)
  if (conversation.transport !== 'tcp') throw new RequestError('unsupported', 'only TCP conversations can be followed')
  const indexes = capture.store.indexesOfFlow(flow)
  const packets: SummarizedPacket[] = []
  let payload = 0
  let cut = false
  for (let start = 0; start < indexes.length && !cut; start += PACKETS_PER_SLICE) {
    const slice = indexes.subarray(start, start + PACKETS_PER_SLICE)
    const read = await capture.store.packetsAt(slice)
    for (let position = 0; position < read.length; position++) {
      const packet = elementAt(read, position)
      const summary = summarizePacket(packet, capture.linkTypeOf(packet))
      const retransmitted = (capture.analysisFlagsOf(elementAt(slice, position)) & TCP_RETRANSMISSION_BITS) !== 0
      packets.push({ summary, data: packet.data, retransmitted })
      payload += summary.payloadLength
      if (payload > maxBytes) {
        cut = true
        break
      }
    }
  }
  const stream = followTcpStream(packets, conversation.key)
  if (stream === null) throw new RequestError('not-found', 'no TCP segment of this conversation is stored')
  const notes: string[] = []
  if (cut) notes.push(`Only the first ${Math.round(maxBytes / 1024)} KiB of payload are shown.`)
  if (stream.missingBytes > 0) notes.push(`${stream.missingBytes} bytes were never captured (gaps).`)
  if (stream.duplicateBytes > 0) notes.push(`${stream.duplicateBytes} retransmitted bytes are shown once.`)
  if (stream.segments.some((segment) => segment.retransmitted)) notes.push('Bytes that only arrived in a retransmission are underlined.')
  return {
    conversationId,
    client: endpointText(conversation.addressA, conversation.portA),
    server: endpointText(conversation.addressB, conversation.portB),
    clientBytes: stream.bytesAToB,
    serverBytes: stream.bytesBToA,
    chunks: stream.segments.map((segment) => ({
      fromClient: segment.direction === 'a-to-b',
      data: Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength).toString('base64'),
      retransmitted: segment.retransmitted
    })),
    notes
  }
}
