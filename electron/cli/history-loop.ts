/**
 * The watch behind `sockscope watch` and `sockscope check`: the backend's socket monitor, followed
 * into a history session the same way the backend follows it.
 */
import type { SocketEntry } from '../../shared/model/socket'
import { asError } from '../../shared/error-message'
import { closedConnectionAsSocket } from '../../shared/model/closed-connection'
import {
  CloseEventRecorder,
  ConnectionChurnWindow,
  createCloseEventSource,
  createSocketProvider,
  HistoryFollower,
  SocketMonitor,
  type HistorySession,
  type SessionTick,
  type SocketProvider
} from '../backend'

/** The longest delay a Node timer takes (about 24.8 days); longer waits are made of several. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** How the loop runs. */
export interface HistoryLoopOptions {
  readonly session: HistorySession
  readonly intervalMs: number
  /** Stops after this long; runs until SIGINT or SIGTERM when missing. */
  readonly durationMs?: number
  /** Only these sockets go into the history. */
  readonly matches?: (socket: SocketEntry) => boolean
  readonly onTick: (tick: SessionTick) => void
  /** Called with a read failure; the loop goes on. */
  readonly onError?: (error: Error) => void
  /** Ends the loop early, like a stop signal. */
  readonly signal?: AbortSignal
  /** Read TCP internals (tcp_info) too: only a recording keeps them, so false by default. */
  readonly tcpInfo?: boolean
  /**
   * Follows the OS's close events into the session's connection churn, as the backend's events
   * domain does, so the `connection-churn` finding is judged too. Where close events cannot be
   * had, `onError` says why and the loop goes on without.
   */
  readonly followChurn?: boolean
}

/** Feeds closed connections (the ones `matches` accepts) to the session's churn; returns the stop function. */
function followChurn(monitor: SocketMonitor, options: HistoryLoopOptions): () => void {
  const matches = options.matches
  const recorder: CloseEventRecorder = new CloseEventRecorder(createCloseEventSource(), monitor, {
    closed: (connections) => churn.add(matches ? connections.filter((connection) => matches(closedConnectionAsSocket(connection))) : connections),
    unavailable: (reason) => options.onError?.(new Error(`no connection-churn findings: ${reason}`))
  })
  const churn = new ConnectionChurnWindow((port) => recorder.log.isListeningPort(port))
  const status = recorder.status()
  if (!status.available) options.onError?.(new Error(`no connection-churn findings: close events are not available (${status.unavailableReason})`))
  recorder.unref()
  options.session.followChurn((now) => churn.summary(now))
  return () => {
    options.session.followChurn(null)
    recorder.dispose()
  }
}

/** A provider whose reads keep only the sockets `matches` accepts. */
function onlyMatching(provider: SocketProvider, matches: (socket: SocketEntry) => boolean): SocketProvider {
  return {
    platform: provider.platform,
    reader: provider.reader,
    read: async (options) => {
      const read = await provider.read(options)
      return { ...read, sockets: read.sockets.filter(matches) }
    },
    dispose: () => provider.dispose?.()
  }
}

/**
 * Polls the socket tables every interval (never two reads at once; a slow read delays the next
 * instead of piling up), feeds each read to the session and resolves with the number of reads once
 * the duration is over or a stop signal arrives. At the end of the duration one last read is
 * taken, so the final state is seen; a stop signal ends the watch without it.
 */
export async function runHistoryLoop(options: HistoryLoopOptions): Promise<number> {
  const provider = createSocketProvider()
  const monitor = new SocketMonitor(options.matches ? onlyMatching(provider, options.matches) : provider, { intervalMs: options.intervalMs, tcpInfo: options.tcpInfo ?? false })
  const follower = new HistoryFollower(monitor, options.session)
  const stopChurn = options.followChurn ? followChurn(monitor, options) : () => undefined
  const report = (error: Error): void => options.onError?.(error)
  follower.onTick(options.onTick)
  follower.onError(report)
  monitor.onError(report)

  const deadline = options.durationMs === undefined ? Infinity : Date.now() + options.durationMs
  let timer: NodeJS.Timeout | null = null
  let finish: (reachedDeadline: boolean) => void = () => undefined
  const finished = new Promise<boolean>((resolve) => (finish = resolve))
  const stop = (): void => finish(false)
  // The monitor's own timers do not keep the process alive; this one does, until the deadline.
  const wakeAtDeadline = (): void => {
    const remaining = deadline - Date.now()
    if (remaining <= 0) finish(true)
    else timer = setTimeout(wakeAtDeadline, Math.min(remaining, MAX_TIMER_MS))
  }
  const signals = ['SIGINT', 'SIGTERM'] as const
  for (const signal of signals) process.once(signal, stop)
  options.signal?.addEventListener('abort', stop)
  try {
    if (options.signal?.aborted) return 0
    monitor.start()
    wakeAtDeadline()
    const reachedDeadline = await finished
    monitor.stop()
    await follower.idle()
    if (reachedDeadline) {
      // A read that started before the deadline does not count as the last one.
      const readOnce = () => monitor.refresh().catch((error: unknown) => void report(asError(error)))
      const last = await readOnce()
      if (last && last.takenAt < deadline) await readOnce()
      await follower.idle()
    }
    return monitor.current().tick
  } finally {
    if (timer) clearTimeout(timer)
    monitor.stop()
    await follower.stop()
    stopChurn()
    for (const signal of signals) process.off(signal, stop)
    options.signal?.removeEventListener('abort', stop)
    provider.dispose?.()
  }
}
