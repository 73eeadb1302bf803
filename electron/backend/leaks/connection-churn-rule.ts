/**
 * `connection-churn`: many short-lived connections to one destination, from the close events.
 * Unlike `time-wait`, it sees connections the polls never do, and it counts them whichever side
 * closed first.
 */
import { describeProcess, formatAmount, type LeakRule } from './rule'

/** Raised findings clear only once the rate drops this far below the threshold. */
const CLEAR_FACTOR = 0.8

/** Finds destinations that a process connects to and drops again at a high rate. */
export const connectionChurnRule: LeakRule = ({ churn, settings }) => {
  if (churn === null) return []
  const threshold = settings.churnMinimumShortLivedPerMinute
  return churn.groups
    .filter((group) => group.shortLived >= threshold * CLEAR_FACTOR)
    .map((group) => {
      const process = group.pid !== null ? { pid: group.pid, name: group.process ?? '' } : null
      const perSecond = group.shortLived / churn.windowSeconds
      return {
        id: `connection-churn:${group.destination}`,
        kind: 'connection-churn' as const,
        process,
        raises: group.shortLived >= threshold,
        keeps: true,
        severity: 'info' as const,
        title: `${formatAmount(perSecond)} short-lived connections a second ${group.destination.startsWith('clients of') ? 'from ' + group.destination : 'to ' + group.destination}`,
        explanation:
          `${group.shortLived} of the ${group.closed} TCP connections closed in the last ${churn.windowSeconds} s with ${group.destination} lived less than a second` +
          `${process ? ` (mostly ${describeProcess(process)})` : ', too briefly for any poll to see their process'}. ` +
          'Each one costs a handshake, a port that stays in TIME_WAIT for a minute, and often a TLS handshake too.',
        advice:
          'Reuse connections: keep-alive, a connection pool, or one long-lived client instead of one per request. ' +
          'The Closed connections tab lists them (filter by the port) with their bytes and duration.',
        evidence: {
          numbers: { shortLived: group.shortLived, closed: group.closed, windowSeconds: churn.windowSeconds, perSecond: Math.round(perSecond * 10) / 10 },
          series: null,
          groups: [{ label: group.destination, count: group.shortLived }]
        }
      }
    })
}
