/**
 * The numbers `sockscope run` keeps from each sample of a command's tree: peaks, finals, CLOSE_WAIT
 * per remote endpoint, fds per process, ephemeral ports per destination, TIME_WAIT churn and when
 * each open socket was first seen. Memory stays bounded however long the command runs.
 */
import type { SocketEntry } from '../../../shared/model/socket'
import type { PortRange } from '../../../shared/model/history'
import { destinationKey, destinationLabel, portRangeSize } from '../../../shared/model/history'
import type { RunCloseWaitGroup, RunEphemeralUse, RunSocket, RunSocketCount } from '../../../shared/model/run-report'
import { formatEndpoint } from '../../../shared/format/socket-text'
import type { FindingProcess } from '../../../shared/model/finding'
import { endpointGroup, listeningKey } from '../leaks/rule'
import { summarizeSockets } from '../history/socket-summary'
import { measureGrowth } from '../leaks/growth-rule'

/** Open fds of one process at one sample. */
export interface FdReading {
  readonly pid: number
  readonly name: string
  readonly fds: number | null
  readonly softLimit: number | null
}

/** Peak fds of one process. */
export interface FdPeak {
  readonly name: string
  readonly fds: number | null
  readonly softLimit: number | null
}

/** Held-socket points kept for the growth slope before they are thinned to every other one. */
const MAX_GROWTH_POINTS = 8192
/** Distinct TIME_WAIT sockets remembered; past this the count goes on but the set starts over. */
const MAX_TIME_WAIT_IDS = 200_000
/** Destinations and remote endpoints followed; the busiest are kept when there are more. */
const MAX_GROUPS = 1000

/** Whether a process of the tree holds the socket (not only the kernel, as for TIME_WAIT). */
export function isHeld(socket: SocketEntry): boolean {
  return socket.owners.length > 0 || socket.pid !== null
}

/** A socket as the report lists it, aged at `at`. */
export function reportSocket(socket: SocketEntry, firstSeenAt: number, at: number): RunSocket {
  return {
    protocol: socket.protocol,
    family: socket.family,
    local: formatEndpoint(socket.localAddress, socket.localPort, socket.family),
    remote: formatEndpoint(socket.remoteAddress, socket.remotePort, socket.family),
    state: socket.state,
    pid: socket.pid,
    process: socket.process,
    ageSeconds: Math.max(0, Math.round((at - firstSeenAt) / 100) / 10)
  }
}

function countByState(sockets: readonly SocketEntry[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const socket of sockets) counts[socket.state] = (counts[socket.state] ?? 0) + 1
  return counts
}

/** Keeps the `limit` entries with the largest `peak`, so a map of groups cannot grow without bound. */
function trimGroups<T extends { peak: number }>(groups: Map<string, T>, limit: number): void {
  if (groups.size <= limit) return
  const keep = [...groups].sort((a, b) => b[1].peak - a[1].peak).slice(0, limit)
  groups.clear()
  for (const [key, value] of keep) groups.set(key, value)
}

/** Everything the run remembers from its samples. */
export class RunStatistics {
  samples = 0
  private peak: RunSocketCount = { at: 0, total: 0, byState: {} }
  private last: RunSocketCount = { at: 0, total: 0, byState: {} }
  private readonly peakByState: Record<string, number> = {}
  private peakHeld = 0
  private heldTimes: number[] = []
  private heldValues: number[] = []
  private peakCloseWait = 0
  private readonly closeWaitByRemote = new Map<string, { peak: number; final: number }>()
  private readonly fdPeaks = new Map<number, FdPeak>()
  private readonly socketPeaks = new Map<number, number>()
  private readonly ephemeral = new Map<string, { label: string; peak: number }>()
  private portRange: PortRange | null = null
  /**
   * Ports the tree listened on at any sample, by {@link listeningKey}: their accepted connections
   * never hold an ephemeral port, and their CLOSE_WAIT sockets are grouped as clients of the port.
   */
  private readonly listening = new Map<number, FindingProcess | null>()
  private timeWaitIds = new Set<string>()
  private timeWaitSeen = 0
  private peakTimeWait = 0
  /** When each socket now open was first seen, by id. */
  private readonly firstSeen = new Map<string, number>()

  /** Takes one sample: the tree's sockets, and fds of its processes. Returns the ids seen for the first time. */
  add(at: number, sockets: readonly SocketEntry[], fds: readonly FdReading[], portRange: PortRange | null): string[] {
    this.samples++
    const byState = countByState(sockets)
    this.last = { at, total: sockets.length, byState }
    if (sockets.length > this.peak.total || this.samples === 1) this.peak = this.last
    for (const [state, count] of Object.entries(byState)) this.peakByState[state] = Math.max(this.peakByState[state] ?? 0, count)

    for (const socket of sockets) {
      if (socket.state !== 'LISTEN' || socket.localPort === null || socket.protocol === 'unix' || this.listening.size >= MAX_GROUPS) continue
      this.listening.set(listeningKey(socket.protocol, socket.localPort), socket.pid !== null ? { pid: socket.pid, name: socket.process ?? '' } : null)
    }
    let held = 0
    const closeWaitNow = new Map<string, number>()
    const perProcess = new Map<number, number>()
    let timeWait = 0
    for (const socket of sockets) {
      if (isHeld(socket)) held++
      for (const owner of socket.owners) perProcess.set(owner.pid, (perProcess.get(owner.pid) ?? 0) + 1)
      if (socket.state === 'CLOSE_WAIT') {
        const remote = endpointGroup(socket, this.listening)
        closeWaitNow.set(remote, (closeWaitNow.get(remote) ?? 0) + 1)
      } else if (socket.state === 'TIME_WAIT') {
        timeWait++
        if (!this.timeWaitIds.has(socket.id)) {
          if (this.timeWaitIds.size >= MAX_TIME_WAIT_IDS) this.timeWaitIds = new Set()
          this.timeWaitIds.add(socket.id)
          this.timeWaitSeen++
        }
      }
    }
    this.peakHeld = Math.max(this.peakHeld, held)
    for (const [pid, count] of perProcess) this.socketPeaks.set(pid, Math.max(this.socketPeaks.get(pid) ?? 0, count))
    this.peakTimeWait = Math.max(this.peakTimeWait, timeWait)
    this.heldTimes.push(at)
    this.heldValues.push(held)
    if (this.heldTimes.length > MAX_GROWTH_POINTS) {
      // Thinning keeps the first and every other point: the slope over the whole run stays the same shape.
      this.heldTimes = this.heldTimes.filter((_, index) => index % 2 === 0)
      this.heldValues = this.heldValues.filter((_, index) => index % 2 === 0)
    }

    let closeWait = 0
    for (const group of this.closeWaitByRemote.values()) group.final = 0
    for (const [remote, count] of closeWaitNow) {
      closeWait += count
      const group = this.closeWaitByRemote.get(remote) ?? { peak: 0, final: 0 }
      group.peak = Math.max(group.peak, count)
      group.final = count
      this.closeWaitByRemote.set(remote, group)
    }
    trimGroups(this.closeWaitByRemote, MAX_GROUPS)
    this.peakCloseWait = Math.max(this.peakCloseWait, closeWait)

    for (const reading of fds) {
      const known = this.fdPeaks.get(reading.pid)
      const fdsPeak = reading.fds === null ? (known?.fds ?? null) : Math.max(known?.fds ?? 0, reading.fds)
      this.fdPeaks.set(reading.pid, { name: reading.name, fds: fdsPeak, softLimit: reading.softLimit ?? known?.softLimit ?? null })
    }

    if (portRange) this.portRange = portRange
    // A server's side of a connection keeps its listening port, even after the listener closed.
    const clientSides = sockets.filter((socket) => socket.state === 'LISTEN' || socket.localPort === null || !this.listening.has(listeningKey(socket.protocol, socket.localPort)))
    for (const use of summarizeSockets(clientSides, portRange).ephemeral) {
      const key = destinationKey(use)
      const known = this.ephemeral.get(key)
      if (known) known.peak = Math.max(known.peak, use.count)
      else this.ephemeral.set(key, { label: destinationLabel(use), peak: use.count })
    }
    trimGroups(this.ephemeral, MAX_GROUPS)

    const fresh: string[] = []
    const present = new Set<string>()
    for (const socket of sockets) {
      present.add(socket.id)
      if (!this.firstSeen.has(socket.id)) {
        this.firstSeen.set(socket.id, at)
        fresh.push(socket.id)
      }
    }
    for (const id of this.firstSeen.keys()) if (!present.has(id)) this.firstSeen.delete(id)
    return fresh
  }

  /** Whether the tree listened on this TCP port at any sample. */
  listensOn(port: number): boolean {
    return this.listening.has(listeningKey('tcp', port))
  }

  /** When an open socket was first seen; `fallback` for one no sample saw. */
  firstSeenAt(id: string, fallback: number): number {
    return this.firstSeen.get(id) ?? fallback
  }

  /** The sample with the most sockets, and the last one. */
  socketCounts(): { readonly peak: RunSocketCount; readonly final: RunSocketCount; readonly peakByState: Readonly<Record<string, number>>; readonly peakHeld: number } {
    return { peak: this.peak, final: this.last, peakByState: { ...this.peakByState }, peakHeld: this.peakHeld }
  }

  /** Theil–Sen slope of the held sockets over the run, per minute, or null with fewer than three samples. */
  growthPerMinute(): number | null {
    const growth = measureGrowth(this.heldTimes, this.heldValues)
    return growth ? Math.round(growth.slopePerMinute * 100) / 100 : null
  }

  /** The most CLOSE_WAIT sockets at once, and per remote endpoint, busiest first. */
  closeWait(): { readonly peak: number; readonly byRemote: RunCloseWaitGroup[] } {
    const byRemote = [...this.closeWaitByRemote].map(([remote, group]) => ({ remote, peak: group.peak, final: group.final }))
    byRemote.sort((a, b) => b.peak - a.peak || b.final - a.final || a.remote.localeCompare(b.remote))
    return { peak: this.peakCloseWait, byRemote }
  }

  /** The most sockets each process held at once, by pid. */
  socketPeaksByProcess(): ReadonlyMap<number, number> {
    return this.socketPeaks
  }

  /** Peak fds per pid. */
  fileDescriptorPeaks(): ReadonlyMap<number, FdPeak> {
    return this.fdPeaks
  }

  /** The process closest to its soft limit (or, when no limit is known, the one with the most fds). */
  peakFileDescriptors(): { pid: number; name: string; fds: number; softLimit: number | null; percent: number | null } | null {
    let best: { pid: number; name: string; fds: number; softLimit: number | null; percent: number | null } | null = null
    for (const [pid, peak] of this.fdPeaks) {
      if (peak.fds === null) continue
      const percent = peak.softLimit ? Math.round((peak.fds / peak.softLimit) * 1000) / 10 : null
      const candidate = { pid, name: peak.name, fds: peak.fds, softLimit: peak.softLimit, percent }
      const better =
        best === null ||
        (percent !== null && (best.percent === null || percent > best.percent || (percent === best.percent && peak.fds > best.fds))) ||
        (percent === null && best.percent === null && peak.fds > best.fds)
      if (better) best = candidate
    }
    return best
  }

  /** Ephemeral ports per destination, busiest first, with the range they come from. */
  ephemeralPorts(): { readonly range: PortRange | null; readonly destinations: RunEphemeralUse[] } {
    const size = this.portRange ? portRangeSize(this.portRange) : null
    const destinations = [...this.ephemeral.values()]
      .map((use) => ({ destination: use.label, peak: use.peak, percentOfRange: size ? Math.round((use.peak / size) * 1000) / 10 : null }))
      .sort((a, b) => b.peak - a.peak || a.destination.localeCompare(b.destination))
    return { range: this.portRange, destinations }
  }

  /** TIME_WAIT sockets seen, the most at once, and the rate over `durationMs`. */
  timeWait(durationMs: number): { readonly seen: number; readonly peak: number; readonly perMinute: number } {
    const minutes = Math.max(durationMs, 1000) / 60_000
    return { seen: this.timeWaitSeen, peak: this.peakTimeWait, perMinute: Math.round((this.timeWaitSeen / minutes) * 10) / 10 }
  }
}
