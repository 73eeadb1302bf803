/**
 * The history the backend's history, leaks and recording domains share: one session fed by the
 * live socket monitor (its store, its leak detector and the recording being written), and the
 * history of the recording opened for scrubbing. The backend makes one and hands it to every
 * domain in the context; each domain serves its own channels from it.
 */
import type { SocketMonitor } from '../sockets/socket-monitor'
import { HistoryFollower } from './history-follower'
import { HistorySession, type SessionTick } from './history-session'
import type { HistoryStore } from './history-store'

/** Most points the live history keeps: four hours at one a second. */
const MAX_HISTORY_POINTS = 4 * 3600

/** How much the live history holds. */
export interface SharedHistoryOptions {
  /** Minutes of wall time to keep at the poll interval. */
  readonly historyMinutes: number
  readonly intervalMs: number
}

/** The backend's live history session and the opened recording's history. */
export class SharedHistory {
  private readonly follower: HistoryFollower
  private recorded: HistoryStore | null = null

  constructor(monitor: SocketMonitor, options: SharedHistoryOptions) {
    // One point per tick: the ring holds the chosen minutes at the poll interval.
    // Capped so a fast interval cannot make the ring unbounded in practice (about 11 KB a point at worst).
    const capacity = Math.min(MAX_HISTORY_POINTS, Math.max(2, Math.ceil((options.historyMinutes * 60_000) / options.intervalMs)))
    this.follower = new HistoryFollower(monitor, new HistorySession({ history: { capacity } }))
  }

  /** The live session: its store, its leak detector and the recording being written. */
  get session(): HistorySession {
    return this.follower.session
  }

  /** Subscribes to what each live tick produced; returns the unsubscribe function. */
  onTick(listener: (tick: SessionTick) => void): () => void {
    return this.follower.onTick(listener)
  }

  /** The history of the recording opened for scrubbing, or null when none is open. */
  recordedHistory(): HistoryStore | null {
    return this.recorded
  }

  /** Set by the recording domain when it opens (or closes, with null) a recording. */
  showRecorded(history: HistoryStore | null): void {
    this.recorded = history
  }

  /** Stops following the monitor, finishes the tick under way and closes any recording. */
  async dispose(): Promise<void> {
    await this.follower.stop()
    await this.session.dispose()
    this.recorded = null
  }
}
