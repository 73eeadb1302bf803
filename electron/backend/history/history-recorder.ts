/**
 * Turns each socket snapshot into a history point: counts from the table, plus fds and limits
 * of the processes involved, ephemeral-port use and interface throughput.
 */
import type { SocketSnapshot } from '../../../shared/model/socket'
import type { HistorySample, InterfaceRate, PortRange, ProcessSample } from '../../../shared/model/history'
import type { InterfaceCounters, SystemReader } from '../platform/platform'
import { createSystemReader } from '../platform/create-platform'
import { interfaceRates } from './interface-rates'
import { emptyProtocolCounts, summarizeSockets, type SocketSummary } from './socket-summary'
import type { HistoryStore } from './history-store'

/** Tuning of the recorder's system reads. */
export interface RecorderOptions {
  /** Every this many ticks, all processes (not only socket owners) get their fds counted. */
  readonly fullScanEveryTicks: number
  /** How long a process's soft limit is trusted before it is read again. */
  readonly limitRefreshMs: number
  /** How long the ephemeral port range is trusted before it is read again. */
  readonly portRangeRefreshMs: number
  /** A process without sockets is followed once its fds pass this share of its limit. */
  readonly followFdRatio: number
}

const defaultRecorderOptions: RecorderOptions = {
  fullScanEveryTicks: 10,
  limitRefreshMs: 30_000,
  portRangeRefreshMs: 60_000,
  followFdRatio: 0.5
}

/** A recorded tick: the point added to the history and the counts it came from. */
export interface RecordedTick {
  readonly sample: HistorySample
  readonly summary: SocketSummary
}

interface KnownLimit {
  readonly limit: number | null
  readonly readAt: number
}

/** Records one point per snapshot into a history store. */
export class HistoryRecorder {
  private readonly options: RecorderOptions
  private ticks = 0
  private previousCounters: { readonly counters: readonly InterfaceCounters[]; readonly at: number } | null = null
  private portRange: { readonly range: PortRange | null; readonly readAt: number } | null = null
  private readonly limits = new Map<number, KnownLimit>()
  /** Processes without sockets that came close to their fd limit, pid → name. */
  private readonly fdHeavy = new Map<number, string>()
  /** Processes someone asked to follow whatever they hold (the focus view), pid → until when (epoch ms). */
  private readonly followed = new Map<number, number>()
  /** The last table summed up, to sum up a table that did not change only once. */
  private lastSummary: { readonly sockets: SocketSnapshot['sockets']; readonly portRange: PortRange | null; readonly summary: SocketSummary } | null = null

  constructor(
    readonly store: HistoryStore,
    private readonly readers: SystemReader = createSystemReader(),
    options: Partial<RecorderOptions> = {}
  ) {
    this.options = { ...defaultRecorderOptions, ...options }
  }

  /**
   * Measures `pid` at every tick until `untilMs` (epoch milliseconds), with or without sockets
   * and however quiet, so the history has its fd counts for the focus view's forecast.
   */
  followProcess(pid: number, untilMs: number): void {
    this.followed.set(pid, Math.max(untilMs, this.followed.get(pid) ?? 0))
  }

  /** Adds the point for `snapshot` to the store and returns it. */
  async record(snapshot: SocketSnapshot): Promise<RecordedTick> {
    const now = snapshot.takenAt > 0 ? snapshot.takenAt : Date.now()
    const fullScan = this.ticks % Math.max(1, this.options.fullScanEveryTicks) === 0
    this.ticks++

    const portRange = await this.currentPortRange(now)
    // The provider hands back last read's very array when no socket changed: its counts stand.
    const last = this.lastSummary
    const summary = last !== null && last.sockets === snapshot.sockets && last.portRange === portRange ? last.summary : summarizeSockets(snapshot.sockets, portRange)
    this.lastSummary = { sockets: snapshot.sockets, portRange, summary }
    const [processes, interfaces] = await Promise.all([this.measureProcesses(summary, now, fullScan), this.readInterfaceRates(now)])

    const sample: HistorySample = {
      tick: snapshot.tick,
      takenAt: now,
      sockets: summary.sockets,
      states: summary.states,
      protocols: summary.protocols,
      processes,
      portRange,
      ephemeral: summary.ephemeral.slice(0, this.store.options.maxDestinations),
      interfaces
    }
    this.store.append(sample)
    return { sample, summary }
  }

  private async currentPortRange(now: number): Promise<PortRange | null> {
    if (!this.portRange || now - this.portRange.readAt >= this.options.portRangeRefreshMs) {
      const range = await this.readers.readPortRange().catch(() => null)
      this.portRange = { range, readAt: now }
    }
    return this.portRange.range
  }

  private async softLimit(pid: number, now: number): Promise<number | null> {
    const known = this.limits.get(pid)
    if (known && now - known.readAt < this.options.limitRefreshMs) return known.limit
    const limit = await this.readers.readSoftOpenFilesLimit(pid).catch(() => null)
    this.limits.set(pid, { limit, readAt: now })
    return limit
  }

  /**
   * Counts fds for the busiest socket owners and for processes known to be close to their
   * limit; on a full scan, every other process is checked too, so one leaking plain files
   * (no sockets) is caught as well.
   */
  private async measureProcesses(summary: SocketSummary, now: number, fullScan: boolean): Promise<ProcessSample[]> {
    const limit = this.store.options.maxProcesses
    const owners = [...summary.processes.values()].sort((a, b) => b.sockets - a.sockets || a.pid - b.pid).slice(0, limit)
    const ownerPids = new Set(owners.map((owner) => owner.pid))

    if (fullScan) await this.scanAllProcesses(ownerPids, now)

    for (const [pid, until] of this.followed) if (until < now) this.followed.delete(pid)
    for (const pid of this.followed.keys()) {
      const counts = summary.processes.get(pid)
      if (counts && !ownerPids.has(pid)) {
        owners.push(counts)
        ownerPids.add(pid)
      }
    }
    const measured = await Promise.all(
      owners.map(async (owner): Promise<ProcessSample> => {
        const [fdCount, fdSoftLimit] = await Promise.all([this.readers.countOpenFileDescriptors(owner.pid).catch(() => null), this.softLimit(owner.pid, now)])
        return { pid: owner.pid, name: owner.name, sockets: owner.sockets, states: owner.states, protocols: owner.protocols, fdCount, fdSoftLimit }
      })
    )
    const withoutSockets = new Map(this.fdHeavy)
    for (const pid of this.followed.keys()) if (!withoutSockets.has(pid)) withoutSockets.set(pid, '')
    const heavy = await Promise.all(
      [...withoutSockets]
        .filter(([pid]) => !ownerPids.has(pid))
        .map(async ([pid, known]): Promise<ProcessSample | null> => {
          const fdCount = await this.readers.countOpenFileDescriptors(pid).catch(() => null)
          if (fdCount === null) {
            this.fdHeavy.delete(pid)
            return null
          }
          const name = known || ((await this.readers.readProcessName(pid).catch(() => null)) ?? String(pid))
          const fdSoftLimit = await this.softLimit(pid, now)
          return { pid, name, sockets: 0, states: {}, protocols: emptyProtocolCounts(), fdCount, fdSoftLimit }
        })
    )
    const fillRatio = (sample: ProcessSample): number => (sample.fdCount !== null && sample.fdSoftLimit ? sample.fdCount / sample.fdSoftLimit : 0)
    const all = [...measured, ...heavy.filter((sample): sample is ProcessSample => sample !== null)]
    // Processes near their limit go first so the cap never hides them, then the ones asked for.
    const nearLimit = all.filter((sample) => fillRatio(sample) >= this.options.followFdRatio)
    const asked = all.filter((sample) => fillRatio(sample) < this.options.followFdRatio && this.followed.has(sample.pid))
    const rest = all.filter((sample) => fillRatio(sample) < this.options.followFdRatio && !this.followed.has(sample.pid))
    return [...nearLimit, ...asked, ...rest].slice(0, limit)
  }

  private async scanAllProcesses(skip: ReadonlySet<number>, now: number): Promise<void> {
    const pids = await this.readers.listProcessIds().catch(() => [] as number[])
    const running = new Set(pids)
    for (const pid of this.limits.keys()) if (!running.has(pid)) this.limits.delete(pid)
    for (const pid of this.fdHeavy.keys()) if (!running.has(pid)) this.fdHeavy.delete(pid)
    await Promise.all(
      pids
        .filter((pid) => !skip.has(pid))
        .map(async (pid) => {
          const fdCount = await this.readers.countOpenFileDescriptors(pid).catch(() => null)
          if (fdCount === null) return
          const fdSoftLimit = await this.softLimit(pid, now)
          if (fdSoftLimit && fdCount / fdSoftLimit >= this.options.followFdRatio) {
            this.fdHeavy.set(pid, (await this.readers.readProcessName(pid).catch(() => null)) ?? String(pid))
          } else {
            this.fdHeavy.delete(pid)
            // Limits of processes not followed are not worth keeping between scans.
            if (!skip.has(pid)) this.limits.delete(pid)
          }
        })
    )
  }

  private async readInterfaceRates(now: number): Promise<InterfaceRate[]> {
    const counters = await this.readers.readInterfaceCounters().catch(() => null)
    if (counters === null) return []
    const previous = this.previousCounters
    this.previousCounters = { counters, at: now }
    if (!previous) return []
    const rates = interfaceRates(previous.counters, counters, now - previous.at)
    const limit = this.store.options.maxInterfaces
    if (rates.length <= limit) return rates
    const load = (rate: InterfaceRate): number => rate.receiveBytesPerSecond + rate.transmitBytesPerSecond
    return [...rates].sort((a, b) => load(b) - load(a)).slice(0, limit)
  }
}
