/** The polling loop behind `sockscope watch` and `sockscope check`. */
import type { SocketEntry, SocketSnapshot } from '../../shared/model/socket'
import { createSocketProvider } from '../backend/sockets/socket-provider'
import type { HistorySession, SessionTick } from '../backend/history/history-session'
import { asError } from '../../shared/error-message'

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
}

/**
 * Reads the socket tables every interval (never two reads at once), feeds each read to the
 * session and resolves once the duration is over or a stop signal arrives. A read that
 * takes longer than the interval delays the next one instead of piling up.
 */
export async function runHistoryLoop(options: HistoryLoopOptions): Promise<number> {
  const provider = createSocketProvider()
  const startedAt = Date.now()
  const deadline = options.durationMs === undefined ? Infinity : startedAt + options.durationMs
  let stopped = false
  let wake: (() => void) | null = null
  const stop = (): void => {
    stopped = true
    wake?.()
  }
  const signals = ['SIGINT', 'SIGTERM'] as const
  for (const signal of signals) process.once(signal, stop)
  options.signal?.addEventListener('abort', stop)
  if (options.signal?.aborted) stopped = true
  let tick = 0
  try {
    while (!stopped) {
      const readStarted = performance.now()
      try {
        const read = await provider.read({ withProcesses: true })
        tick++
        const sockets = options.matches ? read.sockets.filter(options.matches) : read.sockets
        const snapshot: SocketSnapshot = {
          tick,
          takenAt: Date.now(),
          refreshMs: Math.round((performance.now() - readStarted) * 100) / 100,
          sockets,
          issues: read.issues,
          partialOwnership: read.partialOwnership
        }
        options.onTick(await options.session.tick(snapshot))
      } catch (error) {
        options.onError?.(asError(error))
      }
      const now = Date.now()
      if (now >= deadline) break
      const wait = Math.min(deadline - now, Math.max(0, options.intervalMs - (performance.now() - readStarted)))
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, wait)
      })
      // Past the deadline the loop still takes one last read, so the final state is seen.
      wake = null
    }
  } finally {
    for (const signal of signals) process.off(signal, stop)
    options.signal?.removeEventListener('abort', stop)
    provider.dispose?.()
  }
  return tick
}
