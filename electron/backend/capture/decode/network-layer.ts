/**
 * Network layers: IPv4 (with fragment detection), IPv6 (walking the extension headers) and ARP.
 */

import { hexNumber, networkUint16, networkUint32 } from '../../../../shared/bytes'
import { ipv4Text, ipv6Text } from '../../../../shared/net/ip-address'
import { macText } from './address-text'
import type { DecodeState } from './decode-state'
import { ipProtocolName } from './protocol-names'
import { decodeTransport } from './transport-layer'
import { elementAt } from '../../../../shared/element-at'

/** Most IPv6 extension headers we walk before calling the chain malformed. */
const MAXIMUM_EXTENSION_HEADERS = 16

/**
 * Decodes an IPv4 header at `offset`; `end` is where the link layer's payload ends.
 */
export function decodeIpv4(state: DecodeState, offset: number, end: number): void {
  const data = state.data
  state.protocol = 'IPv4'
  state.ipVersion = 4
  if (!state.headerFits('ipv4', offset, 20)) return
  const version = elementAt(data, offset) >> 4
  const headerLength = (elementAt(data, offset) & 0x0f) * 4
  const totalLength = networkUint16(data, offset + 2)
  const identification = networkUint16(data, offset + 4)
  const flagsAndOffset = networkUint16(data, offset + 6)
  const moreFragments = (flagsAndOffset & 0x2000) !== 0
  const dontFragment = (flagsAndOffset & 0x4000) !== 0
  const fragmentOffset = (flagsAndOffset & 0x1fff) * 8
  const protocol = elementAt(data, offset + 9)
  state.sourceAddress = ipv4Text(data, offset + 12)
  state.destinationAddress = ipv4Text(data, offset + 16)
  state.ipProtocol = protocol
  const tree = state.tree
  if (tree !== null) {
    tree.layer('ipv4', `Internet Protocol Version 4, Src: ${state.sourceAddress}, Dst: ${state.destinationAddress}`, offset, headerLength)
    tree.add('ip.version', 'Version', version, offset, 1)
    tree.add('ip.hdr_len', 'Header Length', headerLength, offset, 1, `${headerLength} bytes`)
    tree.add('ip.dsfield', 'Differentiated Services Field', elementAt(data, offset + 1), offset + 1, 1, hexNumber(elementAt(data, offset + 1), 2))
    tree.add('ip.len', 'Total Length', totalLength, offset + 2, 2)
    tree.add('ip.id', 'Identification', identification, offset + 4, 2, `${hexNumber(identification, 4)} (${identification})`)
    tree.open('ip.flags', 'Flags', flagsAndOffset >> 13, offset + 6, 1, hexNumber(flagsAndOffset >> 13, 1))
    tree.add('ip.flags.df', "Don't fragment", dontFragment, offset + 6, 1, dontFragment ? 'Set' : 'Not set')
    tree.add('ip.flags.mf', 'More fragments', moreFragments, offset + 6, 1, moreFragments ? 'Set' : 'Not set')
    tree.close()
    tree.add('ip.frag_offset', 'Fragment Offset', fragmentOffset, offset + 6, 2)
    tree.add('ip.ttl', 'Time to Live', elementAt(data, offset + 8), offset + 8, 1)
    tree.add('ip.proto', 'Protocol', protocol, offset + 9, 1, `${ipProtocolName(protocol)} (${protocol})`)
    tree.add('ip.checksum', 'Header Checksum', networkUint16(data, offset + 10), offset + 10, 2, hexNumber(networkUint16(data, offset + 10), 4))
    tree.add('ip.src', 'Source Address', state.sourceAddress, offset + 12, 4)
    tree.add('ip.dst', 'Destination Address', state.destinationAddress, offset + 16, 4)
  }
  if (version !== 4) {
    state.markMalformed('ipv4', `IP version ${version} in an IPv4 header`, offset)
    return
  }
  if (headerLength < 20) {
    state.markMalformed('ipv4', `IPv4 header length ${headerLength} is below 20`, offset)
    return
  }
  if (!state.has(offset, headerLength)) {
    state.markMalformed('ipv4', 'IPv4 options truncated', offset)
    return
  }
  // A total length of 0 is what segmentation offload leaves in locally sent packets: use the frame.
  let packetEnd = totalLength === 0 ? end : offset + totalLength
  if (totalLength !== 0 && totalLength < headerLength) {
    state.markMalformed('ipv4', `IPv4 total length ${totalLength} is smaller than its header`, offset + 2)
    return
  }
  if (packetEnd > end && !state.cutBySnaplen) {
    state.markMalformed('ipv4', `IPv4 total length ${totalLength} runs past the end of the frame`, offset + 2)
    packetEnd = end
  }
  const payloadWireLength = (totalLength === 0 ? end - offset : totalLength) - headerLength
  state.fragment = moreFragments || fragmentOffset > 0
  if (fragmentOffset > 0) {
    state.info = `Fragmented IP protocol (proto=${ipProtocolName(protocol)} ${protocol}, off=${fragmentOffset}, ID=${identification.toString(16)})`
    state.payloadOffset = offset + headerLength
    state.payloadLength = payloadWireLength
    tree?.layer('data', `Fragment data (${payloadWireLength} bytes)`, offset + headerLength, Math.min(packetEnd, state.captured) - offset - headerLength)
    return
  }
  decodeTransport(state, protocol, offset + headerLength, Math.min(packetEnd, end), payloadWireLength)
  if (moreFragments && state.info !== '') state.info = `${state.info} [first fragment, ID=${identification.toString(16)}]`
}

/**
 * Decodes an IPv6 header and its extension headers (hop-by-hop, routing, fragment, destination
 * options, AH) down to the transport.
 */
export function decodeIpv6(state: DecodeState, offset: number, end: number): void {
  const data = state.data
  state.protocol = 'IPv6'
  state.ipVersion = 6
  if (!state.headerFits('ipv6', offset, 40)) return
  const version = elementAt(data, offset) >> 4
  const payloadLength = networkUint16(data, offset + 4)
  let nextHeader = elementAt(data, offset + 6)
  state.sourceAddress = ipv6Text(data, offset + 8)
  state.destinationAddress = ipv6Text(data, offset + 24)
  const tree = state.tree
  if (tree !== null) {
    const firstWord = networkUint32(data, offset)
    tree.layer('ipv6', `Internet Protocol Version 6, Src: ${state.sourceAddress}, Dst: ${state.destinationAddress}`, offset, 40)
    tree.add('ipv6.version', 'Version', version, offset, 1)
    tree.add('ipv6.tclass', 'Traffic Class', (firstWord >>> 20) & 0xff, offset, 2, hexNumber((firstWord >>> 20) & 0xff, 2))
    tree.add('ipv6.flow', 'Flow Label', firstWord & 0xfffff, offset + 1, 3, hexNumber(firstWord & 0xfffff, 5))
    tree.add('ipv6.plen', 'Payload Length', payloadLength, offset + 4, 2)
    tree.add('ipv6.nxt', 'Next Header', nextHeader, offset + 6, 1, `${ipProtocolName(nextHeader)} (${nextHeader})`)
    tree.add('ipv6.hlim', 'Hop Limit', elementAt(data, offset + 7), offset + 7, 1)
    tree.add('ipv6.src', 'Source Address', state.sourceAddress, offset + 8, 16)
    tree.add('ipv6.dst', 'Destination Address', state.destinationAddress, offset + 24, 16)
  }
  if (version !== 6) {
    state.markMalformed('ipv6', `IP version ${version} in an IPv6 header`, offset)
    return
  }
  // Payload length 0 means a jumbogram or segmentation offload: use the frame.
  let packetEnd = payloadLength === 0 ? end : offset + 40 + payloadLength
  if (packetEnd > end && !state.cutBySnaplen) {
    state.markMalformed('ipv6', `IPv6 payload length ${payloadLength} runs past the end of the frame`, offset + 4)
    packetEnd = end
  }
  const wireEnd = payloadLength === 0 ? end : offset + 40 + payloadLength
  let position = offset + 40
  for (let count = 0; ; count += 1) {
    if (count > MAXIMUM_EXTENSION_HEADERS) {
      state.markMalformed('ipv6-extension', `more than ${MAXIMUM_EXTENSION_HEADERS} IPv6 extension headers`, position)
      return
    }
    let headerLength: number
    switch (nextHeader) {
      case 0:
      case 43:
      case 60:
      case 135:
      case 139:
      case 140:
        if (!state.has(position, 2)) return void state.markMalformed('ipv6-extension', `${ipProtocolName(nextHeader)} header truncated`, position)
        headerLength = (elementAt(data, position + 1) + 1) * 8
        break
      case 51:
        if (!state.has(position, 2)) return void state.markMalformed('ipv6-extension', 'AH header truncated', position)
        headerLength = (elementAt(data, position + 1) + 2) * 4
        break
      case 44:
        headerLength = 8
        break
      case 59:
        state.ipProtocol = 59
        state.info = 'IPv6 no next header'
        return
      default:
        state.ipProtocol = nextHeader
        decodeTransport(state, nextHeader, position, Math.min(packetEnd, end), wireEnd - position)
        if (state.fragment && state.info !== '') state.info = `${state.info} [first fragment]`
        return
    }
    if (!state.has(position, headerLength) || position + headerLength > packetEnd) {
      state.markMalformed('ipv6-extension', `${ipProtocolName(nextHeader)} header runs past the packet`, position)
      return
    }
    const following = elementAt(data, position)
    if (nextHeader === 44) {
      const offsetAndFlags = networkUint16(data, position + 2)
      const fragmentOffset = offsetAndFlags & 0xfff8
      const more = (offsetAndFlags & 1) === 1
      const identification = networkUint32(data, position + 4)
      state.fragment = true
      if (tree !== null) {
        tree.layer('ipv6-extension', `IPv6 Fragment Header, offset ${fragmentOffset}, more ${more ? 'yes' : 'no'}`, position, 8)
        tree.add('ipv6.fragment.nxt', 'Next Header', following, position, 1, `${ipProtocolName(following)} (${following})`)
        tree.add('ipv6.fragment.offset', 'Offset', fragmentOffset, position + 2, 2)
        tree.add('ipv6.fragment.more', 'More Fragments', more, position + 3, 1, more ? 'Yes' : 'No')
        tree.add('ipv6.fragment.id', 'Identification', identification, position + 4, 4, hexNumber(identification, 8))
      }
      if (fragmentOffset > 0) {
        state.ipProtocol = following
        state.info = `IPv6 fragment (off=${fragmentOffset} more=${more ? 'y' : 'n'} ident=${hexNumber(identification, 8)} nxt=${following})`
        state.payloadOffset = position + 8
        state.payloadLength = wireEnd - position - 8
        tree?.layer('data', `Fragment data (${wireEnd - position - 8} bytes)`, position + 8, Math.min(packetEnd, state.captured) - position - 8)
        return
      }
    } else if (tree !== null) {
      tree.layer('ipv6-extension', `IPv6 ${ipProtocolName(nextHeader)} header`, position, headerLength)
      tree.add('ipv6.ext.nxt', 'Next Header', following, position, 1, `${ipProtocolName(following)} (${following})`)
      tree.add('ipv6.ext.len', 'Length', headerLength, position + 1, 1, `${headerLength} bytes`)
    }
    nextHeader = following
    position += headerLength
  }
}

/** Decodes an ARP packet (Ethernet/IPv4 addresses are named; others are shown as hex). */
export function decodeArp(state: DecodeState, offset: number): void {
  const data = state.data
  state.protocol = 'ARP'
  if (!state.has(offset, 8)) {
    state.markMalformed('arp', 'ARP header truncated', offset)
    return
  }
  const hardwareLength = elementAt(data, offset + 4)
  const protocolLength = elementAt(data, offset + 5)
  const operation = networkUint16(data, offset + 6)
  const senderHardware = offset + 8
  const senderProtocol = senderHardware + hardwareLength
  const targetHardware = senderProtocol + protocolLength
  const targetProtocol = targetHardware + hardwareLength
  if (!state.has(offset, 8 + 2 * (hardwareLength + protocolLength))) {
    state.markMalformed('arp', 'ARP addresses truncated', offset + 8)
    return
  }
  const protocolText = (at: number) => (protocolLength === 4 ? ipv4Text(data, at) : macText(data, at, protocolLength))
  const operationName = operation === 1 ? 'request' : operation === 2 ? 'reply' : `operation ${operation}`
  state.info =
    operation === 1
      ? `Who has ${protocolText(targetProtocol)}? Tell ${protocolText(senderProtocol)}`
      : operation === 2
        ? `${protocolText(senderProtocol)} is at ${macText(data, senderHardware, hardwareLength)}`
        : `ARP ${operationName}`
  const tree = state.tree
  if (tree !== null) {
    tree.layer('arp', `Address Resolution Protocol (${operationName})`, offset, 8 + 2 * (hardwareLength + protocolLength))
    tree.add('arp.hw.type', 'Hardware type', networkUint16(data, offset), offset, 2)
    tree.add('arp.proto.type', 'Protocol type', networkUint16(data, offset + 2), offset + 2, 2, hexNumber(networkUint16(data, offset + 2), 4))
    tree.add('arp.hw.size', 'Hardware size', hardwareLength, offset + 4, 1)
    tree.add('arp.proto.size', 'Protocol size', protocolLength, offset + 5, 1)
    tree.add('arp.opcode', 'Opcode', operation, offset + 6, 2, `${operationName} (${operation})`)
    tree.add('arp.src.hw_mac', 'Sender MAC address', macText(data, senderHardware, hardwareLength), senderHardware, hardwareLength)
    tree.add('arp.src.proto_ipv4', 'Sender IP address', protocolText(senderProtocol), senderProtocol, protocolLength)
    tree.add('arp.dst.hw_mac', 'Target MAC address', macText(data, targetHardware, hardwareLength), targetHardware, hardwareLength)
    tree.add('arp.dst.proto_ipv4', 'Target IP address', protocolText(targetProtocol), targetProtocol, protocolLength)
  }
}
