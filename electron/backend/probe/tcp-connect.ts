/**
 * One bounded, timed TCP connect to one address: the step the TCP probe, the repeated
 * probe, the TLS probe and the connection holder all start with.
 */
import { connect, type Socket } from 'node:net'
import type { ConnectAttempt } from '../../../shared/model/probe'
import { formatHostPort } from '../../../shared/format/socket-text'
import { cancelledError, classifySocketError, timeoutError } from './probe-errors'
import { millisecondsSince, monotonicNow } from './probe-clock'

/** Where to connect and how long to wait. */
export interface ConnectTarget {
  readonly address: string
  readonly family: 4 | 6
  readonly port: number
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

/** The attempt, and the connected socket when it succeeded (the caller then owns and closes it). */
export interface ConnectOutcome {
  readonly attempt: ConnectAttempt
  readonly socket: Socket | null
}

/** Connect to an IP address (no lookup) within the time limit. Never rejects. */
export function connectTcp(target: ConnectTarget): Promise<ConnectOutcome> {
  const where = formatHostPort(target.address, target.port)
  const failed = (error: ConnectAttempt['error']): ConnectOutcome => ({
    attempt: {
      address: target.address,
      family: target.family,
      port: target.port,
      connected: false,
      connectMs: null,
      localAddress: null,
      localPort: null,
      error
    },
    socket: null
  })
  if (target.signal?.aborted === true) return Promise.resolve(failed(cancelledError('connect')))
  return new Promise((resolve) => {
    const start = monotonicNow()
    const socket = connect({ host: target.address, port: target.port, family: target.family, noDelay: true })
    let settled = false
    const finish = (outcome: ConnectOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      target.signal?.removeEventListener('abort', onAbort)
      socket.off('connect', onConnect)
      if (outcome.socket === null) socket.destroy()
      resolve(outcome)
    }
    const onConnect = (): void => {
      finish({
        attempt: {
          address: target.address,
          family: target.family,
          port: target.port,
          connected: true,
          connectMs: millisecondsSince(start),
          localAddress: socket.localAddress ?? null,
          localPort: socket.localPort ?? null,
          error: null
        },
        socket
      })
    }
    const onAbort = (): void => finish(failed(cancelledError('connect')))
    const timer = setTimeout(() => finish(failed(timeoutError('connect', where, target.timeoutMs))), target.timeoutMs)
    // Errors after the connect belong to whoever uses the socket; this listener stays so a late
    // one never becomes an uncaught exception.
    socket.on('error', (error) => finish(failed(classifySocketError(error, 'connect', where))))
    socket.once('connect', onConnect)
    target.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
