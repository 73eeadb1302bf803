/**
 * Opens and holds many TCP connections to one target, to test a server's connection limits or
 * to make the leak detector fire. Bounded by a total limit, aimed beyond this machine only when
 * its authorizer allows it, and released in one call.
 */
import type { Socket } from 'node:net'
import { setMaxListeners } from 'node:events'
import { randomUUID } from 'node:crypto'
import { PROBE_LIMITS, type HeldConnectionGroup, type HolderOpenRequest, type HolderStatus, type ProbeError, type ProbeErrorKind } from '../../../shared/model/probe'
import { checkHolderOpen, invalidInput } from '../../../shared/probe-request'
import { RemoteTargetGate, type TargetAuthorizer } from '../action-policy'
import { resolveHost } from '../probe/resolve-host'
import { connectTcp } from '../probe/tcp-connect'

/** Connects in flight at once per group, so a large group does not flood the listen backlog. */
const CONNECT_CONCURRENCY = 128
/** How often a busy group reports its counters. */
const UPDATE_INTERVAL_MS = 250

type MutableGroup = { -readonly [Key in keyof HeldConnectionGroup]: HeldConnectionGroup[Key] }

interface GroupState {
  readonly group: MutableGroup
  readonly failures: Partial<Record<ProbeErrorKind, number>>
  readonly sockets: Set<Socket>
  readonly controller: AbortController
  readonly settled: Promise<void>
}

/** Options for a {@link ConnectionHolder}. */
export interface ConnectionHolderOptions {
  /** Open plus pending connections across all groups; defaults to PROBE_LIMITS.holderCount.max. */
  readonly limit?: number
  /** Receives batched status updates. */
  readonly onChange?: (status: HolderStatus) => void
  /**
   * Decides whether a target beyond this machine may be used. By default any target may, once
   * the request confirms it (`allowNonLoopback`); the backend passes its own policy.
   */
  readonly authorize?: TargetAuthorizer
}

/** Starting a group either gives it or says why not. */
export type HolderOpen = { readonly ok: true; readonly group: HeldConnectionGroup } | { readonly ok: false; readonly error: ProbeError }

/** Holds groups of TCP connections. */
export class ConnectionHolder {
  private readonly groups = new Map<string, GroupState>()
  private readonly limit: number
  private readonly authorize: TargetAuthorizer
  private updateTimer: NodeJS.Timeout | null = null

  constructor(private readonly options: ConnectionHolderOptions = {}) {
    this.limit = options.limit ?? PROBE_LIMITS.holderCount.max
    this.authorize = options.authorize ?? new RemoteTargetGate({ remoteTargets: 'allow' }).authorize
  }

  /**
   * Check the request and start connecting. Resolves once connecting has begun; progress
   * arrives through `onChange`, and {@link whenSettled} waits for every attempt.
   */
  async open(request: HolderOpenRequest): Promise<HolderOpen> {
    const checked = checkHolderOpen(request)
    if (!checked.ok) return checked
    const settings = checked.value
    const resolution = await resolveHost(settings.host, settings.timeoutMs)
    if (!resolution.ok) return { ok: false, error: resolution.error }
    const target = resolution.first
    const overLimit = this.overLimit(settings.count)
    if (overLimit !== null) return { ok: false, error: overLimit }
    const refusal = await this.authorize({
      action: 'holder',
      host: settings.host,
      addresses: [target.address],
      port: settings.port,
      count: settings.count,
      clientConfirmed: settings.allowNonLoopback
    })
    if (refusal !== null) return { ok: false, error: refusal }
    // Again: other groups may have started while the user was being asked.
    const overLimitNow = this.overLimit(settings.count)
    if (overLimitNow !== null) return { ok: false, error: overLimitNow }
    const controller = new AbortController()
    // Every concurrent connect listens for the release; that many listeners is expected, not a leak.
    try {
      setMaxListeners(CONNECT_CONCURRENCY + 1, controller.signal)
    } catch {
      // An AbortSignal from another implementation (a test DOM's) has no listener limit to raise.
    }
    const state: Omit<GroupState, 'settled'> = {
      group: {
        id: randomUUID(),
        host: settings.host,
        port: settings.port,
        address: target.address,
        requested: settings.count,
        pending: settings.count,
        open: 0,
        failed: 0,
        closedByPeer: 0,
        released: false,
        startedAt: Date.now(),
        failures: {},
        firstError: null
      },
      failures: {},
      sockets: new Set(),
      controller
    }
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < settings.count && !controller.signal.aborted) {
        next += 1
        const outcome = await connectTcp({ ...target, port: settings.port, timeoutMs: settings.timeoutMs, signal: controller.signal })
        state.group.pending -= 1
        if (outcome.socket === null) this.recordFailure(state, outcome.attempt.error)
        else this.hold(state, outcome.socket)
        this.scheduleUpdate()
      }
    }
    const workers = Array.from({ length: Math.min(CONNECT_CONCURRENCY, settings.count) }, () => worker())
    const settled = Promise.all(workers).then(() => {
      // Attempts never started because of a release are no longer pending.
      state.group.pending = 0
    })
    this.groups.set(state.group.id, { ...state, settled })
    this.scheduleUpdate()
    return { ok: true, group: { ...state.group } }
  }

  /** Wait until every connect attempt of a group has finished; gives its state then. */
  async whenSettled(groupId: string): Promise<HeldConnectionGroup | null> {
    const state = this.groups.get(groupId)
    if (state === undefined) return null
    await state.settled
    return this.snapshotGroup(state)
  }

  /** Close every connection of a group and forget it; null when the id is unknown. */
  release(groupId: string): HeldConnectionGroup | null {
    const state = this.groups.get(groupId)
    if (state === undefined) return null
    this.groups.delete(groupId)
    state.group.released = true
    state.controller.abort()
    for (const socket of state.sockets) socket.destroy()
    state.sockets.clear()
    state.group.open = 0
    state.group.pending = 0
    this.emitNow()
    return this.snapshotGroup(state)
  }

  /** Release every group (the "release all" button, and app quit). */
  releaseAll(): void {
    for (const id of [...this.groups.keys()]) this.release(id)
  }

  /** Every group still held. */
  status(): HolderStatus {
    const groups = [...this.groups.values()].map((state) => this.snapshotGroup(state))
    return { groups, totalOpen: groups.reduce((sum, group) => sum + group.open, 0), limit: this.limit }
  }

  /** The refusal for `count` more connections past the limit, or null when they fit. */
  private overLimit(count: number): ProbeError | null {
    const inUse = this.inUse()
    if (inUse + count <= this.limit) return null
    return invalidInput(`Holding ${count} more connections would exceed the limit of ${this.limit} (${inUse} are held or opening); release some first.`)
  }

  private inUse(): number {
    let count = 0
    for (const state of this.groups.values()) count += state.group.open + state.group.pending
    return count
  }

  private hold(state: Omit<GroupState, 'settled'>, socket: Socket): void {
    if (state.group.released) {
      socket.destroy()
      return
    }
    state.sockets.add(socket)
    state.group.open += 1
    // Read and drop whatever the server sends, so it never blocks on a full window.
    socket.on('data', () => {})
    socket.on('close', () => {
      if (!state.sockets.delete(socket)) return
      state.group.open -= 1
      state.group.closedByPeer += 1
      this.scheduleUpdate()
    })
  }

  private recordFailure(state: Omit<GroupState, 'settled'>, error: ProbeError | null): void {
    if (error === null || error.kind === 'cancelled') return
    state.group.failed += 1
    state.failures[error.kind] = (state.failures[error.kind] ?? 0) + 1
    state.group.firstError ??= error
  }

  private snapshotGroup(state: Omit<GroupState, 'settled'>): HeldConnectionGroup {
    return { ...state.group, failures: { ...state.failures } }
  }

  private scheduleUpdate(): void {
    if (this.updateTimer !== null || this.options.onChange === undefined) return
    this.updateTimer = setTimeout(() => this.emitNow(), UPDATE_INTERVAL_MS)
    this.updateTimer.unref()
  }

  private emitNow(): void {
    if (this.updateTimer !== null) clearTimeout(this.updateTimer)
    this.updateTimer = null
    this.options.onChange?.(this.status())
  }
}
