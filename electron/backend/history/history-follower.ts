/**
 * Follows a socket monitor into a history session: every tick the monitor publishes is recorded,
 * judged and (when a recording runs) written, one tick at a time. The backend and the CLI's
 * `watch` and `check` follow their monitor the same way.
 */
import type { SocketMonitor } from '../sockets/socket-monitor'
import type { HistorySession, SessionTick } from './history-session'
import { asError } from '../../../shared/error-message'

/**
 * Ticks that may wait while one is being handled. Reading fds and limits is asynchronous; when it
 * falls behind the monitor, newer ticks are skipped rather than queued without bound.
 */
const MAX_QUEUED_TICKS = 2

/** Feeds every monitor tick to one session and tells listeners what each tick produced. */
export class HistoryFollower {
  private readonly tickListeners = new Set<(tick: SessionTick) => void>()
  private readonly errorListeners = new Set<(error: Error) => void>()
  private readonly stopFollowing: () => void
  private queued = 0
  private work: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    monitor: SocketMonitor,
    readonly session: HistorySession
  ) {
    this.stopFollowing = monitor.onTick((diff, snapshot) => {
      if (this.stopped || this.queued >= MAX_QUEUED_TICKS) return
      this.queued++
      this.work = this.work
        .then(async () => {
          const tick = await session.tick(snapshot, diff)
          if (this.stopped) return
          for (const listener of this.tickListeners) listener(tick)
        })
        .catch((error: unknown) => {
          for (const listener of this.errorListeners) listener(asError(error))
        })
        .finally(() => {
          this.queued--
        })
    })
  }

  /** Subscribes to what each tick produced; returns the unsubscribe function. */
  onTick(listener: (tick: SessionTick) => void): () => void {
    this.tickListeners.add(listener)
    return () => this.tickListeners.delete(listener)
  }

  /** Subscribes to ticks the session could not handle (the follower goes on with the next). */
  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener)
    return () => this.errorListeners.delete(listener)
  }

  /** Resolves once every tick taken so far has been handled. */
  async idle(): Promise<void> {
    let current: Promise<void>
    do {
      current = this.work
      await current
    } while (current !== this.work)
  }

  /** Stops following and waits for the tick under way; the session (and its recording) stays as it is. */
  async stop(): Promise<void> {
    this.stopped = true
    this.stopFollowing()
    await this.idle()
  }
}
