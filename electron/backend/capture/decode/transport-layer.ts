/**
 * Transport layers: TCP (with options) and UDP, plus the hand-off to ICMP and to the
 * application decoders.
 */

import { TCP_FLAG, type TcpOptions } from '../../../../shared/model/decoded-packet'
import { hexNumber, networkUint16, networkUint32 } from '../../../../shared/bytes'
import { decodeApplication } from './application-layer'
import type { DecodeState } from './decode-state'
import { decodeIcmp } from './icmp'
import { ipProtocolName, tcpFlagNames, TCP_FLAG_BITS } from './protocol-names'
import { elementAt } from '../../../../shared/element-at'

const TCP_OPTION_NAMES: Record<number, string> = {
  2: 'Maximum segment size',
  3: 'Window scale',
  4: 'SACK permitted',
  5: 'SACK',
  8: 'Timestamps',
  30: 'Multipath TCP',
  34: 'TCP Fast Open cookie'
}

/**
 * Decodes the transport at `offset`. `end` is where captured IP payload ends; `wireLength` is
 * the transport's length on the wire (from the IP header), which a snaplen may have cut.
 */
export function decodeTransport(state: DecodeState, protocol: number, offset: number, end: number, wireLength: number): void {
  switch (protocol) {
    case 6:
      decodeTcp(state, offset, end, wireLength)
      return
    case 17:
      decodeUdp(state, offset, end, wireLength)
      return
    case 1:
      decodeIcmp(state, 4, offset, end)
      return
    case 58:
      decodeIcmp(state, 6, offset, end)
      return
    default:
      state.protocol = ipProtocolName(protocol)
      state.info = `${ipProtocolName(protocol)} (${wireLength} bytes)`
      state.payloadOffset = offset
      state.payloadLength = wireLength
      if (end > offset) state.tree?.layer('data', `${ipProtocolName(protocol)} payload (${wireLength} bytes)`, offset, end - offset)
  }
}

function decodeTcp(state: DecodeState, offset: number, end: number, wireLength: number): void {
  const data = state.data
  state.protocol = 'TCP'
  state.transport = 'tcp'
  if (!state.headerFits('tcp', offset, 20, end)) return
  const sourcePort = networkUint16(data, offset)
  const destinationPort = networkUint16(data, offset + 2)
  const sequence = networkUint32(data, offset + 4)
  const acknowledgment = networkUint32(data, offset + 8)
  const headerLength = (elementAt(data, offset + 12) >> 4) * 4
  const flags = ((elementAt(data, offset + 12) & 0x01) << 8) | elementAt(data, offset + 13)
  const window = networkUint16(data, offset + 14)
  state.sourcePort = sourcePort
  state.destinationPort = destinationPort
  state.tcpSequence = sequence
  state.tcpAcknowledgment = acknowledgment
  state.tcpFlags = flags
  state.tcpWindow = window
  const payloadLength = Math.max(0, wireLength - headerLength)
  state.payloadOffset = offset + headerLength
  state.payloadLength = payloadLength
  const ackText = (flags & TCP_FLAG.ACK) !== 0 ? ` Ack=${acknowledgment}` : ''
  state.info = `${sourcePort} → ${destinationPort} [${tcpFlagNames(flags)}] Seq=${sequence}${ackText} Win=${window} Len=${payloadLength}`
  const tree = state.tree
  if (tree !== null) {
    tree.layer(
      'tcp',
      `Transmission Control Protocol, Src Port: ${sourcePort}, Dst Port: ${destinationPort}, Seq: ${sequence}, Len: ${payloadLength}`,
      offset,
      Math.min(headerLength, end - offset)
    )
    tree.add('tcp.srcport', 'Source Port', sourcePort, offset, 2)
    tree.add('tcp.dstport', 'Destination Port', destinationPort, offset + 2, 2)
    tree.add('tcp.seq_raw', 'Sequence Number (raw)', sequence, offset + 4, 4)
    tree.add('tcp.ack_raw', 'Acknowledgment Number (raw)', acknowledgment, offset + 8, 4)
    tree.add('tcp.hdr_len', 'Header Length', headerLength, offset + 12, 1, `${headerLength} bytes`)
    tree.open('tcp.flags', 'Flags', flags, offset + 12, 2, `${hexNumber(flags, 3)} (${tcpFlagNames(flags)})`)
    for (const [bit, name] of TCP_FLAG_BITS) {
      tree.add(`tcp.flags.${name.toLowerCase()}`, name, (flags & bit) !== 0, offset + 12, 2, (flags & bit) !== 0 ? 'Set' : 'Not set')
    }
    tree.close()
    tree.add('tcp.window_size_value', 'Window', window, offset + 14, 2)
    tree.add('tcp.checksum', 'Checksum', networkUint16(data, offset + 16), offset + 16, 2, hexNumber(networkUint16(data, offset + 16), 4))
    tree.add('tcp.urgent_pointer', 'Urgent Pointer', networkUint16(data, offset + 18), offset + 18, 2)
    tree.add('tcp.len', 'Segment Length', payloadLength, offset + 12, 1)
  }
  if (headerLength < 20) {
    state.markMalformed('tcp', `TCP header length ${headerLength} is below 20`, offset + 12)
    return
  }
  if (headerLength > wireLength && !state.fragment) {
    state.markMalformed('tcp', `TCP header length ${headerLength} is longer than the segment (${wireLength})`, offset + 12)
    return
  }
  if (headerLength > 20) {
    const optionsEnd = Math.min(offset + headerLength, end, state.captured)
    decodeTcpOptions(state, offset + 20, optionsEnd)
    if (optionsEnd < offset + headerLength && !state.cutBySnaplen) state.markMalformed('tcp', 'TCP options truncated', optionsEnd)
  }
  if (state.fragment) return
  const payloadEnd = Math.min(end, state.captured)
  decodeApplication(state, 'tcp', offset + headerLength, payloadEnd)
}

function decodeTcpOptions(state: DecodeState, start: number, end: number): void {
  const data = state.data
  const tree = state.tree
  let maximumSegmentSize: number | null = null
  let windowScale: number | null = null
  let sackPermitted = false
  const sackBlocks: { left: number; right: number }[] = []
  let timestamp: { value: number; echoReply: number } | null = null
  if (tree !== null) tree.open('tcp.options', 'Options', null, start, end - start, `${end - start} bytes`)
  let position = start
  while (position < end) {
    const kind = elementAt(data, position)
    if (kind === 0) {
      tree?.add('tcp.option_kind', 'End of Option List', 0, position, 1)
      break
    }
    if (kind === 1) {
      tree?.add('tcp.option_kind', 'No-Operation', 1, position, 1, 'NOP')
      position += 1
      continue
    }
    if (position + 2 > end) {
      state.markMalformed('tcp', `TCP option ${kind} has no length`, position)
      break
    }
    const length = elementAt(data, position + 1)
    if (length < 2 || position + length > end) {
      state.markMalformed('tcp', `TCP option ${kind} has a bad length ${length}`, position)
      break
    }
    const name = TCP_OPTION_NAMES[kind] ?? `Option ${kind}`
    let display = `${length} bytes`
    if (kind === 2 && length === 4) {
      maximumSegmentSize = networkUint16(data, position + 2)
      display = `${maximumSegmentSize} bytes`
    } else if (kind === 3 && length === 3) {
      windowScale = elementAt(data, position + 2)
      display = `shift ${windowScale} (multiply by ${2 ** Math.min(windowScale, 14)})`
    } else if (kind === 4 && length === 2) {
      sackPermitted = true
      display = 'permitted'
    } else if (kind === 5 && (length - 2) % 8 === 0) {
      for (let block = position + 2; block < position + length; block += 8) {
        sackBlocks.push({ left: networkUint32(data, block), right: networkUint32(data, block + 4) })
      }
      display = sackBlocks.map((block) => `${block.left}-${block.right}`).join(', ')
    } else if (kind === 8 && length === 10) {
      timestamp = { value: networkUint32(data, position + 2), echoReply: networkUint32(data, position + 6) }
      display = `TSval ${timestamp.value}, TSecr ${timestamp.echoReply}`
    } else if (kind === 2 || kind === 3 || kind === 4 || kind === 5 || kind === 8) {
      state.markMalformed('tcp', `TCP option ${name} has a bad length ${length}`, position)
    }
    tree?.add(`tcp.options.${kind}`, name, display, position, length)
    position += length
  }
  // The analysis needs the scale of every SYN, so the summary carries it even without a tree.
  state.tcpWindowScale = windowScale
  if (tree !== null) {
    tree.close()
    state.tcpOptions = { maximumSegmentSize, windowScale, sackPermitted, sackBlocks, timestamp } satisfies TcpOptions
  }
}

function decodeUdp(state: DecodeState, offset: number, end: number, wireLength: number): void {
  const data = state.data
  state.protocol = 'UDP'
  state.transport = 'udp'
  if (!state.headerFits('udp', offset, 8, end)) return
  const sourcePort = networkUint16(data, offset)
  const destinationPort = networkUint16(data, offset + 2)
  const length = networkUint16(data, offset + 4)
  state.sourcePort = sourcePort
  state.destinationPort = destinationPort
  // UDP length 0 appears with IPv6 jumbograms and offloaded datagrams: trust the IP length then.
  const datagramLength = length === 0 ? wireLength : length
  state.payloadOffset = offset + 8
  state.payloadLength = Math.max(0, datagramLength - 8)
  state.info = `${sourcePort} → ${destinationPort} Len=${state.payloadLength}`
  const tree = state.tree
  if (tree !== null) {
    tree.layer('udp', `User Datagram Protocol, Src Port: ${sourcePort}, Dst Port: ${destinationPort}`, offset, 8)
    tree.add('udp.srcport', 'Source Port', sourcePort, offset, 2)
    tree.add('udp.dstport', 'Destination Port', destinationPort, offset + 2, 2)
    tree.add('udp.length', 'Length', length, offset + 4, 2)
    tree.add('udp.checksum', 'Checksum', networkUint16(data, offset + 6), offset + 6, 2, hexNumber(networkUint16(data, offset + 6), 4))
  }
  if (length !== 0 && length < 8) {
    state.markMalformed('udp', `UDP length ${length} is below 8`, offset + 4)
    return
  }
  if (state.fragment) return
  if (length > wireLength) {
    state.markMalformed('udp', `UDP length ${length} is longer than the IP payload (${wireLength})`, offset + 4)
  }
  const payloadEnd = Math.min(offset + datagramLength, end, state.captured)
  decodeApplication(state, 'udp', offset + 8, payloadEnd)
}
