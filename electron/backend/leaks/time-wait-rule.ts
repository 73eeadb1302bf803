/** `time-wait`: TIME_WAIT dominating the TCP table, the mark of connection churn. */
import type { FindingProcess } from '../../../shared/model/finding'
import { HISTORY_COLUMNS } from '../../../shared/model/history-view'
import type { SocketEntry } from '../../../shared/model/socket'
import { describeProcess, evidenceSeries, groupByEndpoint, listeningKey, type LeakRule, type RuleInput } from './rule'

/** Raised findings clear only once TIME_WAIT drops this far below the thresholds. */
const CLEAR_FACTOR = 0.8

/**
 * Finds tables where TIME_WAIT sockets outnumber the rest. TIME_WAIT sockets have no owner, so
 * the process is guessed: the one listening on the port (a server closing first) or the one
 * with live connections to the same endpoint (a client).
 */
export const timeWaitRule: LeakRule = (input) => {
  const { settings, sample, now, scan } = input
  const timeWait = sample.states.TIME_WAIT ?? 0
  const tcp = sample.protocols.tcp
  if (tcp === 0) return []
  const share = timeWait / tcp
  const raises = timeWait >= settings.timeWaitMinimumCount && share >= settings.timeWaitMinimumShare
  const keeps = timeWait >= settings.timeWaitMinimumCount * CLEAR_FACTOR && share >= settings.timeWaitMinimumShare * CLEAR_FACTOR
  if (!keeps) return []

  const endpoints = groupByEndpoint(scan.timeWait, scan.listening)
  const groups = endpoints.map(({ label, count }) => ({ label, count }))
  const [topEndpoint] = endpoints
  const process = topEndpoint ? guessProcess(input, topEndpoint.example) : null
  const slice = input.history.columnSlice({ kind: 'overall' }, HISTORY_COLUMNS.stateColumn('TIME_WAIT'), now - settings.growthWindowSeconds * 1000)
  return [
    {
      id: 'time-wait',
      kind: 'time-wait',
      process,
      raises,
      keeps,
      severity: 'info',
      title: `${Math.round(share * 100)}% of TCP sockets are in TIME_WAIT`,
      explanation:
        `${timeWait} of ${tcp} TCP sockets are in TIME_WAIT${groups[0] ? `, most of them ${groups[0].label}` : ''}` +
        `${process ? ` (probably ${describeProcess(process)})` : ''}. ` +
        'TIME_WAIT itself is normal: the side that closes a connection first keeps it for about a minute. ' +
        'This many means connections are opened and closed at a high rate (connection churn), which costs handshakes and ports.',
      advice:
        'Reuse connections: turn on keep-alive, or use a connection pool, so requests share a few long-lived connections. ' +
        'On a server, keep-alive lets clients send more requests per connection, and the clients can close first.',
      evidence: {
        numbers: { timeWait, tcp, share: Math.round(share * 1000) / 1000 },
        series: evidenceSeries('TIME_WAIT sockets', slice.times, slice.values),
        groups
      }
    }
  ]
}

function guessProcess(input: RuleInput, example: SocketEntry): FindingProcess | null {
  const listener = example.localPort !== null ? input.scan.listening.get(listeningKey('tcp', example.localPort)) : undefined
  if (listener !== undefined) return listener
  // A client: whoever holds live connections to the same remote endpoint.
  const counts = new Map<number, { name: string; count: number }>()
  for (const socket of input.sockets) {
    if (socket.pid === null || socket.protocol !== 'tcp' || socket.state === 'TIME_WAIT') continue
    if (socket.remotePort !== example.remotePort || socket.remoteAddress !== example.remoteAddress) continue
    const entry = counts.get(socket.pid) ?? { name: socket.process ?? '', count: 0 }
    entry.count++
    counts.set(socket.pid, entry)
  }
  let best: FindingProcess | null = null
  let most = 0
  for (const [pid, entry] of counts) {
    if (entry.count > most) {
      most = entry.count
      best = { pid, name: entry.name }
    }
  }
  return best
}
