/** `close-wait`: sockets whose peer hung up, left unclosed by their process. */
import { elementAt } from '../../../shared/element-at'
import type { SocketEntry } from '../../../shared/model/socket'
import type { FindingProcess } from '../../../shared/model/finding'
import { HISTORY_COLUMNS } from '../../../shared/model/history-view'
import { describeProcess, evidenceSeries, formatDuration, groupByEndpoint, type Candidate, type LeakRule } from './rule'

interface ProcessCloseWait {
  readonly process: FindingProcess
  /** CLOSE_WAIT sockets seen in that state for at least the minimum age. */
  readonly aged: SocketEntry[]
  total: number
  oldestSince: number
}

/**
 * Finds processes holding CLOSE_WAIT sockets that do not drain. A socket counts once it has
 * stayed in CLOSE_WAIT for the minimum age, so a busy server that closes promptly (and so
 * shows a few fleeting CLOSE_WAIT sockets at any moment) is left alone.
 */
export const closeWaitRule: LeakRule = (input) => {
  const { settings, now } = input
  const minimumAgeMs = settings.closeWaitMinimumAgeSeconds * 1000
  const byProcess = new Map<number, ProcessCloseWait>()
  for (const socket of input.scan.closeWait) {
    const firstSeen = input.closeWaitSince.get(socket.id) ?? now
    const owners: FindingProcess[] =
      socket.owners.length > 0
        ? socket.owners.map((owner) => ({ pid: owner.pid, name: owner.process }))
        : socket.pid !== null
          ? [{ pid: socket.pid, name: socket.process ?? '' }]
          : []
    for (const owner of owners) {
      let entry = byProcess.get(owner.pid)
      if (!entry) {
        entry = { process: owner, aged: [], total: 0, oldestSince: firstSeen }
        byProcess.set(owner.pid, entry)
      }
      entry.total++
      if (now - firstSeen >= minimumAgeMs) {
        entry.aged.push(socket)
        entry.oldestSince = Math.min(entry.oldestSince, firstSeen)
      }
    }
  }

  const keepAt = Math.max(1, Math.ceil(settings.closeWaitMinimumCount / 2))
  const candidates: Candidate[] = []
  for (const [pid, entry] of byProcess) {
    const aged = entry.aged.length
    const raises = aged >= settings.closeWaitMinimumCount
    const keeps = aged >= keepAt
    if (!keeps) continue
    const who = describeProcess(entry.process)
    const groups = groupByEndpoint(entry.aged, input.scan.listening).map(({ label, count }) => ({ label, count }))
    const slice = input.history.columnSlice(
      { kind: 'process', pid },
      HISTORY_COLUMNS.stateColumn('CLOSE_WAIT'),
      now - Math.max(settings.growthWindowSeconds, settings.closeWaitMinimumAgeSeconds * 4) * 1000
    )
    // Every entry has aged sockets, so it has at least one endpoint group.
    const topLabel = elementAt(groups, 0).label
    const where = groups.length === 1 ? `all of them ${topLabel}` : `most of them ${topLabel}`
    candidates.push({
      id: `close-wait:${pid}`,
      kind: 'close-wait',
      process: entry.process,
      raises,
      keeps,
      severity: aged >= settings.closeWaitMinimumCount * 10 ? 'critical' : 'warning',
      since: entry.oldestSince,
      title: `${who} leaves connections in CLOSE_WAIT`,
      explanation:
        `${who} holds ${aged} socket${aged === 1 ? '' : 's'} that ${aged === 1 ? 'has' : 'have'} been in CLOSE_WAIT for over ` +
        `${formatDuration(minimumAgeMs)} (${entry.total} in CLOSE_WAIT in all; the oldest for ${formatDuration(now - entry.oldestSince)}), ${where}. ` +
        'The peer closed the connection and this process never called close() on its end. ' +
        'Such sockets stay until the process closes them or exits, each one holding a file descriptor.',
      advice:
        'Find the code that reads from these connections and close the socket when a read reports end of stream ' +
        '(read() returning 0, an "end" or "close" event, EOF), on error paths too. ' +
        'Restarting the process frees them for now; only the missing close() stops them piling up again.',
      evidence: {
        numbers: {
          closeWaitAged: aged,
          closeWait: entry.total,
          oldestSeconds: Math.round((now - entry.oldestSince) / 1000),
          minimumAgeSeconds: settings.closeWaitMinimumAgeSeconds
        },
        series: evidenceSeries('CLOSE_WAIT sockets', slice.times, slice.values),
        groups
      }
    })
  }
  return candidates
}
