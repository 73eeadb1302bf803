/**
 * The focus domain: one process as the focus view shows it. Its sockets with their ages and idle
 * times come from the live table, its history (sockets by state, open fds against the limit) from
 * the live history, the fd forecast from that history; a focused process is followed at every
 * tick, so its fds are measured even without sockets and its last sockets stay once it exits.
 */
import type { ProcessFocus } from '../../../shared/model/focus'
import type { ProcessSample } from '../../../shared/model/history'
import { HISTORY_COLUMNS } from '../../../shared/model/history-view'
import type { BackendModuleFactory } from '../backend-module'
import { createSystemReader } from '../platform/create-platform'
import { forecastFdExhaustion } from './fd-forecast'
import { FOCUS_FOLLOW_MS, FocusedProcesses } from './focused-processes'
import { countStates, focusEphemeral, focusSockets, socketsOf } from './process-focus'

/** The history a focus covers unless asked for another window. */
const DEFAULT_WINDOW_MS = 15 * 60_000
/** Points per chart series. */
const SERIES_POINTS = 300

/** Serves `focus/process`. */
export const focusModule: BackendModuleFactory = (context) => {
  const system = createSystemReader()
  const focused = new FocusedProcesses(
    (pid) => system.processExists(pid).catch(() => false),
    (id) => context.firstSeen.get(id)
  )
  const stopTicks = context.sockets.onTick((_diff, snapshot) => void focused.observe(snapshot))
  const { store, recorder } = context.history.session

  return {
    handlers: {
      'focus/process': async ({ pid, windowMs = DEFAULT_WINDOW_MS }): Promise<ProcessFocus> => {
        const snapshot = await context.sockets.ready()
        const now = Math.max(snapshot.takenAt, store.info().newest ?? 0)
        const memory = focused.follow(pid, now + FOCUS_FOLLOW_MS)
        recorder.followProcess(pid, now + FOCUS_FOLLOW_MS)

        const running = memory.exitedAt === null && (await system.processExists(pid).catch(() => false))
        if (running) focused.remember(memory, socketsOf(snapshot.sockets, pid), snapshot.takenAt)
        else memory.exitedAt ??= now
        memory.name ??= await system.readProcessName(pid).catch(() => null)
        const own = memory.sockets

        const from = now - windowMs
        const latest: ProcessSample | undefined = running ? store.latest()?.processes.find((process) => process.pid === pid) : undefined
        const fdSlice = store.columnSlice({ kind: 'process', pid }, HISTORY_COLUMNS.fdCount, from)
        const limitSlice = store.columnSlice({ kind: 'process', pid }, HISTORY_COLUMNS.fdLimit, from)
        const count = running ? (latest?.fdCount ?? (await system.countOpenFileDescriptors(pid).catch(() => null))) : (fdSlice.values.at(-1) ?? null)
        const softLimit = running ? (latest?.fdSoftLimit ?? (await system.readSoftOpenFilesLimit(pid).catch(() => null))) : (limitSlice.values.at(-1) ?? null)
        const portRange = store.latest()?.portRange ?? (await system.readPortRange().catch(() => null))

        return {
          pid,
          name: memory.name,
          command: memory.command,
          user: memory.user,
          status: { running, lastSeenAt: memory.lastSeenAt, exitedAt: running ? null : memory.exitedAt },
          takenAt: now,
          windowMs,
          sockets: focusSockets(own, (id) => memory.firstSeen.get(id), snapshot.takenAt),
          socketTotal: own.length,
          states: countStates(own),
          stateSeries: store.series({ kind: 'states', pid, from, maxPoints: SERIES_POINTS }),
          fileDescriptors: {
            count,
            softLimit,
            forecast: forecastFdExhaustion(fdSlice.times, fdSlice.values, count, softLimit),
            series: store.series({ kind: 'file-descriptors', pid, from, maxPoints: SERIES_POINTS })
          },
          portRange,
          ephemeral: focusEphemeral(snapshot.sockets, own, portRange)
        }
      }
    },
    dispose() {
      stopTicks()
    }
  }
}
