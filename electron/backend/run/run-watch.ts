/**
 * The watch behind `sockscope run`: the socket monitor over the command's process tree, followed
 * into a history session with its leak detector, and the numbers, phases and findings the report
 * is made of.
 */
import type { SocketEntry, SocketSnapshot } from '../../../shared/model/socket'
import type { LeakSettings } from '../../../shared/leak-settings'
import type { Finding } from '../../../shared/model/finding'
import type { PortRange } from '../../../shared/model/history'
import type { RunExit, RunPhase, RunProcess, RunReport, RunSocket } from '../../../shared/model/run-report'
import { asError } from '../../../shared/error-message'
import type { CloseEventSource, SocketProvider, SystemReader } from '../platform/platform'
import { createPlatform } from '../platform/create-platform'
import { SocketMonitor } from '../sockets/socket-monitor'
import { HistorySession, type TickRecorder } from '../history/history-session'
import { HistoryFollower } from '../history/history-follower'
import { ProcessTree } from './process-tree'
import { TreeSocketProvider } from './tree-socket-provider'
import { isHeld, reportSocket, RunStatistics } from './run-statistics'
import { judgeBounds, type RunBounds } from './run-assertions'
import { CloseEventRecorder } from '../events/close-event-recorder'
import { RunClosedConnections } from './run-closed-connections'

/** How a run watch is set up. */
export interface RunWatchOptions {
  /** The command's main process. */
  readonly rootPid: number
  /** True when the command was started as the leader of a session of its own (see {@link ProcessTree}). */
  readonly ownSession: boolean
  readonly intervalMs: number
  readonly settings: LeakSettings
  /** The OS to read; this machine's when absent. */
  readonly sockets?: SocketProvider
  readonly system?: SystemReader
  /** Close events, for the TIME_WAIT churn of connections no sample saw; this machine's when the OS is read here, none otherwise. */
  readonly closeEvents?: CloseEventSource
  /** A sample that failed; the watch goes on. */
  readonly onError?: (error: Error) => void
}

/** Listed sockets per phase and after the main process exited, at most. */
const MAX_LISTED_SOCKETS = 100
/** Marks taken, at most; later ones are refused so a runaway loop cannot grow the report without bound. */
export const MAX_MARKS = 10_000
/** Sockets listed over all phases together, so ten thousand marks cannot make a report of millions; counts stay exact. */
const MAX_PHASE_SOCKETS_LISTED = 5000
/** Processes listed in the report, at most. */
const MAX_LISTED_PROCESSES = 100

interface OpenPhase {
  readonly label: string
  readonly startedAt: number
  readonly startIds: ReadonlySet<string>
  opened: number
}

/** Sockets held by the tree that were not open at `since`, oldest first, capped. */
function stillOpenSince(snapshot: SocketSnapshot, before: ReadonlySet<string>, firstSeen: (id: string) => number): { list: RunSocket[]; count: number } {
  const fresh = snapshot.sockets.filter((socket) => isHeld(socket) && !before.has(socket.id))
  const listed = fresh.map((socket) => reportSocket(socket, firstSeen(socket.id), snapshot.takenAt)).sort((a, b) => b.ageSeconds - a.ageSeconds || a.local.localeCompare(b.local))
  return { list: listed.slice(0, MAX_LISTED_SOCKETS), count: fresh.length }
}

/** Samples a command's process tree until it is finished, then builds the report. */
export class RunWatch {
  private readonly provider: TreeSocketProvider
  private readonly monitor: SocketMonitor
  private readonly session: HistorySession
  private readonly follower: HistoryFollower
  private readonly statistics = new RunStatistics()
  private readonly system: SystemReader
  private readonly findings = new Map<string, Finding>()
  private readonly startedAt = Date.now()
  private portRange: PortRange | null = null
  private phase: OpenPhase | null = null
  private readonly phases: RunPhase[] = []
  private marks = 0
  private phaseSocketsListed = 0
  private heldAfterExit: RunSocket[] = []
  private markQueue: Promise<unknown> = Promise.resolve()
  private readonly platformDispose: (() => void) | null
  private recorder: TickRecorder | null = null
  private recordingFailure: Error | null = null
  private readonly closed = new RunClosedConnections()
  /** Follows close events; null where there are none. */
  private readonly closeRecorder: CloseEventRecorder | null = null

  constructor(private readonly options: RunWatchOptions) {
    let base = options.sockets
    let system = options.system
    let closeEvents = options.closeEvents
    let dispose: (() => void) | null = null
    if (!base || !system) {
      const platform = createPlatform()
      base ??= platform.sockets
      system ??= platform.system
      closeEvents ??= platform.closeEvents
      dispose = () => platform.dispose()
    }
    this.platformDispose = dispose
    this.system = system
    this.provider = new TreeSocketProvider(base, system, new ProcessTree(options.rootPid, { ownSession: options.ownSession }))
    this.monitor = new SocketMonitor(this.provider, { intervalMs: options.intervalMs })
    this.session = new HistorySession({ settings: options.settings, readers: this.scopedReaders(system) })
    this.follower = new HistoryFollower(this.monitor, this.session)
    const report = (error: Error): void => options.onError?.(error)
    this.monitor.onError(report)
    this.follower.onError(report)
    this.monitor.onTick((_diff, snapshot) => this.takeSample(snapshot))
    if (closeEvents) {
      // Joined to this monitor's samples, so only the tree's sockets are attributed.
      const recorder = new CloseEventRecorder(closeEvents, this.monitor, {
        closed: (connections) => this.closed.add(connections)
      })
      recorder.unref()
      this.closeRecorder = recorder.status().available ? recorder : null
      if (!this.closeRecorder) recorder.dispose()
    }
    this.follower.onTick(({ findings, recordingFailure }) => {
      if (recordingFailure && !this.recordingFailure) {
        this.recordingFailure = recordingFailure
        options.onError?.(new Error(`the recording ${this.recorder?.path ?? ''} stopped: ${recordingFailure.message}`))
      }
      for (const finding of findings.appeared) this.findings.set(finding.id, finding)
      for (const finding of findings.active) if (this.findings.has(finding.id)) this.findings.set(finding.id, finding)
    })
  }

  /** Writes every sample to `writer` (an opened recording) until the run ends; call before {@link start}. */
  record(writer: TickRecorder): void {
    this.recorder = writer
    this.session.startRecording(writer)
  }

  /** Starts sampling: the first sample at once, then one every interval. */
  async start(): Promise<void> {
    this.portRange = await this.system.readPortRange().catch(() => null)
    this.monitor.start()
  }

  /**
   * Takes a sample that starts no earlier than now (a read already under way started too soon, so
   * another one follows it), and resolves with it.
   */
  async sampleNow(): Promise<SocketSnapshot> {
    const askedAt = Date.now()
    for (;;) {
      const snapshot = await this.monitor.refresh()
      if (this.provider.lastRead().startedAt >= askedAt) return snapshot
    }
  }

  /**
   * Starts a phase named `label`: a sample is taken at once, the phase before it (if any) ends with
   * that sample, and the new one starts from it. Marks are handled one at a time, in order of arrival.
   */
  mark(label: string): Promise<void> {
    const done = this.markQueue.then(async () => {
      if (this.marks >= MAX_MARKS) throw new Error(`more than ${MAX_MARKS} marks; this one is ignored`)
      this.marks++
      const snapshot = await this.sampleNow()
      this.endPhase(snapshot)
      this.phase = { label, startedAt: snapshot.takenAt, startIds: new Set(snapshot.sockets.map((socket) => socket.id)), opened: 0 }
    })
    this.markQueue = done.catch(() => undefined)
    return done
  }

  /** Leaves a UNIX socket connected to sockscope's own `inode` out of the tree's sockets (a mark's connection). */
  async excludePeerOf(inode: number): Promise<void> {
    const peer = await this.system.findUnixPeer(inode).catch(() => null)
    if (peer !== null) this.provider.exclude(peer)
  }

  /**
   * The command's main process exited: one last sample shows what its surviving children still
   * hold, and the last phase ends there.
   */
  async mainExited(): Promise<void> {
    await this.markQueue
    const snapshot = await this.sampleNow().catch((error: unknown) => {
      this.options.onError?.(asError(error))
      return null
    })
    if (!snapshot) return
    this.endPhase(snapshot)
    const held = stillOpenSince(snapshot, new Set(), (id) => this.statistics.firstSeenAt(id, snapshot.takenAt))
    this.heldAfterExit = held.list
  }

  /** Stops sampling, waits for the detector to judge the last sample, and builds the report. */
  async finish(command: readonly string[], exit: RunExit, bounds: RunBounds): Promise<RunReport> {
    this.monitor.stop()
    await this.markQueue
    await this.follower.stop()
    const recording = await this.finishRecording()
    this.closeRecorder?.dispose()
    // A platform made here is let go here; one handed in belongs to the caller.
    this.platformDispose?.()
    await this.session.dispose()
    const endedAt = Date.now()
    const active = new Set(this.session.detector.active().map((finding) => finding.id))
    const findings = [...this.findings.values()].map((finding) => ({ ...finding, stillActive: active.has(finding.id) }))
    const counts = this.statistics.socketCounts()
    const growthPerMinute = this.statistics.growthPerMinute()
    const closeWait = this.statistics.closeWait()
    const fdPeak = this.statistics.peakFileDescriptors()
    const assertions = judgeBounds(bounds, {
      peakCloseWait: closeWait.peak,
      peakHeldSockets: counts.peakHeld,
      peakFdPercent: fdPeak?.percent ?? null,
      fdProcess: fdPeak ? `${fdPeak.name} (pid ${fdPeak.pid})` : null,
      growthPerMinute,
      findings: findings.length
    })
    return {
      command,
      startedAt: this.startedAt,
      endedAt,
      durationSeconds: Math.round((endedAt - this.startedAt) / 100) / 10,
      intervalSeconds: this.options.intervalMs / 1000,
      samples: this.statistics.samples,
      exit,
      mainPid: exit.startError === null ? this.options.rootPid : null,
      processes: this.processes(),
      sockets: { ...counts, growthPerMinute },
      closeWait,
      fileDescriptors: { peak: fdPeak },
      ephemeralPorts: this.statistics.ephemeralPorts(),
      timeWait: { ...this.statistics.timeWait(endedAt - this.startedAt), ...this.closedConnections(endedAt - this.startedAt) },
      findings,
      heldAfterExit: this.heldAfterExit,
      phases: this.phases,
      assertions,
      recording,
      assertionsPassed: assertions.every((assertion) => assertion.passed)
    }
  }

  /** The tree's closed connections and their rate over `durationMs`; null where close events were not followed. */
  private closedConnections(durationMs: number): Pick<RunReport['timeWait'], 'closedConnections' | 'closedPerMinute'> {
    if (!this.closeRecorder) return { closedConnections: null, closedPerMinute: null }
    const count = this.closed.count((port) => this.statistics.listensOn(port))
    return { closedConnections: count, closedPerMinute: Math.round((count / (Math.max(durationMs, 1000) / 60_000)) * 10) / 10 }
  }

  /** Closes the recording, if one was asked for, and says how it went. */
  private async finishRecording(): Promise<RunReport['recording']> {
    const recorder = this.recorder
    if (recorder === null) return null
    try {
      const summary = await this.session.stopRecording()
      if (summary && !this.recordingFailure) return { path: recorder.path, ticks: summary.ticks, bytes: summary.bytes, error: null }
    } catch (error) {
      this.recordingFailure ??= asError(error)
    }
    // A recording that failed was closed by the session; the ticks written before are on disk.
    return { path: recorder.path, ticks: recorder.tickCount(), bytes: null, error: this.recordingFailure?.message ?? 'the recording stopped' }
  }

  private takeSample(snapshot: SocketSnapshot): void {
    const fresh = this.statistics.add(snapshot.takenAt, snapshot.sockets, this.provider.lastRead().fds, this.portRange)
    if (this.phase && fresh.length > 0) {
      const held = new Set(snapshot.sockets.filter(isHeld).map((socket: SocketEntry) => socket.id))
      this.phase.opened += fresh.filter((id) => held.has(id)).length
    }
  }

  private endPhase(snapshot: SocketSnapshot): void {
    const phase = this.phase
    if (!phase) return
    this.phase = null
    const open = stillOpenSince(snapshot, phase.startIds, (id) => this.statistics.firstSeenAt(id, snapshot.takenAt))
    const listed = open.list.slice(0, Math.max(0, MAX_PHASE_SOCKETS_LISTED - this.phaseSocketsListed))
    this.phaseSocketsListed += listed.length
    this.phases.push({ label: phase.label, startedAt: phase.startedAt, endedAt: snapshot.takenAt, opened: phase.opened, stillOpen: listed, stillOpenCount: open.count })
  }

  private processes(): RunProcess[] {
    const peaks = this.statistics.fileDescriptorPeaks()
    const sockets = this.statistics.socketPeaksByProcess()
    const all = this.provider.tree.everyProcess().map((process) => ({
      pid: process.pid,
      parentPid: process.parentPid,
      name: process.name,
      firstSeenAt: process.firstSeenAt,
      exitedAt: process.exitedAt,
      peakSockets: sockets.get(process.pid) ?? 0,
      peakFds: peaks.get(process.pid)?.fds ?? null,
      fdSoftLimit: peaks.get(process.pid)?.softLimit ?? null
    }))
    all.sort((a, b) => (a.pid === this.options.rootPid ? -1 : b.pid === this.options.rootPid ? 1 : a.firstSeenAt - b.firstSeenAt || a.pid - b.pid))
    return all.slice(0, MAX_LISTED_PROCESSES)
  }

  /** System reads as the history recorder makes them, limited to the tree's processes. */
  private scopedReaders(system: SystemReader): SystemReader {
    return {
      readInterfaceCounters: async () => null,
      readPortRange: () => system.readPortRange(),
      countOpenFileDescriptors: (pid) => system.countOpenFileDescriptors(pid),
      readSoftOpenFilesLimit: (pid) => system.readSoftOpenFilesLimit(pid),
      listProcessIds: async () => this.provider.tree.running().map((process) => process.pid),
      readProcessName: (pid) => system.readProcessName(pid),
      processExists: (pid) => system.processExists(pid),
      listProcesses: () => system.listProcesses(),
      findUnixPeer: (inode) => system.findUnixPeer(inode)
    }
  }
}
