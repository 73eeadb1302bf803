/** `ephemeral-ports`: one destination eating the local port range. */
import { formatHostPort } from '../../../shared/format/socket-text'
import { destinationKey, destinationLabel, portRangeSize } from '../../../shared/model/history'
import { HISTORY_COLUMNS } from '../../../shared/model/history-view'
import { describeProcess, evidenceSeries, type Candidate, type LeakRule } from './rule'

const CLEAR_MARGIN = 0.05

/** Finds destinations that use more than the configured share of ip_local_port_range. */
export const ephemeralPortsRule: LeakRule = (input) => {
  const { settings, now, sample } = input
  const range = sample.portRange
  if (!range) return []
  const size = portRangeSize(range)
  const candidates: Candidate[] = []
  for (const use of sample.ephemeral) {
    const ratio = use.count / size
    if (ratio < settings.ephemeralPortsRatio - CLEAR_MARGIN) break // busiest first
    const raises = ratio >= settings.ephemeralPortsRatio
    const key = destinationKey(use)
    const label = destinationLabel(use)
    const process = use.pid !== null ? { pid: use.pid, name: use.process ?? '' } : null
    const slice = input.history.columnSlice({ kind: 'destination', key }, HISTORY_COLUMNS.count, now - settings.growthWindowSeconds * 1000)
    candidates.push({
      id: `ephemeral-ports:${key}`,
      kind: 'ephemeral-ports',
      process,
      raises,
      keeps: true,
      severity: ratio >= 0.9 ? 'critical' : 'warning',
      title: `${Math.round(ratio * 100)}% of the ephemeral ports go to ${formatHostPort(use.remoteAddress, use.remotePort)}`,
      explanation:
        `${use.count} of the ${size} local ports the kernel hands out (ip_local_port_range ${range.low}–${range.high}) are held by ` +
        `connections ${label}${process ? `, mostly by ${describeProcess(process)}` : ''}. ` +
        'Every connection from one local address to the same remote address and port needs a port of its own, TIME_WAIT ones included. ' +
        'When they run out, connect() fails with EADDRNOTAVAIL ("cannot assign requested address").',
      advice:
        'Reuse connections (HTTP keep-alive, a connection pool) instead of opening one per request. ' +
        'Spreading traffic over several destination addresses or ports, or widening net.ipv4.ip_local_port_range, only buys time.',
      evidence: {
        numbers: { count: use.count, rangeSize: size, ratio: Math.round(ratio * 1000) / 1000, rangeLow: range.low, rangeHigh: range.high },
        series: evidenceSeries('ports in use', slice.times, slice.values),
        groups: [{ label, count: use.count }]
      }
    })
  }
  return candidates
}
