/**
 * Builds frames byte by byte for decoder tests that need cases loopback traffic cannot
 * produce (VLAN tags, extension headers, malformed lengths). Checksums are left at zero.
 */

/** Bytes from a list of numbers and byte arrays. */
export function bytes(...parts: (number | readonly number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = []
  for (const part of parts) {
    if (typeof part === 'number') out.push(part)
    else out.push(...part)
  }
  return Uint8Array.from(out)
}

/** A 16-bit value in network order. */
export function uint16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff]
}

/** A 32-bit value in network order. */
export function uint32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]
}

/** Bytes of ASCII text. */
export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** An Ethernet II frame, optionally 802.1Q-tagged. */
export function ethernetFrame(etherType: number, payload: Uint8Array, vlanIds: readonly number[] = []): Uint8Array {
  // Each tag is a TPID (802.1ad for an outer tag of a stack) and a TCI; the real type follows the last.
  const tags = vlanIds.flatMap((id, index) => [...uint16(index === 0 && vlanIds.length > 1 ? 0x88a8 : 0x8100), ...uint16((3 << 13) | id)])
  return bytes([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1], tags, uint16(etherType), payload)
}

/** An IPv4 packet. */
export function ipv4Packet(options: {
  readonly protocol: number
  readonly payload: Uint8Array
  readonly source?: readonly number[]
  readonly destination?: readonly number[]
  readonly identification?: number
  readonly moreFragments?: boolean
  readonly fragmentOffset?: number
  readonly totalLength?: number
  readonly headerLength?: number
}): Uint8Array {
  const headerLength = options.headerLength ?? 20
  const flags = (options.moreFragments ? 0x2000 : 0) | ((options.fragmentOffset ?? 0) / 8)
  const options_ = new Array<number>(Math.max(0, headerLength - 20)).fill(1)
  return bytes(
    0x40 | (headerLength / 4),
    0,
    uint16(options.totalLength ?? headerLength + options.payload.length),
    uint16(options.identification ?? 0x1234),
    uint16(flags),
    64,
    options.protocol,
    uint16(0),
    options.source ?? [127, 0, 0, 1],
    options.destination ?? [127, 0, 0, 2],
    options_,
    options.payload
  )
}

/** An IPv6 packet; `extensions` are already-encoded extension headers, chained by `firstNextHeader`. */
export function ipv6Packet(options: {
  readonly nextHeader: number
  readonly payload: Uint8Array
  readonly source?: readonly number[]
  readonly destination?: readonly number[]
}): Uint8Array {
  const loopback = [...new Array<number>(15).fill(0), 1]
  return bytes(0x60, 0, 0, 0, uint16(options.payload.length), options.nextHeader, 64, options.source ?? loopback, options.destination ?? loopback, options.payload)
}

/** A TCP segment. */
export function tcpSegment(options: {
  readonly sourcePort: number
  readonly destinationPort: number
  readonly sequence?: number
  readonly acknowledgment?: number
  readonly flags: number
  readonly window?: number
  readonly options?: readonly number[]
  readonly payload?: Uint8Array
}): Uint8Array {
  const tcpOptions = [...(options.options ?? [])]
  while (tcpOptions.length % 4 !== 0) tcpOptions.push(0)
  const headerLength = 20 + tcpOptions.length
  return bytes(
    uint16(options.sourcePort),
    uint16(options.destinationPort),
    uint32(options.sequence ?? 1000),
    uint32(options.acknowledgment ?? 0),
    ((headerLength / 4) << 4) | ((options.flags >> 8) & 1),
    options.flags & 0xff,
    uint16(options.window ?? 65535),
    uint16(0),
    uint16(0),
    tcpOptions,
    options.payload ?? new Uint8Array(0)
  )
}

/** A UDP datagram. */
export function udpDatagram(sourcePort: number, destinationPort: number, payload: Uint8Array, length = payload.length + 8): Uint8Array {
  return bytes(uint16(sourcePort), uint16(destinationPort), uint16(length), uint16(0), payload)
}
