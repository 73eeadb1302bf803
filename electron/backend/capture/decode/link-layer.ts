/**
 * Link layers: Ethernet (with 802.1Q/802.1ad tags), Linux cooked captures v1 and v2, BSD
 * loopback (null and LOOP) and raw IP. Each hands its payload to the network layer.
 */

import { LINKTYPE } from '../files/capture-format'
import { hexNumber, networkUint16, readUint32 } from '../../../../shared/bytes'
import { macText } from './address-text'
import type { DecodeState } from './decode-state'
import { decodeArp, decodeIpv4, decodeIpv6 } from './network-layer'
import { etherTypeName } from './protocol-names'
import { elementAt } from '../../../../shared/element-at'

const ETHERTYPE_IPV4 = 0x0800
const ETHERTYPE_ARP = 0x0806
const ETHERTYPE_IPV6 = 0x86dd
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100])
/** Most tags a frame may stack before we call it malformed. */
const MAXIMUM_VLAN_TAGS = 8

const LINUX_PACKET_TYPES: Record<number, string> = {
  0: 'Unicast to us',
  1: 'Broadcast',
  2: 'Multicast',
  3: 'Unicast to another host',
  4: 'Sent by us'
}

/** Decodes the packet from its link layer up. */
export function decodeLinkLayer(state: DecodeState, linkType: number): void {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      decodeEthernet(state)
      return
    case LINKTYPE.LINUX_SLL:
      decodeLinuxCooked(state)
      return
    case LINKTYPE.LINUX_SLL2:
      decodeLinuxCookedV2(state)
      return
    case LINKTYPE.NULL:
      decodeLoopback(state, false)
      return
    case LINKTYPE.LOOP:
      decodeLoopback(state, true)
      return
    case LINKTYPE.RAW:
      decodeRawIp(state, 0)
      return
    case LINKTYPE.IPV4:
      decodeIpv4(state, 0, state.captured)
      return
    case LINKTYPE.IPV6:
      decodeIpv6(state, 0, state.captured)
      return
    default:
      state.protocol = `Link type ${linkType}`
      state.info = `Link type ${linkType} is not decoded`
      state.tree?.layer('data', `Frame data (link type ${linkType})`, 0, state.captured)
  }
}

/** Hands a link layer's payload to the protocol its EtherType names. */
function decodeEtherTypePayload(state: DecodeState, etherType: number, offset: number): void {
  switch (etherType) {
    case ETHERTYPE_IPV4:
      decodeIpv4(state, offset, state.captured)
      return
    case ETHERTYPE_IPV6:
      decodeIpv6(state, offset, state.captured)
      return
    case ETHERTYPE_ARP:
      decodeArp(state, offset)
      return
    default:
      state.protocol = etherTypeName(etherType)
      state.info = `EtherType ${hexNumber(etherType, 4)} (${etherTypeName(etherType)})`
      if (offset < state.captured) state.tree?.layer('data', `Data (${state.captured - offset} bytes)`, offset, state.captured - offset)
  }
}

function decodeEthernet(state: DecodeState): void {
  const data = state.data
  state.protocol = 'Ethernet'
  if (!state.has(0, 14)) {
    state.markMalformed('ethernet', 'frame shorter than an Ethernet header', 0)
    state.info = 'Truncated Ethernet frame'
    return
  }
  state.linkDestinationOffset = 0
  state.linkSourceOffset = 6
  state.linkAddressLength = 6
  let etherType = networkUint16(data, 12)
  const tree = state.tree
  if (tree !== null) {
    tree.layer('ethernet', `Ethernet II, Src: ${macText(data, 6)}, Dst: ${macText(data, 0)}`, 0, 14)
    tree.add('eth.dst', 'Destination', macText(data, 0), 0, 6)
    tree.add('eth.src', 'Source', macText(data, 6), 6, 6)
    tree.add('eth.type', 'Type', etherType, 12, 2, `${etherTypeName(etherType)} (${hexNumber(etherType, 4)})`)
  }
  let offset = 14
  if (etherType <= 1500) {
    state.protocol = 'LLC'
    state.info = `IEEE 802.3 frame, length ${etherType}`
    return
  }
  let tags = 0
  while (VLAN_TAGS.has(etherType)) {
    if (!state.has(offset, 4)) {
      state.markMalformed('vlan', '802.1Q tag truncated', offset)
      return
    }
    tags += 1
    if (tags > MAXIMUM_VLAN_TAGS) {
      state.markMalformed('vlan', `more than ${MAXIMUM_VLAN_TAGS} stacked VLAN tags`, offset)
      return
    }
    const control = networkUint16(data, offset)
    const nextType = networkUint16(data, offset + 2)
    if (tree !== null) {
      const vlanId = control & 0x0fff
      tree.layer('vlan', `802.1Q Virtual LAN, PRI: ${control >> 13}, DEI: ${(control >> 12) & 1}, ID: ${vlanId}`, offset, 4)
      tree.add('vlan.priority', 'Priority', control >> 13, offset, 2)
      tree.add('vlan.dei', 'Drop eligible', ((control >> 12) & 1) === 1, offset, 2)
      tree.add('vlan.id', 'ID', vlanId, offset, 2)
      tree.add('vlan.etype', 'Type', nextType, offset + 2, 2, `${etherTypeName(nextType)} (${hexNumber(nextType, 4)})`)
    }
    etherType = nextType
    offset += 4
  }
  decodeEtherTypePayload(state, etherType, offset)
}

function decodeLinuxCooked(state: DecodeState): void {
  const data = state.data
  state.protocol = 'SLL'
  if (!state.has(0, 16)) {
    state.markMalformed('linux-sll', 'frame shorter than a Linux cooked header', 0)
    return
  }
  const packetType = networkUint16(data, 0)
  const hardwareType = networkUint16(data, 2)
  const addressLength = Math.min(networkUint16(data, 4), 8)
  const protocol = networkUint16(data, 14)
  if (addressLength > 0) {
    state.linkSourceOffset = 6
    state.linkAddressLength = addressLength
  }
  const tree = state.tree
  if (tree !== null) {
    tree.layer('linux-sll', `Linux cooked capture v1, ${LINUX_PACKET_TYPES[packetType] ?? `packet type ${packetType}`}`, 0, 16)
    tree.add('sll.pkttype', 'Packet type', packetType, 0, 2, LINUX_PACKET_TYPES[packetType] ?? String(packetType))
    tree.add('sll.hatype', 'Link-layer address type', hardwareType, 2, 2)
    tree.add('sll.halen', 'Link-layer address length', addressLength, 4, 2)
    if (addressLength > 0) tree.add('sll.src', 'Source', macText(data, 6, addressLength), 6, addressLength)
    tree.add('sll.etype', 'Protocol', protocol, 14, 2, `${etherTypeName(protocol)} (${hexNumber(protocol, 4)})`)
  }
  decodeEtherTypePayload(state, protocol, 16)
}

function decodeLinuxCookedV2(state: DecodeState): void {
  const data = state.data
  state.protocol = 'SLL2'
  if (!state.has(0, 20)) {
    state.markMalformed('linux-sll2', 'frame shorter than a Linux cooked v2 header', 0)
    return
  }
  const protocol = networkUint16(data, 0)
  const interfaceIndex = readUint32(data, 4, false)
  const hardwareType = networkUint16(data, 8)
  const packetType = elementAt(data, 10)
  const addressLength = Math.min(elementAt(data, 11), 8)
  if (addressLength > 0) {
    state.linkSourceOffset = 12
    state.linkAddressLength = addressLength
  }
  const tree = state.tree
  if (tree !== null) {
    tree.layer('linux-sll2', `Linux cooked capture v2, interface ${interfaceIndex}, ${LINUX_PACKET_TYPES[packetType] ?? `packet type ${packetType}`}`, 0, 20)
    tree.add('sll.etype', 'Protocol', protocol, 0, 2, `${etherTypeName(protocol)} (${hexNumber(protocol, 4)})`)
    tree.add('sll.ifindex', 'Interface index', interfaceIndex, 4, 4)
    tree.add('sll.hatype', 'Link-layer address type', hardwareType, 8, 2)
    tree.add('sll.pkttype', 'Packet type', packetType, 10, 1, LINUX_PACKET_TYPES[packetType] ?? String(packetType))
    tree.add('sll.halen', 'Link-layer address length', addressLength, 11, 1)
    if (addressLength > 0) tree.add('sll.src', 'Source', macText(data, 12, addressLength), 12, addressLength)
  }
  decodeEtherTypePayload(state, protocol, 20)
}

/** AF_INET6 differs between systems: Linux 10, Windows 23, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
const INET6_FAMILIES = new Set([10, 23, 24, 28, 30])

/**
 * BSD loopback: a 4-byte address family. LINKTYPE_LOOP stores it in network order; LINKTYPE_NULL
 * in the capturing host's order, which a family number below 65536 reveals.
 */
function decodeLoopback(state: DecodeState, networkOrder: boolean): void {
  const data = state.data
  state.protocol = 'Loopback'
  if (!state.has(0, 4)) {
    state.markMalformed('loopback', 'frame shorter than the loopback header', 0)
    return
  }
  let family = readUint32(data, 0, !networkOrder)
  if (!networkOrder && family > 0xffff) family = readUint32(data, 0, false)
  state.tree?.layer('loopback', `Null/Loopback, family ${family}`, 0, 4)
  state.tree?.add('null.family', 'Family', family, 0, 4, family === 2 ? 'IP (2)' : INET6_FAMILIES.has(family) ? `IPv6 (${family})` : String(family))
  if (family === 2) decodeIpv4(state, 4, state.captured)
  else if (INET6_FAMILIES.has(family)) decodeIpv6(state, 4, state.captured)
  else {
    state.info = `Loopback family ${family} is not decoded`
    if (state.captured > 4) state.tree?.layer('data', `Data (${state.captured - 4} bytes)`, 4, state.captured - 4)
  }
}

/** Raw IP: the version nibble says IPv4 or IPv6. */
function decodeRawIp(state: DecodeState, offset: number): void {
  state.protocol = 'Raw IP'
  if (!state.has(offset, 1)) {
    state.markMalformed('ipv4', 'empty raw IP packet', offset)
    return
  }
  const version = elementAt(state.data, offset) >> 4
  if (version === 4) decodeIpv4(state, offset, state.captured)
  else if (version === 6) decodeIpv6(state, offset, state.captured)
  else state.markMalformed('ipv4', `raw IP packet with IP version ${version}`, offset)
}
