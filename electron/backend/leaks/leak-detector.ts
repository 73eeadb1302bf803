/**
 * The leak detector: runs every rule on each tick's history and table, and turns their
 * candidates into findings with hysteresis. A finding appears only after its condition has
 * held for `raiseAfterSeconds`, and clears only after even the looser "keep" condition has
 * been gone for `clearAfterSeconds`, so a value hovering at a threshold does not flap. A growth,
 * CLOSE_WAIT or fd-limit finding about a process that is no longer there clears at the first tick
 * without it.
 */
import type { SocketEntry } from '../../../shared/model/socket'
import type { HistorySample } from '../../../shared/model/history'
import type { Finding, FindingKind, FindingsUpdate } from '../../../shared/model/finding'
import { DEFAULT_LEAK_SETTINGS, type LeakSettings } from '../../../shared/leak-settings'
import type { HistoryView } from '../../../shared/model/history-view'
import { scanSockets, type Candidate, type LeakRule } from './rule'
import { growthRule } from './growth-rule'
import { closeWaitRule } from './close-wait-rule'
import { fdLimitRule } from './file-descriptor-limit-rule'
import { ephemeralPortsRule } from './ephemeral-ports-rule'
import { timeWaitRule } from './time-wait-rule'
import { connectionChurnRule } from './connection-churn-rule'
import { slowClientRule, slowConnectionCandidates } from './slow-client-rule'
import type { ConnectionChurn } from '../../../shared/model/closed-connection'

/** Every rule, one per finding kind. */
const LEAK_RULES: readonly LeakRule[] = [growthRule, closeWaitRule, fdLimitRule, ephemeralPortsRule, timeWaitRule, connectionChurnRule, slowClientRule]

/** What the detector reads at each tick: the history after the tick's point was added, and the table. */
export interface DetectorTick {
  readonly history: HistoryView
  readonly sample: HistorySample
  readonly sockets: readonly SocketEntry[]
  /** Closed connections of the last minute by destination; absent where close events are not followed. */
  readonly churn?: ConnectionChurn | null
  /** pid → parent pid, when the caller read it (see `wantsProcessParents`); absent or null otherwise. */
  readonly processParents?: ReadonlyMap<number, number> | null
}

interface Tracker {
  /** When the raise condition started holding without a break, or null. */
  pendingSince: number | null
  finding: Finding | null
  lastKeptAt: number
}

/** Turns rule candidates into findings that appear and clear cleanly. */
export class LeakDetector {
  private settings: LeakSettings
  private readonly trackers = new Map<string, Tracker>()
  private readonly closeWaitSince = new Map<string, number>()
  private readonly slowSince = new Map<string, number>()

  constructor(
    settings: LeakSettings = DEFAULT_LEAK_SETTINGS,
    private readonly rules: readonly LeakRule[] = LEAK_RULES
  ) {
    this.settings = settings
  }

  /** The thresholds in use. */
  currentSettings(): LeakSettings {
    return this.settings
  }

  /** Replaces the thresholds; raised findings are re-judged at the next tick. */
  setSettings(settings: LeakSettings): void {
    this.settings = settings
  }

  /**
   * Whether the next tick should come with the process parents: only while connections held by
   * quiet peers are being followed, since telling a program's own pool from strangers needs them.
   */
  wantsProcessParents(): boolean {
    return this.settings.enabled && this.slowSince.size > 0
  }

  /** Every finding that holds now. */
  active(): Finding[] {
    const findings: Finding[] = []
    for (const tracker of this.trackers.values()) if (tracker.finding) findings.push(tracker.finding)
    return findings
  }

  /** Judges one tick. */
  evaluate(tick: DetectorTick): FindingsUpdate {
    const now = tick.sample.takenAt
    const scan = scanSockets(tick.sockets)
    this.followCloseWait(scan.closeWait, now)
    const slowCandidates = this.settings.enabled ? slowConnectionCandidates(tick.sockets, scan.listening, this.settings) : []
    this.followSlowConnections(slowCandidates, now)

    const appeared: Finding[] = []
    const cleared: Finding[] = []
    if (!this.settings.enabled) {
      for (const tracker of this.trackers.values()) if (tracker.finding) cleared.push({ ...tracker.finding, clearedAt: now })
      this.trackers.clear()
      return { takenAt: now, appeared, cleared, active: [] }
    }

    const activeIds = new Set<string>()
    for (const [id, tracker] of this.trackers) if (tracker.finding) activeIds.add(id)
    const input = {
      now,
      settings: this.settings,
      history: tick.history,
      sample: tick.sample,
      sockets: tick.sockets,
      churn: tick.churn ?? null,
      scan,
      closeWaitSince: this.closeWaitSince,
      activeIds,
      slowCandidates,
      slowSince: this.slowSince,
      processParents: tick.processParents ?? null
    }
    const present = presentProcesses(tick)
    const seen = new Set<string>()
    for (const rule of this.rules) {
      for (const candidate of rule(input)) {
        seen.add(candidate.id)
        const finding = this.judge(candidate, now)
        if (finding) appeared.push(finding)
      }
    }

    const clearAfterMs = this.settings.clearAfterSeconds * 1000
    for (const [id, tracker] of this.trackers) {
      if (!tracker.finding) {
        if (!seen.has(id)) this.trackers.delete(id)
        continue
      }
      const gone = isAboutGoneProcess(tracker.finding, present)
      if (gone || (tracker.lastKeptAt < now && now - tracker.lastKeptAt >= clearAfterMs)) {
        cleared.push({ ...tracker.finding, clearedAt: now })
        this.trackers.delete(id)
      }
    }
    return { takenAt: now, appeared, cleared, active: this.active() }
  }

  /** Feeds one candidate to its tracker; returns the finding when it appears now. */
  private judge(candidate: Candidate, now: number): Finding | null {
    let tracker = this.trackers.get(candidate.id)
    if (!tracker) {
      if (!candidate.raises) return null
      tracker = { pendingSince: null, finding: null, lastKeptAt: now }
      this.trackers.set(candidate.id, tracker)
    }
    if (candidate.raises) tracker.pendingSince ??= now
    else if (!tracker.finding) tracker.pendingSince = null

    if (tracker.finding) {
      if (candidate.keeps) {
        tracker.lastKeptAt = now
        tracker.finding = toFinding(candidate, tracker.finding.since, now)
      }
      return null
    }
    if (tracker.pendingSince !== null && now - tracker.pendingSince >= this.settings.raiseAfterSeconds * 1000) {
      tracker.finding = toFinding(candidate, Math.min(candidate.since ?? tracker.pendingSince, tracker.pendingSince), now)
      tracker.lastKeptAt = now
      return tracker.finding
    }
    return null
  }

  /** Remembers when each connection held by a quiet peer was first seen so, forgetting the others. */
  private followSlowConnections(sockets: readonly SocketEntry[], now: number): void {
    const present = new Set<string>()
    for (const socket of sockets) {
      present.add(socket.id)
      if (!this.slowSince.has(socket.id)) this.slowSince.set(socket.id, now)
    }
    for (const id of this.slowSince.keys()) if (!present.has(id)) this.slowSince.delete(id)
  }

  /** Remembers when each CLOSE_WAIT socket was first seen, forgetting the ones gone. */
  private followCloseWait(sockets: readonly SocketEntry[], now: number): void {
    const present = new Set<string>()
    for (const socket of sockets) {
      present.add(socket.id)
      if (!this.closeWaitSince.has(socket.id)) this.closeWaitSince.set(socket.id, now)
    }
    for (const id of this.closeWaitSince.keys()) if (!present.has(id)) this.closeWaitSince.delete(id)
  }
}

/**
 * The processes this tick shows: those the sample measured, those holding a socket, and those
 * behind an ephemeral-port destination. A finding about any other process is about one that
 * exited (or let go of every socket), so it clears at once instead of after the clear delay.
 */
function presentProcesses(tick: DetectorTick): Set<number> {
  const present = new Set<number>()
  for (const process of tick.sample.processes) present.add(process.pid)
  for (const use of tick.sample.ephemeral) if (use.pid !== null) present.add(use.pid)
  for (const socket of tick.sockets) {
    if (socket.pid !== null) present.add(socket.pid)
    for (const owner of socket.owners) present.add(owner.pid)
  }
  return present
}

/**
 * Kinds judged on one process's own sockets and files. The others are about a destination (the
 * process named is only the one seen most) and clear with their destination's numbers.
 */
const PROCESS_KINDS: ReadonlySet<FindingKind> = new Set(['growth', 'close-wait', 'fd-limit'])

/**
 * Whether a finding is about a process of {@link PROCESS_KINDS} that the tick no longer shows.
 * (The rules raise nothing for such a process; this ends a raised finding without the clear delay.)
 */
function isAboutGoneProcess(subject: Pick<Finding, 'kind' | 'process'>, present: ReadonlySet<number>): boolean {
  return subject.process !== null && PROCESS_KINDS.has(subject.kind) && !present.has(subject.process.pid)
}

function toFinding(candidate: Candidate, since: number, now: number): Finding {
  return {
    id: candidate.id,
    kind: candidate.kind,
    process: candidate.process,
    severity: candidate.severity,
    since,
    updatedAt: now,
    clearedAt: null,
    title: candidate.title,
    explanation: candidate.explanation,
    advice: candidate.advice,
    evidence: candidate.evidence
  }
}
