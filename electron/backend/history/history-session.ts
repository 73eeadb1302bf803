/**
 * History, leak detection and recording for one stream of snapshots: the backend's history,
 * leaks and recording domains share one of these, and the CLI's `watch` and `check` each run one.
 *
 * The recording is handed in as a {@link TickRecorder} (the recording writer is one), so this
 * folder never imports the recording folder, which itself reads histories back into stores.
 */
import type { SocketDiff, SocketSnapshot } from '../../../shared/model/socket'
import type { HistoryOptions, HistorySample } from '../../../shared/model/history'
import type { FindingsUpdate } from '../../../shared/model/finding'
import type { RecordingSummary } from '../../../shared/model/recording'
import { DEFAULT_LEAK_SETTINGS, type LeakSettings } from '../../../shared/leak-settings'
import { HistoryStore } from './history-store'
import { HistoryRecorder, type RecorderOptions } from './history-recorder'
import type { SystemReader } from '../platform/platform'
import { createSystemReader } from '../platform/create-platform'
import { LeakDetector } from '../leaks/leak-detector'
import type { ConnectionChurn } from '../../../shared/model/closed-connection'
import { asError } from '../../../shared/error-message'

/** How a session is set up; every field has a default. */
export interface HistorySessionOptions {
  readonly history?: Partial<HistoryOptions>
  readonly settings?: LeakSettings
  readonly readers?: SystemReader
  readonly recorder?: Partial<RecorderOptions>
}

/** What one tick produced. */
export interface SessionTick {
  readonly snapshot: SocketSnapshot
  readonly sample: HistorySample
  readonly findings: FindingsUpdate
  /** Set when the recording could not take this tick; the recording has stopped then. */
  readonly recordingFailure: Error | null
}

/** Where a running recording puts each tick: the recording writer, or anything shaped like it. */
export interface TickRecorder {
  readonly path: string
  /** Appends one tick; rejects when the file cannot take it. */
  writeTick(tick: { readonly snapshot: SocketSnapshot; readonly diff?: SocketDiff; readonly sample: HistorySample; readonly findings: FindingsUpdate }): Promise<void>
  /** Ticks written so far. */
  tickCount(): number
  /** Finishes the file. */
  close(): Promise<RecordingSummary>
}

/** Records, judges and optionally writes to disk every snapshot it is given. */
export class HistorySession {
  readonly store: HistoryStore
  readonly recorder: HistoryRecorder
  readonly detector: LeakDetector
  private writer: TickRecorder | null = null
  private recordingStartedAt: number | null = null
  private churnSource: ((now: number) => ConnectionChurn) | null = null

  private readonly readers: SystemReader

  constructor(options: HistorySessionOptions = {}) {
    this.store = new HistoryStore(options.history)
    this.readers = options.readers ?? createSystemReader()
    this.recorder = new HistoryRecorder(this.store, this.readers, options.recorder)
    this.detector = new LeakDetector(options.settings ?? DEFAULT_LEAK_SETTINGS)
  }

  /** Gives the leak detector connection churn from closed connections (the events domain has them). */
  followChurn(source: ((now: number) => ConnectionChurn) | null): void {
    this.churnSource = source
  }

  /**
   * Records a snapshot, runs the detector, and appends the tick to the recording if one is open.
   * A recording that cannot take the tick is stopped and reported in the result; the history
   * and the detector go on without it.
   */
  async tick(snapshot: SocketSnapshot, diff?: SocketDiff): Promise<SessionTick> {
    const { sample } = await this.recorder.record(snapshot)
    const churn = this.churnSource?.(sample.takenAt) ?? null
    const processParents = this.detector.wantsProcessParents() ? await this.readProcessParents() : null
    const findings = this.detector.evaluate({ history: this.store, sample, sockets: snapshot.sockets, churn, processParents })
    const writer = this.writer
    let recordingFailure: Error | null = null
    if (writer) {
      try {
        await writer.writeTick({ snapshot, diff, sample, findings })
      } catch (error) {
        recordingFailure = asError(error)
        if (this.writer === writer) {
          this.writer = null
          this.recordingStartedAt = null
        }
        await writer.close().catch(() => undefined)
      }
    }
    return { snapshot, sample, findings, recordingFailure }
  }

  /** Every process's parent, for the leak detector; an empty map when the OS does not say. */
  private async readProcessParents(): Promise<Map<number, number>> {
    const processes = await this.readers.listProcesses().catch(() => [])
    return new Map(processes.map((status) => [status.pid, status.parentPid]))
  }

  /** Writes every following tick to `writer` (an opened recording). */
  startRecording(writer: TickRecorder): void {
    if (this.writer) throw new Error(`already recording to ${this.writer.path}`)
    this.writer = writer
    this.recordingStartedAt = Date.now()
  }

  /** Finishes the recording; null when none was running. */
  async stopRecording(): Promise<RecordingSummary | null> {
    const writer = this.writer
    if (!writer) return null
    this.writer = null
    this.recordingStartedAt = null
    return writer.close()
  }

  /** The open recording, if any: its path, start and ticks so far. */
  recording(): { readonly path: string; readonly startedAt: number; readonly ticks: number } | null {
    if (!this.writer || this.recordingStartedAt === null) return null
    return { path: this.writer.path, startedAt: this.recordingStartedAt, ticks: this.writer.tickCount() }
  }

  /** Closes any open recording. */
  async dispose(): Promise<void> {
    await this.stopRecording().catch(() => undefined)
  }
}
