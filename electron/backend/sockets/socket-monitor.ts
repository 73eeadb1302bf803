/** Polls a socket provider on an interval and turns consecutive reads into diffs. */
import type { MonitorStatus, SocketDiff, SocketSnapshot } from '../../../shared/model/socket'
import type { SocketProvider } from '../platform/platform'
import { diffSnapshots } from './snapshot-diff'
import { withThroughput } from './socket-throughput'
import { asError } from '../../../shared/error-message'

/** Options for a socket monitor. */
export interface SocketMonitorOptions {
  /** Poll interval in milliseconds; 1000 by default. */
  readonly intervalMs?: number
  /** Join owners (pid, process) to sockets; true by default. */
  readonly withProcesses?: boolean
  /** TCP internals and the throughput made from them on TCP rows; true by default (see `SnapshotOptions.tcpInfo`). */
  readonly tcpInfo?: boolean
}

/** Called once per tick with the diff against the previous tick and the full new table. */
export type TickListener = (diff: SocketDiff, snapshot: SocketSnapshot) => void

const emptySnapshot: SocketSnapshot = {
  tick: 0,
  takenAt: 0,
  refreshMs: 0,
  sockets: [],
  issues: [],
  partialOwnership: false
}

/**
 * The live socket table. Reads never overlap: when a read takes longer than the interval, the
 * next one starts as soon as it ends instead of piling up.
 */
export class SocketMonitor {
  private snapshot: SocketSnapshot = emptySnapshot
  private intervalMs: number
  private paused = false
  private running = false
  private timer: NodeJS.Timeout | null = null
  private inFlight: Promise<SocketSnapshot> | null = null
  private providerRead: Promise<SocketSnapshot> | null = null
  private readonly tickListeners = new Set<TickListener>()
  private readonly statusListeners = new Set<(status: MonitorStatus) => void>()
  private readonly errorListeners = new Set<(error: Error) => void>()

  constructor(
    private readonly provider: SocketProvider,
    private readonly options: SocketMonitorOptions = {}
  ) {
    this.intervalMs = options.intervalMs ?? 1000
  }

  /** Starts polling; the first read happens at once, or one interval on when a read was just taken. */
  start(options: { readNow?: boolean } = {}): void {
    if (this.running) return
    this.running = true
    this.schedule(options.readNow === false ? this.intervalMs : 0)
  }

  /** Stops polling for good. */
  stop(): void {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** Keeps the current table but stops pushing ticks. */
  pause(): MonitorStatus {
    this.paused = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    return this.emitStatus()
  }

  /** Resumes polling; the next tick diffs against the table from before the pause. */
  resume(): MonitorStatus {
    if (this.paused) {
      this.paused = false
      if (this.running) this.schedule(0)
    }
    return this.emitStatus()
  }

  /** Changes the poll interval; takes effect from the next tick. */
  setIntervalMs(intervalMs: number): MonitorStatus {
    this.intervalMs = intervalMs
    if (this.running && !this.paused && this.timer) {
      clearTimeout(this.timer)
      this.schedule(intervalMs)
    }
    return this.emitStatus()
  }

  /** The latest table (empty before the first read). */
  current(): SocketSnapshot {
    return this.snapshot
  }

  /** The latest table, reading one first if none has been read yet. */
  async ready(): Promise<SocketSnapshot> {
    if (this.snapshot.tick > 0) return this.snapshot
    return this.inFlight ?? this.refresh()
  }

  /** Whether polling is paused, and how often it polls. */
  status(): MonitorStatus {
    return { paused: this.paused, intervalMs: this.intervalMs, tick: this.snapshot.tick, platform: this.provider.platform, reader: this.provider.reader }
  }

  /** Subscribes to ticks; returns the unsubscribe function. */
  onTick(listener: TickListener): () => void {
    this.tickListeners.add(listener)
    return () => this.tickListeners.delete(listener)
  }

  /** Subscribes to pause, resume and interval changes. */
  onStatus(listener: (status: MonitorStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** Subscribes to read failures (the monitor keeps polling after one). */
  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener)
    return () => this.errorListeners.delete(listener)
  }

  /**
   * Reads the tables now for a caller that needs them fresh (capture attribution), without
   * publishing a tick: paused tables stay paused and history keeps one point per interval.
   */
  readFresh(): Promise<SocketSnapshot> {
    // Provider reads never overlap: a caller arriving during one shares it (its start time tells
    // whether it is fresh enough), and the provider's caches are only ever updated by one read.
    this.providerRead ??= this.readProvider().finally(() => {
      this.providerRead = null
    })
    return this.providerRead
  }

  private async readProvider(): Promise<SocketSnapshot> {
    const started = performance.now()
    const read = await this.provider.read({ withProcesses: this.options.withProcesses ?? true, tcpInfo: this.options.tcpInfo ?? true })
    return {
      tick: this.snapshot.tick,
      takenAt: Date.now(),
      refreshMs: Math.round((performance.now() - started) * 100) / 100,
      sockets: read.sockets,
      issues: read.issues,
      partialOwnership: read.partialOwnership
    }
  }

  /** Reads the tables now, diffs against the previous read and notifies listeners. */
  refresh(): Promise<SocketSnapshot> {
    if (this.inFlight) return this.inFlight
    this.inFlight = this.readAndPublish().finally(() => {
      this.inFlight = null
    })
    return this.inFlight
  }

  private async readAndPublish(): Promise<SocketSnapshot> {
    const read = await this.readFresh()
    const next: SocketSnapshot = { ...read, tick: this.snapshot.tick + 1, sockets: withThroughput(this.snapshot, read) }
    const diff = diffSnapshots(this.snapshot, next)
    this.snapshot = next
    for (const listener of this.tickListeners) {
      try {
        listener(diff, next)
      } catch (error) {
        this.reportError(error)
      }
    }
    return next
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null
      this.refresh()
        .catch((error: unknown) => this.reportError(error))
        .finally(() => {
          if (this.running && !this.paused && this.timer === null) this.schedule(this.intervalMs)
        })
    }, delayMs)
    this.timer.unref?.()
  }

  private reportError(error: unknown): void {
    const failure = asError(error)
    for (const listener of this.errorListeners) listener(failure)
  }

  private emitStatus(): MonitorStatus {
    const status = this.status()
    for (const listener of this.statusListeners) listener(status)
    return status
  }
}
