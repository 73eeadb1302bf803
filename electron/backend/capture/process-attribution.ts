/**
 * Which process sent or received a packet: the packet's addresses and ports matched against the
 * live socket table, the way bandwhich does it.
 *
 * A packet is matched on its sending side first (the socket whose local end is the packet's
 * source), then on its receiving side, each time trying a connected socket (both endpoints), then a
 * socket bound to the address, then one bound to the wildcard address. On loopback both ends are
 * local; the sender wins, so each packet is counted once.
 *
 * Sockets come and go faster than the table is read. A flow the table has no connected socket for
 * asks for a fresh read (at most every `refreshIntervalMs`, and once per flow), and flows keep the
 * owner they were last seen with, so the last packets of a connection still count for its process
 * after the socket is gone.
 */
import { elementAt } from '../../../shared/element-at'
import type { PacketSummary } from '../../../shared/model/decoded-packet'
import type { RawPacket } from '../../../shared/model/packet'
import type { SocketEntry, SocketSnapshot } from '../../../shared/model/socket'
import { formatIpAddress, parseIpAddress, unmapIpv4 } from '../../../shared/net/ip-address'
import { summarizePacket } from './decode/packet-decoder'

/** The owner found for a packet. */
export interface PacketAttribution {
  /** The socket whose local end matched. */
  readonly socket: SocketEntry
  /** 'sent' when the socket is the packet's source, 'received' when it is its destination. */
  readonly direction: 'sent' | 'received'
  /** True for a connected socket matching both endpoints; false for a listener or a bound socket. */
  readonly exact: boolean
}

/** The part of the socket monitor attribution needs (the live monitor, or a one-off reader in the CLI). */
export interface SocketTableSource {
  /** The latest published table. */
  current(): SocketSnapshot
  /** A fresh read that is not published to anyone else (pausing and history are unaffected). */
  readFresh(): Promise<SocketSnapshot>
}

/** The addresses and ports of a packet; PacketSummary has them. */
export type PacketEndpoints = Pick<PacketSummary, 'transport' | 'sourceAddress' | 'sourcePort' | 'destinationAddress' | 'destinationPort'>

/** Options of a ProcessAttributor. */
export interface ProcessAttributorOptions {
  /** Fewest milliseconds between two reads triggered by unknown flows. */
  readonly refreshIntervalMs?: number
  /** Flows remembered after their socket is gone. */
  readonly maxRememberedFlows?: number
}

const WILDCARD = '*'

/** Sockets of one snapshot, keyed for packet lookups. */
class SocketIndex {
  private readonly connected = new Map<string, SocketEntry>()
  private readonly bound = new Map<string, SocketEntry>()

  constructor(snapshot: SocketSnapshot, normalize: (address: string) => string | null) {
    for (const socket of snapshot.sockets) {
      if ((socket.protocol !== 'tcp' && socket.protocol !== 'udp') || !socket.localPort) continue
      const local = normalize(socket.localAddress) ?? WILDCARD
      const remote = normalize(socket.remoteAddress)
      if (remote !== null && remote !== WILDCARD && socket.remotePort) {
        // A forked server's children share the socket; keep the entry that names an owner.
        setPreferringOwner(this.connected, connectionKey(socket.protocol, local, socket.localPort, remote, socket.remotePort), socket)
      } else {
        setPreferringOwner(this.bound, endpointKey(socket.protocol, local, socket.localPort), socket)
      }
    }
  }

  find(protocol: string, localAddress: string, localPort: number, remoteAddress: string, remotePort: number, exact: boolean): SocketEntry | undefined {
    if (exact) return this.connected.get(connectionKey(protocol, localAddress, localPort, remoteAddress, remotePort))
    return this.bound.get(endpointKey(protocol, localAddress, localPort)) ?? this.bound.get(endpointKey(protocol, WILDCARD, localPort))
  }
}

function setPreferringOwner(map: Map<string, SocketEntry>, key: string, socket: SocketEntry): void {
  const existing = map.get(key)
  if (!existing || (existing.pid === null && socket.pid !== null)) map.set(key, socket)
}

function connectionKey(protocol: string, localAddress: string, localPort: number, remoteAddress: string, remotePort: number): string {
  return `${protocol} ${localAddress} ${localPort} ${remoteAddress} ${remotePort}`
}

function endpointKey(protocol: string, address: string, port: number): string {
  return `${protocol} ${address} ${port}`
}

/** Attributes packets to processes using a socket table. */
export class ProcessAttributor {
  private index: SocketIndex | null = null
  private indexedSnapshot: SocketSnapshot | null = null
  /** The newest of this attributor's own reads, used while it is newer than the published table. */
  private freshRead: SocketSnapshot | null = null
  private readonly flows = new Map<string, PacketAttribution>()
  /** Flows without a connected socket yet, with the time of their first such packet. */
  private readonly unresolved = new Map<string, number>()
  private readonly normalized = new Map<string, string | null>()
  private lastRefreshAt = 0
  private pendingRefresh: Promise<void> | null = null
  /** The newest packet time a pending read has to be newer than. */
  private wantedAfter = 0
  private readonly refreshIntervalMs: number
  private readonly maxRememberedFlows: number

  constructor(
    private readonly sockets: SocketTableSource,
    options: ProcessAttributorOptions = {}
  ) {
    this.refreshIntervalMs = options.refreshIntervalMs ?? 250
    this.maxRememberedFlows = options.maxRememberedFlows ?? 65_536
  }

  /**
   * The owner of a packet from the table as it is now, or from the flow's memory; null when
   * unknown. A flow without a connected socket in the table asks for a fresh read (see `settled`).
   */
  attribute(packet: PacketEndpoints, packetTimeMs: number): PacketAttribution | null {
    const { transport, sourcePort, destinationPort } = packet
    if ((transport !== 'tcp' && transport !== 'udp') || sourcePort === null || destinationPort === null) return null
    const source = packet.sourceAddress === null ? null : this.normalize(packet.sourceAddress)
    const destination = packet.destinationAddress === null ? null : this.normalize(packet.destinationAddress)
    if (source === null || destination === null) return null
    const flowKey = connectionKey(transport, source, sourcePort, destination, destinationPort)
    const found = this.lookup(transport, source, sourcePort, destination, destinationPort)
    if (found && isSettled(found)) {
      this.unresolved.delete(flowKey)
      this.remember(flowKey, found)
      return found
    }
    // A listener or a bound socket may stand in for a connection the table does not show yet, and
    // a just-accepted socket may not show its process yet.
    this.refreshFor(flowKey, packetTimeMs)
    // A closed socket lingers without a process (TIME_WAIT, LAST_ACK); the flow's last known owner
    // is the better answer for its final packets.
    const remembered = this.flows.get(flowKey)
    if (remembered && (found === null || (found.socket.pid === null && remembered.socket.pid !== null))) return remembered
    if (found) this.remember(flowKey, found)
    return found
  }

  /** Resolves once the table read asked for by recent misses (if any) is done. */
  async settled(): Promise<void> {
    if (this.pendingRefresh) await this.pendingRefresh
  }

  private lookup(protocol: string, source: string, sourcePort: number, destination: string, destinationPort: number): PacketAttribution | null {
    const index = this.currentIndex()
    // Connected sockets first, then listeners and bound sockets; among them, the first one with
    // a process wins. A connection that already closed lingers without one (TIME_WAIT), and then
    // the other end, or the listener that accepted it, still names the right process.
    let ownerless: PacketAttribution | null = null
    for (const exact of [true, false]) {
      const sender = index.find(protocol, source, sourcePort, destination, destinationPort, exact)
      if (sender) {
        if (sender.pid !== null) return { socket: sender, direction: 'sent', exact }
        ownerless ??= { socket: sender, direction: 'sent', exact }
      }
      const receiver = index.find(protocol, destination, destinationPort, source, sourcePort, exact)
      if (receiver) {
        if (receiver.pid !== null) return { socket: receiver, direction: 'received', exact }
        ownerless ??= { socket: receiver, direction: 'received', exact }
      }
    }
    return ownerless
  }

  /** The published table, or this attributor's own read when that is newer. */
  private latestTable(): SocketSnapshot {
    const published = this.sockets.current()
    if (this.freshRead && this.freshRead.takenAt > published.takenAt) return this.freshRead
    this.freshRead = null
    return published
  }

  private currentIndex(): SocketIndex {
    const snapshot = this.latestTable()
    if (!this.index || snapshot !== this.indexedSnapshot) {
      this.index = new SocketIndex(snapshot, (address) => this.normalize(address))
      this.indexedSnapshot = snapshot
    }
    return this.index
  }

  private remember(flowKey: string, attribution: PacketAttribution): void {
    if (this.flows.size >= this.maxRememberedFlows && !this.flows.has(flowKey)) {
      // Forget the oldest flow (Maps keep insertion order).
      const oldest = this.flows.keys().next().value
      if (oldest !== undefined) this.flows.delete(oldest)
    }
    this.flows.set(flowKey, attribution)
  }

  /**
   * Asks for a table read when the table is older than the flow's first packet that had no
   * connected socket. Once a read after that packet has happened, the flow asks no more: traffic
   * no local socket owns must not keep the table reader busy.
   */
  private refreshFor(flowKey: string, packetTimeMs: number): void {
    let since = this.unresolved.get(flowKey)
    if (since === undefined) {
      since = packetTimeMs
      if (this.unresolved.size >= this.maxRememberedFlows) this.unresolved.clear()
      this.unresolved.set(flowKey, since)
    }
    if (readStartedAt(this.latestTable()) <= since) this.requestRefresh(since)
  }

  private requestRefresh(packetTimeMs: number): void {
    this.wantedAfter = Math.max(this.wantedAfter, packetTimeMs)
    if (this.pendingRefresh) return
    const wait = Math.max(0, this.lastRefreshAt + this.refreshIntervalMs - Date.now())
    this.pendingRefresh = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(async () => {
        // A read already under way may have started before the packet; then one more is needed.
        this.freshRead = await this.sockets.readFresh()
        if (readStartedAt(this.freshRead) <= this.wantedAfter) this.freshRead = await this.sockets.readFresh()
      })
      .then(
        () => undefined,
        () => undefined
      )
      .finally(() => {
        this.lastRefreshAt = Date.now()
        this.pendingRefresh = null
      })
  }

  /** One spelling per address, IPv4-mapped IPv6 as IPv4, zones dropped; wildcards become '*'. */
  private normalize(address: string): string | null {
    let value = this.normalized.get(address)
    if (value !== undefined) return value
    const parsed = parseIpAddress(address)
    if (parsed === null) {
      value = address === '*' ? WILDCARD : null
    } else {
      const plain = unmapIpv4({ ...parsed, zone: null })
      value = plain.words.every((word) => word === 0) ? WILDCARD : formatIpAddress(plain)
    }
    if (this.normalized.size > 100_000) this.normalized.clear()
    this.normalized.set(address, value)
    return value
  }
}

/** The text a capture file keeps as a packet's comment: `node (pid 1234)`. */
export function ownerComment(socket: SocketEntry): string | undefined {
  if (socket.pid === null) return undefined
  return `${socket.process ?? 'unknown'} (pid ${socket.pid})`
}

/** True when a later table read cannot improve on this owner: a connected socket with its process. */
function isSettled(attribution: PacketAttribution | null): boolean {
  return attribution !== null && attribution.exact && attribution.socket.pid !== null
}

/** When a snapshot's read began: sockets opened before then are in it (unless closed again). */
function readStartedAt(snapshot: SocketSnapshot): number {
  return snapshot.takenAt - snapshot.refreshMs
}

/** A batch of packets, decoded, with the owner of each (null where unknown). */
export interface AttributedBatch {
  readonly summaries: readonly PacketSummary[]
  readonly owners: readonly (PacketAttribution | null)[]
}

/** A packet's capture time in epoch milliseconds. */
function packetTimeMs(packet: RawPacket): number {
  return packet.timestampSeconds * 1000 + packet.timestampNanos / 1e6
}

/**
 * Decodes and attributes a batch. Packets of sockets the table does not show yet (a connection
 * opened since the last read) get a second look after the fresh read their miss asked for, so the
 * first packets of a new connection are not left without a process.
 */
export async function attributePackets(attributor: ProcessAttributor | null, packets: readonly RawPacket[], linkType: number): Promise<AttributedBatch> {
  const summaries = packets.map((packet) => summarizePacket(packet, linkType))
  if (!attributor) return { summaries, owners: packets.map(() => null) }
  const timesMs = packets.map(packetTimeMs)
  const owners = summaries.map((summary, index) => attributor.attribute(summary, elementAt(timesMs, index)))
  const unsure = (owner: PacketAttribution | null, index: number) => !isSettled(owner) && elementAt(summaries, index).transport !== null
  if (owners.some(unsure)) {
    await attributor.settled()
    for (const [index, owner] of owners.entries()) {
      if (unsure(owner, index)) owners[index] = attributor.attribute(elementAt(summaries, index), elementAt(timesMs, index)) ?? owner
    }
  }
  return { summaries, owners }
}
