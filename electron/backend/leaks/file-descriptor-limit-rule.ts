/** `fd-limit`: a process close to its soft limit of open files. */
import { HISTORY_COLUMNS } from '../../../shared/model/history-view'
import { describeProcess, evidenceSeries, type Candidate, type LeakRule } from './rule'

/** How far below the raising ratio a raised finding may sink before it starts to clear. */
const CLEAR_MARGIN = 0.05

/** Finds processes whose open fds pass the configured share of their soft RLIMIT_NOFILE. */
export const fdLimitRule: LeakRule = (input) => {
  const { settings, now } = input
  const candidates: Candidate[] = []
  for (const process of input.sample.processes) {
    if (process.fdCount === null || process.fdSoftLimit === null || process.fdSoftLimit <= 0) continue
    const ratio = process.fdCount / process.fdSoftLimit
    const raises = ratio >= settings.fdLimitRatio
    const keeps = ratio >= settings.fdLimitRatio - CLEAR_MARGIN
    if (!keeps) continue
    const who = describeProcess(process)
    const percent = Math.round(ratio * 100)
    const slice = input.history.columnSlice({ kind: 'process', pid: process.pid }, HISTORY_COLUMNS.fdCount, now - settings.growthWindowSeconds * 1000)
    const socketShare = process.fdCount > 0 ? Math.round((process.sockets / process.fdCount) * 100) : 0
    candidates.push({
      id: `fd-limit:${process.pid}`,
      kind: 'fd-limit',
      process: { pid: process.pid, name: process.name },
      raises,
      keeps,
      severity: ratio >= 0.95 ? 'critical' : 'warning',
      title: `${who} is at ${percent}% of its open-file limit`,
      explanation:
        `${who} has ${process.fdCount} file descriptors open and may open at most ${process.fdSoftLimit} (its soft RLIMIT_NOFILE). ` +
        `${socketShare}% of them are sockets. When it reaches the limit, every new connection, accept() and file open fails with "too many open files" (EMFILE).`,
      advice:
        'If the count keeps climbing, something is not being closed: look for a growth or CLOSE_WAIT finding for the same process, ' +
        'or for files and pipes left open. If the load is genuine, raise the soft limit (ulimit -n in the shell that starts it, ' +
        'LimitNOFILE= in a systemd unit), up to the hard limit.',
      evidence: {
        numbers: { fdCount: process.fdCount, fdSoftLimit: process.fdSoftLimit, ratio: Math.round(ratio * 1000) / 1000, sockets: process.sockets },
        series: evidenceSeries('open fds', slice.times, slice.values),
        groups: []
      }
    })
  }
  return candidates
}
