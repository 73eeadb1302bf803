/** `sockscope watch`: the history and the leak detector, live in the terminal. */
import type { HistorySample } from '../../../shared/model/history'
import type { Finding } from '../../../shared/model/finding'
import { SOCKET_QUERY_HELP } from '../../../shared/query/socket-fields'
import { HistorySession, RecordingWriter } from '../../backend'
import { parseCommandArguments, parseNumberOption, type CliCommand } from '../cli-command'
import { socketFilterOption } from '../filter-option'
import { clockTime, formatFinding } from '../finding-text'
import { runHistoryLoop } from '../history-loop'

/** The busiest processes a JSON tick line lists. */
const TOP_PROCESSES = 5

/** One `--json` line. */
export interface WatchLine {
  readonly type: 'tick'
  readonly tick: number
  /** ISO time of the read. */
  readonly time: string
  readonly takenAt: number
  readonly sockets: number
  readonly states: HistorySample['states']
  readonly protocols: HistorySample['protocols']
  readonly processes: ReadonlyArray<{ pid: number; name: string; sockets: number; fdCount: number | null; fdSoftLimit: number | null }>
  readonly appeared: readonly Finding[]
  readonly cleared: readonly Finding[]
  /** Ids of every finding holding after this tick. */
  readonly active: readonly string[]
}

function stateSummary(sample: HistorySample): string {
  return Object.entries(sample.states)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([state, count]) => `${state} ${count}`)
    .join('  ')
}

/** Streams counts and findings once per tick. */
export const watchCommand: CliCommand = {
  help: `Usage: sockscope watch [--interval S] [--duration S] [--json] [--filter EXPR] [--record FILE]

Reads the socket table every interval, keeps the history and runs the leak detector on it:
socket growth, CLOSE_WAIT pile-ups, processes near their open-file limit, ephemeral port
exhaustion and TIME_WAIT churn. Prints one line per tick, and each finding as it appears or clears.

  --interval S    seconds between reads (default 1, at least 0.1)
  --duration S    stop after S seconds (default: until Ctrl-C)
  --json          one JSON object per line and tick: counts, busiest processes, and the
                  findings that appeared or cleared
  --filter EXPR   only count sockets matching EXPR (the filter language below)
  --record FILE   also write a recording (gzip JSON lines) that "sockscope diff" and the
                  app can open. A new FILE is made 0600; a symbolic link at FILE is refused.
                  When FILE cannot be written, watch stops with exit status 1.

Filter language:
${SOCKET_QUERY_HELP}
`,
  async run(argv, io) {
    const { values } = parseCommandArguments(argv, {
      interval: { type: 'string' },
      duration: { type: 'string' },
      json: { type: 'boolean' },
      filter: { type: 'string' },
      record: { type: 'string' }
    })
    if (values.help) {
      io.out.write(this.help)
      return 0
    }
    const intervalSeconds = parseNumberOption('interval', values.interval, 0.1, 3600) ?? 1
    const durationSeconds = parseNumberOption('duration', values.duration, 0.1, 366 * 86_400)
    const matches = socketFilterOption(values.filter)
    const session = new HistorySession()
    if (values.record) session.startRecording(await RecordingWriter.open(values.record, { intervalMs: intervalSeconds * 1000 }))
    // A recording that stops taking ticks (a full disk, a vanished mount) ends the watch at once:
    // a run the user asked to record must not carry on without its record.
    const recordingFailed = new AbortController()

    const ticks = await runHistoryLoop({
      session,
      intervalMs: intervalSeconds * 1000,
      durationMs: durationSeconds === undefined ? undefined : durationSeconds * 1000,
      matches: values.filter === undefined ? undefined : matches,
      signal: recordingFailed.signal,
      tcpInfo: values.record !== undefined,
      onError: (error) => io.err.write(`warning: ${error.message}\n`),
      onTick: ({ snapshot, sample, findings, recordingFailure }) => {
        if (recordingFailure) recordingFailed.abort(recordingFailure)
        if (values.json) {
          const line: WatchLine = {
            type: 'tick',
            tick: snapshot.tick,
            time: new Date(sample.takenAt).toISOString(),
            takenAt: sample.takenAt,
            sockets: sample.sockets,
            states: sample.states,
            protocols: sample.protocols,
            processes: [...sample.processes]
              .sort((a, b) => b.sockets - a.sockets)
              .slice(0, TOP_PROCESSES)
              .map(({ pid, name, sockets, fdCount, fdSoftLimit }) => ({ pid, name, sockets, fdCount, fdSoftLimit })),
            appeared: findings.appeared,
            cleared: findings.cleared,
            active: findings.active.map((finding) => finding.id)
          }
          io.out.write(JSON.stringify(line) + '\n')
          return
        }
        io.out.write(`${clockTime(sample.takenAt)}  ${String(sample.sockets).padStart(6)} sockets  ${stateSummary(sample)}\n`)
        for (const finding of findings.appeared) io.out.write('\n+ ' + formatFinding(finding, io.out.columns ?? 100) + '\n')
        for (const finding of findings.cleared) io.out.write(`- cleared: ${finding.kind}: ${finding.title}\n`)
      }
    })
    if (recordingFailed.signal.aborted) throw recordingFailed.signal.reason as Error
    const summary = await session.stopRecording()
    if (summary) io.err.write(`recorded ${summary.ticks} ticks to ${summary.path} (${summary.bytes} bytes)\n`)
    if (!values.json) io.err.write(`${ticks} ticks, ${session.detector.active().length} findings active at the end\n`)
    return 0
  }
}
