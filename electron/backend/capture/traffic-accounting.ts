/**
 * Turns captured packets into what a tick shows: decoded rows for the live list, and per-process
 * and per-connection traffic for the interval. Packets are counted as they arrive (decoded and
 * attributed by attributePackets); a tick only reads the sums.
 */
import type { ConnectionTraffic, ProcessTraffic, RecentPacketRow } from '../../../shared/model/live-capture'
import type { PacketSummary } from '../../../shared/model/decoded-packet'
import type { PacketAttribution } from './process-attribution'

/** How much of each interval a tick carries. */
export interface TrafficAccountingOptions {
  /** Newest packets listed per tick. */
  readonly recentPerTick?: number
  /** Busiest processes listed per tick. */
  readonly processesPerTick?: number
  /** Busiest connections listed per tick. */
  readonly connectionsPerTick?: number
}

/** The traffic part of a tick. */
export interface TrafficInterval {
  readonly recent: readonly RecentPacketRow[]
  readonly processes: readonly ProcessTraffic[]
  readonly connections: readonly ConnectionTraffic[]
}

interface ProcessAccount {
  readonly pid: number | null
  process: string | null
  command: string | null
  user: string | null
  packets: number
  bytesSent: number
  bytesReceived: number
  totalBytes: number
  totalPackets: number
}

interface ConnectionAccount {
  readonly protocol: 'tcp' | 'udp'
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  pid: number | null
  process: string | null
  packets: number
  bytesSent: number
  bytesReceived: number
  totalBytes: number
  idleIntervals: number
}

/** Connections with no traffic for this many ticks are forgotten, so long captures stay bounded. */
const CONNECTION_IDLE_INTERVALS = 60

/** Decodes, attributes and sums packets between ticks. */
export class TrafficAccounting {
  private recent: RecentPacketRow[] = []
  private readonly processes = new Map<string, ProcessAccount>()
  private readonly connections = new Map<string, ConnectionAccount>()
  private readonly recentPerTick: number
  private readonly processesPerTick: number
  private readonly connectionsPerTick: number

  constructor(options: TrafficAccountingOptions = {}) {
    this.recentPerTick = options.recentPerTick ?? 200
    this.processesPerTick = options.processesPerTick ?? 50
    this.connectionsPerTick = options.connectionsPerTick ?? 100
  }

  /** Counts one decoded and attributed packet (see attributePackets) and returns its row. */
  record(index: number, summary: PacketSummary, attribution: PacketAttribution | null): RecentPacketRow {
    const row = rowFor(index, summary, attribution)
    this.count(summary, attribution, summary.originalLength)
    this.recent.push(row)
    if (this.recent.length > this.recentPerTick * 2) this.recent = this.recent.slice(-this.recentPerTick)
    return row
  }

  /** The interval's rows and sums; starts the next interval. */
  takeInterval(intervalSeconds: number): TrafficInterval {
    const seconds = Math.max(intervalSeconds, 0.001)
    const processes: ProcessTraffic[] = []
    for (const account of this.processes.values()) {
      if (account.packets === 0) continue
      processes.push({
        pid: account.pid,
        process: account.process,
        command: account.command,
        user: account.user,
        packets: account.packets,
        bytesSent: account.bytesSent,
        bytesReceived: account.bytesReceived,
        bytesPerSecond: (account.bytesSent + account.bytesReceived) / seconds,
        totalBytes: account.totalBytes,
        totalPackets: account.totalPackets
      })
      account.packets = 0
      account.bytesSent = 0
      account.bytesReceived = 0
    }
    const connections: ConnectionTraffic[] = []
    for (const [key, account] of this.connections) {
      if (account.packets === 0) {
        if (++account.idleIntervals > CONNECTION_IDLE_INTERVALS) this.connections.delete(key)
        continue
      }
      const { idleIntervals: _idle, ...traffic } = account
      connections.push({ ...traffic, bytesPerSecond: (account.bytesSent + account.bytesReceived) / seconds })
      account.packets = 0
      account.bytesSent = 0
      account.bytesReceived = 0
      account.idleIntervals = 0
    }
    const busiest = (first: { bytesPerSecond: number }, second: { bytesPerSecond: number }) => second.bytesPerSecond - first.bytesPerSecond
    const recent = this.recent.slice(-this.recentPerTick)
    this.recent = []
    return {
      recent,
      processes: processes.sort(busiest).slice(0, this.processesPerTick),
      connections: connections.sort(busiest).slice(0, this.connectionsPerTick)
    }
  }

  private count(summary: PacketSummary, attribution: PacketAttribution | null, bytes: number): void {
    const socket = attribution?.socket ?? null
    const sent = attribution === null || attribution.direction === 'sent'
    const pid = socket?.pid ?? null
    const processKey = pid === null ? 'unknown' : String(pid)
    let process = this.processes.get(processKey)
    if (!process) {
      process = {
        pid,
        process: socket?.process ?? null,
        command: socket?.command ?? null,
        user: socket?.user ?? null,
        packets: 0,
        bytesSent: 0,
        bytesReceived: 0,
        totalBytes: 0,
        totalPackets: 0
      }
      this.processes.set(processKey, process)
    }
    process.packets++
    process.totalPackets++
    process.totalBytes += bytes
    if (sent) process.bytesSent += bytes
    else process.bytesReceived += bytes

    const { transport, sourceAddress, sourcePort, destinationAddress, destinationPort } = summary
    if ((transport !== 'tcp' && transport !== 'udp') || sourceAddress === null || destinationAddress === null) return
    if (sourcePort === null || destinationPort === null) return
    // The owner's end is local; traffic nobody owns is keyed from its source.
    const local = sent ? { address: sourceAddress, port: sourcePort } : { address: destinationAddress, port: destinationPort }
    const remote = sent ? { address: destinationAddress, port: destinationPort } : { address: sourceAddress, port: sourcePort }
    const key = `${transport} ${local.address} ${local.port} ${remote.address} ${remote.port}`
    let connection = this.connections.get(key)
    if (!connection) {
      connection = {
        protocol: transport,
        localAddress: local.address,
        localPort: local.port,
        remoteAddress: remote.address,
        remotePort: remote.port,
        pid,
        process: socket?.process ?? null,
        packets: 0,
        bytesSent: 0,
        bytesReceived: 0,
        totalBytes: 0,
        idleIntervals: 0
      }
      this.connections.set(key, connection)
    }
    if (connection.pid === null && pid !== null) {
      connection.pid = pid
      connection.process = socket?.process ?? null
    }
    connection.packets++
    connection.totalBytes += bytes
    if (sent) connection.bytesSent += bytes
    else connection.bytesReceived += bytes
  }
}

/** A row for the live list. */
function rowFor(index: number, summary: PacketSummary, attribution: PacketAttribution | null): RecentPacketRow {
  return {
    index,
    summary,
    pid: attribution?.socket.pid ?? null,
    process: attribution?.socket.process ?? null,
    direction: attribution?.direction ?? null
  }
}
