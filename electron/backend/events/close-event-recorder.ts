/**
 * Follows closed TCP connections: the platform's close events joined, in a
 * {@link ClosedConnectionLog}, to what the socket monitor's polls saw open. The events module and
 * `sockscope events` both run one.
 */
import type { ClosedConnection, CloseEventsStatus } from '../../../shared/model/closed-connection'
import { errorMessage } from '../../../shared/error-message'
import type { CloseEventSource, CloseFeed } from '../platform/platform'
import type { SocketMonitor } from '../sockets/socket-monitor'
import { ClosedConnectionLog } from './closed-connection-log'

/** Options for a recorder. */
export interface CloseEventRecorderOptions {
  /** The most closed connections kept in memory. */
  readonly capacity?: number
  /** Receive buffer to ask the OS for; the platform's own choice when absent. */
  readonly receiveBufferBytes?: number
}

/** What a recorder reports as it goes. */
export interface CloseEventRecorderListener {
  /** Connections just closed, in order. */
  closed?(connections: readonly ClosedConnection[]): void
  /** The OS dropped `count` close messages (`total` since the start). */
  lost?(count: number, total: number): void
  /** Close events stopped, or never started, for this reason. */
  unavailable?(reason: string): void
}

/** Closed connections, attributed through the live socket table. */
export class CloseEventRecorder {
  readonly log: ClosedConnectionLog
  private feed: CloseFeed | null = null
  private unavailableReason: string | null = null
  /** Losses counted by a feed that has stopped. */
  private lostWhenStopped = 0
  private readonly stopObserving: () => void

  constructor(
    source: CloseEventSource,
    monitor: SocketMonitor,
    private readonly listener: CloseEventRecorderListener = {},
    options: CloseEventRecorderOptions = {}
  ) {
    this.log = new ClosedConnectionLog({ capacity: options.capacity, pollIntervalMs: monitor.status().intervalMs })
    this.stopObserving = monitor.onTick((_diff, snapshot) => this.log.observe(snapshot))
    try {
      this.feed = source.start(
        {
          closed: (sockets, receivedAt) => {
            const connections = this.log.record(sockets, receivedAt)
            if (connections.length > 0) this.listener.closed?.(connections)
          },
          lost: (count, total) => this.listener.lost?.(count, total),
          failed: (error) => this.stop(`close events stopped: ${errorMessage(error)}`)
        },
        { receiveBufferBytes: options.receiveBufferBytes }
      )
    } catch (error) {
      this.unavailableReason = errorMessage(error)
    }
  }

  /** Whether close events are heard, and what was kept and lost. */
  status(): CloseEventsStatus {
    const counters = this.feed?.counters()
    return {
      available: this.unavailableReason === null,
      unavailableReason: this.unavailableReason,
      received: this.log.received,
      lost: counters?.lost ?? this.lostWhenStopped,
      receiveBufferBytes: counters?.receiveBufferBytes ?? 0,
      kept: this.log.kept,
      capacity: this.log.capacity
    }
  }

  /** Lets the process exit while the feed is all that is left. */
  unref(): void {
    this.feed?.unref()
  }

  /** Stops listening and following the table. */
  dispose(): void {
    this.stopObserving()
    this.closeFeed()
  }

  private stop(reason: string): void {
    this.closeFeed()
    this.unavailableReason = reason
    this.listener.unavailable?.(reason)
  }

  private closeFeed(): void {
    if (this.feed === null) return
    this.lostWhenStopped = this.feed.counters().lost
    this.feed.close()
    this.feed = null
  }
}
